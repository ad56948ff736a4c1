"""Write a run's results into OUT: the contract's tables, findings and per-document JSON."""

from __future__ import annotations

from pathlib import Path

from vanban.model import SCHEMA_VERSION
from vanban.outputs import tables as T
from vanban.outputs.files import safe_child, write_csv, write_json, write_jsonl
from vanban.pipeline import PIPELINE_VERSION, Result


def write_outputs(results: list[Result], out: Path) -> dict[str, int]:
    """Write every table for these results; returns row counts per table."""
    out.mkdir(parents=True, exist_ok=True)
    docs, tasks, targets, cites, findings = [], [], [], [], []
    docs_dir = out / "docs"
    for r in results:
        if r.decision is None:
            docs.append(T.error_row(r.doc_id or "", r.path, r.sha256, r.error or "unknown error", PIPELINE_VERSION))
            continue
        dec = r.decision
        docs.append(T.document_row(dec, len(r.findings), PIPELINE_VERSION))
        tasks.extend(T.task_rows(dec))
        targets.extend(T.target_rows(dec))
        cites.extend(T.citation_rows(dec))
        findings.extend(T.finding_record(f) for f in r.findings)
        write_json(safe_child(docs_dir, f"{dec.doc_id}.json"), T.decision_json(dec, r.findings, SCHEMA_VERSION, PIPELINE_VERSION))
    counts = {
        "documents": write_csv(out / "documents.csv", T.DOCUMENT_COLUMNS, docs),
        "tasks": write_csv(out / "tasks.csv", T.TASK_COLUMNS, tasks),
        "targets": write_csv(out / "targets.csv", T.TARGET_COLUMNS, targets),
        "citations": write_csv(out / "citations.csv", T.CITATION_COLUMNS, cites),
        "findings": write_jsonl(out / "findings.jsonl", findings),
    }
    return counts
