"""Validating a run's tables with Great Expectations (GX Core 1.x), loudly.

One expectation suite per table, derived from its definition
(`outputs.definitions`): each column's declared facts (a value present, unique,
its pattern, its closed set, its minimum) and the table's rules over several
columns (doc_id joining to documents, deadlines with start before end, section
and task_no forming a sequence, canonical citation ids matching the symbol grammar).

Great Expectations is imported only here (its import costs about 2-3 s) and runs
in an ephemeral context: results and Data Docs go to OUT/validation/, nothing
is written anywhere else.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import pandas as pd

from vanban.normalize.symbols import CANONICAL as SYMBOL  # canonical ids that are symbols (names are not)
from vanban.outputs.definitions import CSV_TABLES, TABLES as DEFINITIONS, Check, Column, Table
from vanban.outputs.files import write_json


@dataclass
class Failure:
    table: str
    expectation: str
    column: str | None
    rows: list[int]  # 0-based row numbers in the table (CSV data rows): the first 20 of each chunk
    values: list[Any]
    count: int = 0  # how many rows failed in all


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
            total = max(f.count, len(f.rows))
            more = f" (+{total - min(8, len(f.rows))} more)" if total > 8 else ""
            vals = "; ".join(repr(v) for v in f.values[:3])
            out.append(f"  {fname} {f.expectation}({f.column or ''}): lines {rows}{more}: {vals}")
        return out


def _column_expectations(E, table: Table) -> list[Any]:
    """What the table's definition says of each column: a value present, unique, of its pattern
    (dates ISO), in its set, at least its minimum. A referencing doc_id is checked by `_doc_known`
    (a known document's id is present and of its form); evidence spans by the JSON Schema."""
    exps: list[Any] = []
    for c in table.columns:
        if (table.documents and c.name == "doc_id") or c.type == "spans":
            continue
        if not c.nullable and not c.blank:
            exps.append(E.ExpectColumnValuesToNotBeNull(column=c.name))
        if c.unique:
            # findings' fingerprints: chunks hold whole documents, and a fingerprint hashes its doc_id, so
            # unique per chunk is unique
            exps.append(E.ExpectColumnValuesToBeUnique(column=c.name))
        if c.regex:
            exps.append(E.ExpectColumnValuesToMatchRegex(column=c.name, regex=c.regex))
        if c.allowed:
            exps.append(E.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.allowed)))
        if c.minimum is not None:
            exps.append(E.ExpectColumnValuesToBeBetween(column=c.name, min_value=c.minimum))
    return exps


def _check_expectations(E, check: Check) -> list[Any]:
    """The expectations of a rule over several columns (the derived columns are made by `_derive`)."""
    if check.name == "deadline_order":
        start, end = check.columns
        return [E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=end, column_B=start, or_equal=True, ignore_row_if="either_value_is_missing")]
    if check.name == "symbol_grammar":
        return [E.ExpectColumnValuesToMatchRegex(column="_symbol", regex=SYMBOL)]
    if check.name in ("error_iff_failed", "duplicate_iff_marked", "task_no_in_sequence"):
        return [E.ExpectColumnValuesToBeInSet(column=f"_{check.name}", value_set=[True])]
    raise ValueError(f"no expectation for the check {check.name!r} (outputs/definitions.py)")


def _suites() -> dict[str, list[Any]]:
    """One suite per table, derived from its definition (outputs/definitions.py)."""
    import great_expectations as gx

    E = gx.expectations
    suites = {}
    for name, table in DEFINITIONS.items():
        known = [E.ExpectColumnValuesToBeInSet(column="_doc_known", value_set=[True])] if table.documents else []
        suites[name] = known + _column_expectations(E, table) + [e for ch in table.checks for e in _check_expectations(E, ch)]
    return suites


def _checked(c: Column) -> bool:
    return (not c.nullable and not c.blank) or c.unique or bool(c.regex or c.allowed) or c.minimum is not None


