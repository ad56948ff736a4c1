"""The contract's tables as rows: documents, tasks, targets, citations, findings.

Each table's columns come from its one definition (`outputs.definitions`: the columns
of DESIGN.md first, in its order, then additions). Every writer (CSV, Parquet, XLSX,
SQLite) takes its rows from here, so the formats cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any

from vanban.model import Decision, Finding, to_dict
from vanban.normalize.citations.records import citation_record
from vanban.outputs.definitions import CSV_TABLES, TABLES as DEFINITIONS

# the columns of each table, from its one definition (outputs/definitions.py)
DOCUMENT_COLUMNS = DEFINITIONS["documents"].names
TASK_COLUMNS = DEFINITIONS["tasks"].names
TARGET_COLUMNS = DEFINITIONS["targets"].names
CITATION_COLUMNS = DEFINITIONS["citations"].names  # one record builder: normalize/citations/records.py
RELATION_COLUMNS = DEFINITIONS["relations"].names
FINDING_COLUMNS = DEFINITIONS["findings"].names

#: the CSV tables and their columns (findings go to findings.jsonl)
TABLES = {name: DEFINITIONS[name].names for name in CSV_TABLES}
#: every table, in the order they are written, with its columns
ALL_TABLES: dict[str, list[str]] = {**TABLES, "findings": FINDING_COLUMNS}


def _num(v: float | None) -> Any:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


def _row(obj: Any, columns: list[str], computed: dict[str, Any]) -> dict[str, Any]:
    """A row of `columns`: each one's computed value, else the attribute of `obj` of the same name (so a
    column that is an attribute of the model needs only its definition)."""
    return {c: computed[c] if c in computed else getattr(obj, c) for c in columns}


def document_row(dec: Decision, n_findings: int, version: str) -> dict[str, Any]:
    s = dec.signer
    return _row(dec, DOCUMENT_COLUMNS, {
        "status": "ok",
        "error": None,
        "signer": s.name if s else None,
        "signer_title": s.title if s else None,
        "signer_authority": s.authority if s else None,
        "signatures": len(dec.signatures),
        "stamped": "; ".join(f"{k}={v}" for k, v in sorted(dec.stamped.items())) or None,
        "tasks": len(dec.tasks),
        "targets": len(dec.targets),
        "citations": len(dec.citations),
        "findings": n_findings,
        "pipeline_version": version,
        "duplicate_of": None,
        "effective": dec.effective_date,
        "effective_text": dec.effective,
        "relations": len(dec.relations),
        "elapsed_ms": None,  # the batch's measure, set by the writer
    })


def error_row(doc_id: str, source: str, sha256: str | None, error: str, version: str) -> dict[str, Any]:
    row = dict.fromkeys(DOCUMENT_COLUMNS)
    row.update(doc_id=doc_id, source=source, sha256=sha256, status="error", error=error, pipeline_version=version)
    return row


def duplicate_row(doc_id: str, source: str, sha256: str, first: str, version: str) -> dict[str, Any]:
    """An input with the same name and the same bytes (full SHA-256) as the document `first`:
    listed, with no rows of its own in the other tables (they would count the document twice)."""
    row = dict.fromkeys(DOCUMENT_COLUMNS)
    row.update(doc_id=doc_id, source=source, sha256=sha256, status="duplicate", duplicate_of=first, pipeline_version=version)
    return row


def task_rows(dec: Decision) -> list[dict[str, Any]]:
    return [
        _row(t, TASK_COLUMNS, {
            "doc_id": dec.doc_id,
            "line": t.loc.line,
            "page": t.loc.page,
            "row": i,
            "inherited": "; ".join(t.inherited),
            "lead_invited": any(a.invited for a in t.lead_agencies),
            "extra": json.dumps(t.extra, ensure_ascii=False) if t.extra else "",
        })
        for i, t in enumerate(dec.tasks, 1)
    ]


def target_rows(dec: Decision) -> list[dict[str, Any]]:
    return [
        _row(t, TARGET_COLUMNS, {
            "doc_id": dec.doc_id,
            "value": _num(t.value),
            "line": t.loc.line,
            "percentages": ";".join(str(_num(p)) for p in t.percentages),
            "page": t.loc.page,
        })
        for t in dec.targets
    ]


def citation_rows(dec: Decision) -> list[dict[str, Any]]:
    return [{"doc_id": dec.doc_id, **citation_record(c)} for c in dec.citations]


def relation_rows(dec: Decision) -> list[dict[str, Any]]:
    from vanban.normalize.relations import own_symbol

    own = own_symbol(dec) if dec.relations else None
    return [
        _row(r, RELATION_COLUMNS, {
            "doc_id": dec.doc_id,
            "doc": r.subject or own,
            "target_id": r.target,
            "line": r.loc.line,
            "page": r.loc.page,
            "doc_is_self": r.subject is None,
        })
        for r in dec.relations
    ]


def finding_record(f: Finding) -> dict[str, Any]:
    d = to_dict(f)
    return {k: d[k] for k in FINDING_COLUMNS}


def decision_json(dec: Decision, findings: list[Finding], schema_version: str, version: str) -> dict[str, Any]:
    """The whole Decision for OUT/docs/<doc_id>.json."""
    d = to_dict(dec)
    d["schema_version"] = schema_version
    d["pipeline_version"] = version
    d["findings"] = [finding_record(f) for f in findings]
    return d
