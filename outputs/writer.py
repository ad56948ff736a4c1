"""Write a run's results into OUT: the contract's tables, findings, database and copies.

The unit is a document's *record*: its rows for every table, taken from
`outputs.tables`. `write_tables` streams records (one document at a time, so
memory does not grow with the corpus) into every sink at once: the CSVs and
`findings.jsonl`, `vanban.sqlite`, and the Parquet, JSON Lines and XLSX copies
asked for. Each file is written under a temporary name and renamed; the
database is rewritten in one transaction.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from vanban.model import SCHEMA_VERSION
from vanban.outputs import tables as T
from vanban.outputs.files import _cell, atomic_open, safe_child

#: every table, in the order they are written, with its columns
ALL_TABLES = T.ALL_TABLES
FORMATS = ("csv", "jsonl", "parquet", "xlsx")

Record = dict[str, Any]


def document_record(res, version: str) -> Record:
    """One document's rows for every table: {"documents": [row], "tasks": [...], ..., "findings": [...]}."""
    if res.decision is None:
        row = T.error_row(res.doc_id or "", res.path, res.sha256, res.error or "unknown error", version)
        row["elapsed_ms"] = res.elapsed_ms
        return {"documents": [row], "tasks": [], "targets": [], "citations": [], "relations": [], "findings": []}
    dec = res.decision
    row = T.document_row(dec, len(res.findings), version)
    row["elapsed_ms"] = res.elapsed_ms
    return {
        "documents": [row],
        "tasks": T.task_rows(dec),
        "targets": T.target_rows(dec),
        "citations": T.citation_rows(dec),
        "relations": T.relation_rows(dec),
        "findings": [T.finding_record(f) for f in res.findings],
    }


def document_json_bytes(res, version: str) -> bytes:
    """The contents of OUT/docs/<doc_id>.json: the whole Decision, its findings and the schema version."""
    # one line: indenting would take the JSON encoder off its C path and cost more than the pipeline's rules
    doc = T.decision_json(res.decision, res.findings, SCHEMA_VERSION, version)
    return (json.dumps(doc, ensure_ascii=False) + "\n").encode()


def write_document_json(res, out: Path, version: str, *, durable: bool = True) -> None:
    """OUT/docs/<doc_id>.json in a local folder."""
    from vanban.outputs.files import write_bytes

    write_bytes(safe_child(out / "docs", f"{res.decision.doc_id}.json"), document_json_bytes(res, version), durable=durable)


class CsvSink:
    """The contract's files: documents/tasks/targets/citations.csv and findings.jsonl."""

    def __init__(self, out: Path, stack: ExitStack):
        self.writers = {}
        for table, cols in T.TABLES.items():
            f = stack.enter_context(atomic_open(out / f"{table}.csv", "w", encoding="utf-8", newline=""))
            w = csv.writer(f)
            w.writerow(cols)
            self.writers[table] = (w, cols)
        self.findings = stack.enter_context(atomic_open(out / "findings.jsonl", "w", encoding="utf-8"))

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        if table == "findings":
            for r in rows:
                self.findings.write(json.dumps(r, ensure_ascii=False) + "\n")
            return
        w, cols = self.writers[table]
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in cols])


class JsonlSink:
    """JSON Lines copies of the four CSV tables (findings.jsonl is always written)."""

    def __init__(self, out: Path, stack: ExitStack):
        self.files = {t: stack.enter_context(atomic_open(out / f"{t}.jsonl", "w", encoding="utf-8")) for t in T.TABLES}

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        f = self.files.get(table)
        if f is not None:
            for r in rows:
                f.write(json.dumps({c: r.get(c) for c in ALL_TABLES[table]}, ensure_ascii=False) + "\n")


def write_tables(records: Callable[[], Iterable[Record]], out: Path, formats: Iterable[str] = ("csv",), *, sqlite: bool = True) -> dict[str, int]:
    """Write every table from the records (a callable giving a fresh iterator: XLSX reads them twice).

    Returns the row count of each table.
    """
    formats = set(formats)
    unknown = formats - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown output format(s): {', '.join(sorted(unknown))}")
    out.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(ALL_TABLES, 0)
    widths: dict[str, dict[str, int]] = {t: {} for t in ALL_TABLES}
    with ExitStack() as stack:
        sinks: list[Any] = [CsvSink(out, stack)]
        if "jsonl" in formats:
            sinks.append(JsonlSink(out, stack))
        if "parquet" in formats:
            from vanban.outputs.parquet import ParquetSink

            sinks.append(stack.enter_context(ParquetSink(out)))
        if sqlite:
            from vanban.outputs.sqlite import SqliteSink

            sinks.append(stack.enter_context(SqliteSink(out / "vanban.sqlite")))
        if "xlsx" in formats:
            from vanban.outputs.excel import measure

            measure_row = measure
        else:
            measure_row = None
        for rec in records():
            for table in ALL_TABLES:
                rows = rec.get(table) or []
                if not rows:
                    continue
                counts[table] += len(rows)
                for s in sinks:
                    s.add(table, rows)
                if measure_row:
                    measure_row(widths[table], rows)
    if "xlsx" in formats:
        from vanban.outputs.excel import write_xlsx

        write_xlsx(out / "vanban.xlsx", records, widths)
    return counts