#: rows per chunk: tables are validated a chunk (of whole documents) at a time, so that
#: memory stays flat whatever the size of the run. Each chunk is one Great Expectations run, with
#: about 0.15 s of its own (the suite's graph of metrics): on the 43,000 task and 50,000 citation
#: rows of 1,000 decisions, 10,000 rows took 5.2-5.6 s and a peak of 330 MB, 25,000 rows 3.7-4.2 s
#: and 371 MB, 50,000 rows 3.7-3.9 s and 385 MB. At 25,000 the whole run's peak went from 366 to
#: 411-421 MB for 1.5 s of 45: kept at 10,000
CHUNK_ROWS = 10_000
#: the columns of documents the run's state reads (known ids, OCR'd documents)
_STATE_COLUMNS = ("doc_id", "status", "ocr")
#: the columns each suite reads, and those of them compared as numbers
_USED = {
    name: tuple(c.name for c in t.columns if _checked(c) or c.name == "doc_id"
                or any(c.name in ch.columns for ch in t.checks) or (name == "documents" and c.name in _STATE_COLUMNS))
    for name, t in DEFINITIONS.items()
}
_NUMERIC = {
    name: cols for name, t in DEFINITIONS.items()
    if (cols := tuple(c.name for c in t.columns if c.type in ("int", "float") and c.minimum is not None))
}


@dataclass
class _RunState:
    """What the chunks of one run share: the documents, the reported gaps, the TT sequence so far."""

    ok_ids: set[str]
    all_ids: set[str]
    gap_lines: set[tuple[str, str]]
    seq: tuple[Any, int] = (None, 0)
    ocr_ids: set[str] = field(default_factory=set)  # OCR'd numerals are not judged  # (doc_id, table, section) and the last TT seen


def _task_no_in_sequence(tasks: pd.DataFrame, state: _RunState) -> pd.Series:
    """True where a row's TT continues its section: the same as the row above (another
    product of one task) or one more than it; the first TT of a section, or of a new list
    in it, is 1. A break passes when the document has it and a numbering_gap finding says
    so (or the document was OCR'd, whose numerals are not judged); one the pipeline made
    (a row lost or split) fails. Tasks written in prose carry their paragraph's number, not a TT."""
    ok = []
    prev_key, prev_no = state.seq
    kinds = tasks["source_kind"] if "source_kind" in tasks else ["table"] * len(tasks)
    for doc_id, table, section, task_no, line, kind in zip(tasks["doc_id"], tasks.get("table", [None] * len(tasks)),
                                                           tasks["section"], tasks["task_no"], tasks["line"], kinds):
        key = (doc_id, table, section)
        no = str(task_no) if isinstance(task_no, str) else ""
        if kind == "prose":
            ok.append(True)
            continue
        if not no.isdigit():
            ok.append(True)
            prev_key = key
            continue
        n = int(no)
        good = n == 1 or (key == prev_key and n in (prev_no, prev_no + 1))  # 1 again starts a new list
        ok.append(good or (doc_id, _line_key(line)) in state.gap_lines or doc_id in state.ocr_ids)
        prev_key, prev_no = key, n
    state.seq = (prev_key, prev_no)
    return pd.Series(ok, index=tasks.index, dtype=bool)


def _line_key(line: Any) -> str:
    """A line number as the findings' evidence gives it ("12"), also when read as a number (12.0)."""
    return str(int(line)) if isinstance(line, float) and line == line else str(line)


def _derive(name: str, df: pd.DataFrame, state: _RunState) -> pd.DataFrame:
    """The derived columns the table's checks (outputs/definitions.py) look at."""
    df = df.copy()
    table = DEFINITIONS[name]
    checks = {c.name for c in table.checks}
    if "error_iff_failed" in checks:
        df["_error_iff_failed"] = (df["status"] == "error") == df["error"].notna()
    if "duplicate_iff_marked" in checks:
        dup_of = df["duplicate_of"] if "duplicate_of" in df else pd.Series(None, index=df.index, dtype=object)
        df["_duplicate_iff_marked"] = (df["status"] == "duplicate") == dup_of.isin(state.all_ids)
    if table.documents:
        known = state.all_ids if table.documents == "any" else state.ok_ids
        df["_doc_known"] = df["doc_id"].isin(known) if len(df) else pd.Series(dtype=bool)
    if "task_no_in_sequence" in checks:
        df["_task_no_in_sequence"] = _task_no_in_sequence(df, state) if len(df) else pd.Series(dtype=bool)
    if "symbol_grammar" in checks:
        # only ids that are symbols (with a number) must follow the grammar; names of laws need not
        df["_symbol"] = df["id"].where(df["number"].notna())
    return df


