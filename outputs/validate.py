"""Validating a run's tables with Great Expectations (GX Core 1.x), loudly.

One expectation suite per table: keys present and unique where they must be,
doc_id joining to documents, deadlines ISO with start before end, section and
task_no forming a sequence, canonical citation ids matching the symbol
grammar, severities and categories in their closed sets, lead agencies present.

Great Expectations is imported only here (its import costs about 2-3 s) and runs
in an ephemeral context: results and Data Docs go to OUT/validation/, nothing
is written anywhere else.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vanban.model import CATEGORIES, DEADLINE_KINDS, SEVERITIES
from vanban.outputs.files import write_json

ISO_DATE = r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"
# The symbol grammar of vn-format-facts §2.3, for ids that are symbols (laws cited by name are not).
SYMBOL = (
    r"^(?:\d+[a-z]?(?:\.\d+)?(?:/\d{4})?/[A-ZĐ][A-Za-zĐđ&0-9]*(?:-[A-ZĐ][A-Za-zĐđ&0-9]*)*(?:/[A-ZĐ][A-Za-zĐđ&0-9-]*)?"
    r"|\d+[a-z]?-[A-ZĐ][A-Za-zĐđ]*/[A-ZĐ][A-Za-zĐđ&0-9-]*)$"
)


@dataclass
class Failure:
    table: str
    expectation: str
    column: str | None
    rows: list[int]  # 0-based row numbers in the table (CSV data rows)
    values: list[Any]


@dataclass
class ValidationReport:
    success: bool
    expectations: int
    failures: list[Failure] = field(default_factory=list)
    docs_index: Path | None = None

    def summary_lines(self, limit: int = 10) -> list[str]:
        if self.success:
            return [f"validation: {self.expectations} expectations met"]
        out = [f"validation: {len(self.failures)} of {self.expectations} expectations FAILED"]
        for f in self.failures[:limit]:
            # the line in the file: CSVs have a header line, findings.jsonl has none
            fname, first = ("findings.jsonl", 1) if f.table == "findings" else (f"{f.table}.csv", 2)
            rows = ", ".join(str(r + first) for r in f.rows[:8])
            more = f" (+{len(f.rows) - 8} more)" if len(f.rows) > 8 else ""
            vals = "; ".join(repr(v) for v in f.values[:3])
            out.append(f"  {fname} {f.expectation}({f.column or ''}): lines {rows}{more}: {vals}")
        return out


def _suites(tables: dict[str, pd.DataFrame]) -> dict[str, list[Any]]:
    import great_expectations as gx

    E = gx.expectations
    ok_ids = sorted(set(tables["documents"].loc[tables["documents"]["status"] == "ok", "doc_id"].dropna()))
    all_ids = sorted(set(tables["documents"]["doc_id"].dropna()))
    return {
        "documents": [
            E.ExpectColumnValuesToNotBeNull(column="doc_id"),
            E.ExpectColumnValuesToBeUnique(column="doc_id"),
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=r"^[0-9a-z_-]+$"),
            E.ExpectColumnValuesToBeInSet(column="status", value_set=["ok", "error"]),
            E.ExpectColumnValuesToNotBeNull(column="source"),
            E.ExpectColumnValuesToMatchRegex(column="date", regex=ISO_DATE),
            E.ExpectColumnValuesToMatchRegex(column="sha256", regex=r"^[0-9a-f]{64}$"),
            E.ExpectColumnValuesToBeInSet(column="_error_iff_failed", value_set=[True]),
        ],
        "tasks": [
            E.ExpectColumnValuesToBeInSet(column="doc_id", value_set=ok_ids),
            E.ExpectColumnValuesToNotBeNull(column="task"),
            E.ExpectColumnValuesToNotBeNull(column="lead"),
            E.ExpectColumnValuesToMatchRegex(column="deadline_start", regex=ISO_DATE),
            E.ExpectColumnValuesToMatchRegex(column="deadline_end", regex=ISO_DATE),
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="deadline_end", column_B="deadline_start", or_equal=True, ignore_row_if="either_value_is_missing"
            ),
            E.ExpectColumnValuesToBeInSet(column="deadline_kind", value_set=list(DEADLINE_KINDS)),
            E.ExpectColumnValuesToBeInSet(column="_task_no_in_sequence", value_set=[True]),
        ],
        "targets": [
            E.ExpectColumnValuesToBeInSet(column="doc_id", value_set=ok_ids),
            E.ExpectColumnValuesToNotBeNull(column="text"),
            E.ExpectColumnValuesToBeBetween(column="value", min_value=0),
            E.ExpectColumnValuesToBeBetween(column="line", min_value=1),
        ],
        "citations": [
            E.ExpectColumnValuesToBeInSet(column="doc_id", value_set=ok_ids),
            E.ExpectColumnValuesToNotBeNull(column="id"),
            E.ExpectColumnValuesToNotBeNull(column="kind"),
            E.ExpectColumnValuesToMatchRegex(column="_symbol", regex=SYMBOL),
            E.ExpectColumnValuesToMatchRegex(column="date", regex=ISO_DATE),
            E.ExpectColumnValuesToBeBetween(column="line", min_value=1),
        ],
        "findings": [
            E.ExpectColumnValuesToBeInSet(column="doc_id", value_set=all_ids),
            E.ExpectColumnValuesToBeInSet(column="severity", value_set=list(SEVERITIES)),
            E.ExpectColumnValuesToBeInSet(column="category", value_set=list(CATEGORIES)),
            E.ExpectColumnValuesToNotBeNull(column="message"),
            E.ExpectColumnValuesToNotBeNull(column="message_en"),
            E.ExpectColumnValuesToNotBeNull(column="fingerprint"),
            E.ExpectColumnValuesToBeUnique(column="fingerprint"),
        ],
    }


def _task_no_in_sequence(tasks: pd.DataFrame) -> pd.Series:
    """True where a row's TT continues its section: the same as the row above (another
    product of one task) or one more than it; the first TT of a section is 1."""
    ok = pd.Series(True, index=tasks.index)
    prev_key, prev_no = None, 0
    for idx, row in tasks.iterrows():
        key = (row["doc_id"], row.get("table"), row["section"])
        no = str(row["task_no"] or "")
        if not no.isdigit():
            prev_key = key
            continue
        n = int(no)
        if key != prev_key:
            ok[idx] = n == 1
        else:
            ok[idx] = n in (prev_no, prev_no + 1)
        prev_key, prev_no = key, n
    return ok


def _gap_lines(findings: pd.DataFrame) -> set[tuple[str, str]]:
    """(doc_id, line) of the rows a numbering_gap finding points at: a break in the TT
    sequence that the document itself has, and the rules reported."""
    out: set[tuple[str, str]] = set()
    if "_lines" not in findings:
        return out
    for doc_id, category, lines in zip(findings["doc_id"], findings["category"], findings["_lines"]):
        if category == "numbering_gap":
            out.update((doc_id, str(n)) for n in lines)
    return out


def _with_derived_columns(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    docs = tables["documents"].copy()
    docs["_error_iff_failed"] = (docs["status"] == "error") == docs["error"].notna()
    tasks = tables["tasks"].copy()
    if len(tasks):
        # a TT out of sequence passes only when the document has it and a finding says so;
        # one the pipeline made (a row lost or split) is a failure
        explained = _gap_lines(tables["findings"])
        flagged = pd.Series([(d, str(ln)) in explained for d, ln in zip(tasks["doc_id"], tasks["line"])], index=tasks.index)
        tasks["_task_no_in_sequence"] = _task_no_in_sequence(tasks) | flagged
    else:
        tasks["_task_no_in_sequence"] = pd.Series(dtype=bool)
    cites = tables["citations"].copy()
    # only ids that are symbols (with a number) must follow the grammar; names of laws need not
    cites["_symbol"] = cites["id"].where(cites["number"].notna())
    return {**tables, "documents": docs, "tasks": tasks, "citations": cites}


def load_tables(out: Path) -> dict[str, pd.DataFrame]:
    """The run's tables as the consumer sees them (CSV read back, empty cells as nulls)."""
    tables = {
        name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for name in ("documents", "tasks", "targets", "citations")
    }
    for name, cols in (("targets", ("value", "line")), ("citations", ("line",))):
        for c in cols:
            tables[name][c] = pd.to_numeric(tables[name][c])
    rows = []
    fj = out / "findings.jsonl"
    if fj.exists():
        rows = [json.loads(l) for l in fj.read_text(encoding="utf-8").splitlines() if l.strip()]
    for r in rows:
        r["_lines"] = [e.get("line") for e in r.get("evidence") or [] if e.get("line")]
    tables["findings"] = pd.DataFrame(rows, columns=["doc_id", "rule", "category", "severity", "message", "message_en", "fingerprint", "_lines"])
    return tables