def _gap_lines(findings: pd.DataFrame) -> set[tuple[str, str]]:
    """(doc_id, line) of the rows a numbering_gap finding points at."""
    out: set[tuple[str, str]] = set()
    if "_lines" not in findings:
        return out
    for doc_id, category, lines in zip(findings["doc_id"], findings["category"], findings["_lines"]):
        if category == "numbering_gap" and isinstance(lines, list):
            out.update((doc_id, str(n)) for n in lines)
    return out


def _whole_documents(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Chunks re-cut so that no document's rows are split between two of them."""
    carry: pd.DataFrame | None = None
    for chunk in chunks:
        if carry is not None and len(carry):
            chunk = pd.concat([carry, chunk])
        if not len(chunk):
            continue
        ids = chunk["doc_id"].to_numpy()
        start = len(ids)
        while start > 0 and ids[start - 1] == ids[-1]:
            start -= 1
        if start:
            yield chunk.iloc[:start]
        carry = chunk.iloc[start:]
    if carry is not None and len(carry):
        yield carry


def _csv_chunks(path: Path, name: str) -> Iterator[pd.DataFrame]:
    used = _USED[name]
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], usecols=lambda c: c in used, chunksize=CHUNK_ROWS)
    for chunk in reader:
        for c in _NUMERIC.get(name, ()):
            chunk[c] = pd.to_numeric(chunk[c])
        yield chunk


#: the findings' scalar columns, and the lines their evidence points at (`_gap_lines`)
_FINDING_COLUMNS = [*(c.name for c in DEFINITIONS["findings"].columns if c.type != "spans"), "_lines"]


def _finding_row(line: str) -> dict[str, Any]:
    r = json.loads(line)
    r["_lines"] = [e.get("line") for e in r.get("evidence") or [] if e.get("line")]
    return {k: r.get(k) for k in _FINDING_COLUMNS}


def _jsonl_chunks(path: Path) -> Iterator[pd.DataFrame]:
    """findings.jsonl in chunks, each row's index its 0-based line in the file."""
    if not path.exists():
        yield pd.DataFrame(columns=_FINDING_COLUMNS)
        return
    rows: list[dict[str, Any]] = []
    index: list[int] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if line.strip():
                rows.append(_finding_row(line))
                index.append(n)
            if len(rows) >= CHUNK_ROWS:
                yield pd.DataFrame(rows, index=index, columns=_FINDING_COLUMNS)
                rows, index = [], []
    yield pd.DataFrame(rows, index=index, columns=_FINDING_COLUMNS)


def load_tables(out: Path) -> dict[str, pd.DataFrame]:
    """The run's tables as the consumer sees them (CSV read back, empty cells as nulls), whole.

    For tests and small runs; `validate_run` reads the files a chunk at a time instead."""
    tables = {
        name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for name in CSV_TABLES
        if name != "relations" or (out / "relations.csv").exists()
    }
    for name, cols in _NUMERIC.items():
        for c in cols:
            if name in tables:
                tables[name][c] = pd.to_numeric(tables[name][c])
    tables["findings"] = pd.concat(list(_jsonl_chunks(out / "findings.jsonl")))
    return tables


def _ocr_ids(docs: pd.DataFrame) -> set[str]:
    if "ocr" not in docs:
        return set()
    return set(docs.loc[docs["ocr"].astype(str).str.lower() == "true", "doc_id"].dropna())


def validate_tables(tables: dict[str, pd.DataFrame], out: Path, *, data_docs: bool = True, write: bool = True) -> ValidationReport:
    """Run the suites over tables held in memory; write results (and Data Docs) under out/validation/."""
    docs = tables["documents"]
    state = _RunState(
        ok_ids=set(docs.loc[docs["status"] == "ok", "doc_id"].dropna()),
        all_ids=set(docs["doc_id"].dropna()),
        gap_lines=_gap_lines(tables["findings"]),
        ocr_ids=_ocr_ids(docs),
    )
    sources = {name: iter([df]) for name, df in tables.items()}
    return _validate(sources, state, out, data_docs=data_docs, write=write)