def _empty_tables() -> dict[str, pd.DataFrame]:
    from vanban.outputs.tables import CITATION_COLUMNS, DOCUMENT_COLUMNS, FINDING_COLUMNS, TARGET_COLUMNS, TASK_COLUMNS

    cols = {"documents": DOCUMENT_COLUMNS, "tasks": TASK_COLUMNS, "targets": TARGET_COLUMNS, "citations": CITATION_COLUMNS,
            "findings": FINDING_COLUMNS + ["_lines"]}
    return {name: pd.DataFrame({c: pd.Series(dtype=object) for c in columns}) for name, columns in cols.items()}


def warm_up() -> None:
    """Run the suites once on empty tables, writing nothing: Great Expectations loads much of
    itself on first use, and this moves that cost to before the run's tables are ready."""
    validate_tables(_empty_tables(), Path("."), data_docs=False, write=False)


def validate_tables(tables: dict[str, pd.DataFrame], out: Path, *, data_docs: bool = True, write: bool = True) -> ValidationReport:
    """Run the suites over the tables; write results (and Data Docs) under out/validation/."""
    import logging

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    vdir = out / "validation"
    docs_dir = vdir / "data_docs"
    if write and docs_dir.exists():
        shutil.rmtree(docs_dir)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    for site in list(ctx.get_site_names()):
        # the ephemeral context makes a temporary folder for its default site: remove both
        backend = (ctx.variables.data_docs_sites or {}).get(site, {}).get("store_backend", {})
        ctx.delete_data_docs_site(site)
        base = backend.get("base_directory")
        if base and Path(base).is_dir() and Path(base).name.startswith("tmp"):
            shutil.rmtree(base, ignore_errors=True)
    if data_docs:
        ctx.add_data_docs_site(
            site_name="vanban",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    tables = _with_derived_columns(tables)
    ds = ctx.data_sources.add_pandas("vanban")
    suites = _suites(tables)
    vds, params = [], {}
    for name, exps in suites.items():
        batch = ds.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(f"{name}_all")
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"vanban_{name}"))
        for e in exps:
            suite.add_expectation(e)
        vds.append(ctx.validation_definitions.add(gx.ValidationDefinition(name=f"validate_{name}", data=batch, suite=suite)))
    failures: list[Failure] = []
    n = 0
    for name, vd in zip(suites, vds):
        res = vd.run(batch_parameters={"dataframe": tables[name]}, result_format="COMPLETE")
        for r in res.results:
            n += 1
            if not r.success:
                cfg = r.expectation_config
                rows = [int(i) for i in (r.result.get("unexpected_index_list") or []) if isinstance(i, int)]
                failures.append(Failure(name, cfg.type, cfg.kwargs.get("column") or cfg.kwargs.get("column_A"),
                                        rows, [_plain(v) for v in (r.result.get("partial_unexpected_list") or [])[:20]]))
    if data_docs:
        ctx.build_data_docs(site_names=["vanban"])  # once, for all suites: far cheaper than per checkpoint
    report = ValidationReport(success=not failures, expectations=n, failures=failures,
                              docs_index=(docs_dir / "index.html") if data_docs else None)
    if not write:
        return report
    write_json(vdir / "results.json", {
        "success": report.success,
        "expectations": n,
        "failures": [f.__dict__ for f in failures],
    })
    return report


def _plain(v: Any) -> Any:
    """A JSON-friendly value (GX returns NaN, numpy scalars, tuples)."""
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if hasattr(v, "item"):
        return v.item()
    return v


def validate_run(out: Path, *, data_docs: bool = True) -> ValidationReport:
    """Validate the tables a run wrote to `out`."""
    return validate_tables(load_tables(out), out, data_docs=data_docs)


def _report_from_dict(d: dict[str, Any]) -> ValidationReport:
    return ValidationReport(
        success=d["success"],
        expectations=d["expectations"],
        failures=[Failure(**f) for f in d["failures"]],
        docs_index=Path(d["docs_index"]) if d.get("docs_index") else None,
    )


def _child_main(conn, data_docs: bool) -> None:  # pragma: no cover - runs in the child process
    try:
        warm_up()  # the slow part (importing and first use of Great Expectations), done while the run works
        out = conn.recv()
        if out is None:
            return
        rep = validate_run(Path(out), data_docs=data_docs)
        conn.send({"success": rep.success, "expectations": rep.expectations,
                   "failures": [f.__dict__ for f in rep.failures],
                   "docs_index": str(rep.docs_index) if rep.docs_index else None})
    except BaseException as e:  # report, never hang the parent
        import traceback

        conn.send({"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()})
    finally:
        conn.close()


class BackgroundValidator:
    """Validation with its Great Expectations import done in a child process while the run works.

    Start it when the run starts; call `validate(out)` once the tables are written.
    """

    def __init__(self, data_docs: bool = True) -> None:
        import multiprocessing

        self._data_docs = data_docs
        try:
            mp = multiprocessing.get_context("fork")
            self._conn, child = mp.Pipe()
            self._proc = mp.Process(target=_child_main, args=(child, data_docs), daemon=True, name="vanban-validate")
            self._proc.start()
            child.close()
        except (OSError, ValueError):
            self._proc = None

    def validate(self, out: Path) -> ValidationReport:
        if self._proc is None:
            return validate_run(out, data_docs=self._data_docs)
        try:
            self._conn.send(str(out))
            data = self._conn.recv()
        except EOFError:
            data = {"error": "the validation process ended without a report"}
        finally:
            self._proc.join(timeout=30)
        if "error" in data:
            raise RuntimeError(f"validation failed to run: {data['error']}\n{data.get('traceback', '')}")
        return _report_from_dict(data)

    def cancel(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
            except OSError:
                pass
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