def validate_run(out: Path, *, data_docs: bool = True) -> ValidationReport:
    """Validate the tables a run wrote to `out`, a chunk of whole documents at a time."""
    docs = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False, na_values=[""],
                       usecols=lambda c: c in _USED["documents"])
    for c in _NUMERIC["documents"]:
        docs[c] = pd.to_numeric(docs[c])
    gaps: set[tuple[str, str]] = set()
    for chunk in _jsonl_chunks(out / "findings.jsonl"):
        gaps |= _gap_lines(chunk)
    state = _RunState(set(docs.loc[docs["status"] == "ok", "doc_id"].dropna()), set(docs["doc_id"].dropna()), gaps, ocr_ids=_ocr_ids(docs))
    sources = {
        "documents": iter([docs]),
        **{name: _whole_documents(_csv_chunks(out / f"{name}.csv", name)) for name in CSV_TABLES[1:]
           if name != "relations" or (out / "relations.csv").exists()},
        "findings": _whole_documents(_jsonl_chunks(out / "findings.jsonl")),
    }
    return _validate(sources, state, out, data_docs=data_docs)


def _context(out: Path, *, data_docs: bool, write: bool):
    """An ephemeral Great Expectations context whose only Data Docs site (if any) is OUT/validation/data_docs."""
    import logging

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if write:
        from vanban.outputs.outdir import remove_data_docs

        remove_data_docs(out)  # only when vanban wrote it: never a folder of the user's, never through a link
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
                # an absolute path: GX refuses a relative one ("-o out")
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str((out / "validation" / "data_docs").resolve())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                # the validation pages show each expectation with its result; separate suite pages add nothing
                "site_section_builders": {"expectations": "0", "profiling": "0"},
            },
        )
    return ctx


def _record(failures: dict[tuple[str, str, str | None], Failure], name: str, results: list[Any]) -> None:
    """Add a chunk's failed expectations to `failures`: rows and values capped at 20 each."""
    for r in results:
        if r.success:
            continue
        cfg = r.expectation_config
        column = cfg.kwargs.get("column") or cfg.kwargs.get("column_A")
        f = failures.setdefault((name, cfg.type, column), Failure(name, cfg.type, column, [], []))
        f.rows.extend(int(i) for i in (r.result.get("partial_unexpected_index_list") or []) if isinstance(i, int))
        f.count += int(r.result.get("unexpected_count") or 0)
        f.values.extend(_plain(v) for v in (r.result.get("partial_unexpected_list") or [])[: 20 - len(f.values)])


def _validate(sources: dict[str, Iterator[pd.DataFrame]], state: _RunState, out: Path, *,
              data_docs: bool = True, write: bool = True) -> ValidationReport:
    import great_expectations as gx

    ctx = _context(out, data_docs=data_docs, write=write)
    ds = ctx.data_sources.add_pandas("vanban")
    failures: dict[tuple[str, str, str | None], Failure] = {}
    n = 0
    for name, exps in _suites().items():
        batch = ds.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(f"{name}_all")
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"vanban_{name}"))
        for e in exps:
            suite.add_expectation(e)
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=f"validate_{name}", data=batch, suite=suite))
        n += len(exps)
        for chunk in sources.get(name, ()):  # a folder written before relations.csv existed has none
            # SUMMARY: the first 20 unexpected rows of each chunk, not all of them (a broken column of a
            # large run would otherwise fill memory)
            res = vd.run(batch_parameters={"dataframe": _derive(name, chunk, state)},
                         result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20})
            _record(failures, name, res.results)
    if data_docs:
        ctx.build_data_docs(site_names=["vanban"])  # once, for all suites: far cheaper than per checkpoint
    found = list(failures.values())
    report = ValidationReport(success=not found, expectations=n, failures=found,
                              docs_index=(out / "validation" / "data_docs" / "index.html") if data_docs else None)
    if write:
        write_json(out / "validation" / "results.json",
                   {"success": report.success, "expectations": n, "failures": [f.__dict__ for f in found]})
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
