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


def document_row(dec: Decision, n_findings: int, version: str) -> dict[str, Any]:
    s = dec.signer
    return {
        "doc_id": dec.doc_id,
        "source": dec.source,
        "sha256": dec.sha256,
        "status": "ok",
        "error": None,
        "type": dec.type,
        "number": dec.number,
        "date": dec.date,
        "issuer": dec.issuer,
        "subject": dec.subject,
        "plan_year": dec.plan_year,
        "format": dec.format,
        "pages": dec.pages,
        "ocr": dec.ocr,
        "encoding": dec.encoding,
        "number_from": dec.number_from,
        "place": dec.place,
        "signer": s.name if s else None,
        "signer_title": s.title if s else None,
        "signer_authority": s.authority if s else None,
        "signed_at": dec.signed_at,
        "signer_cert": dec.signer_cert,
        "signatures": len(dec.signatures),
        "issuer_parent": dec.issuer_parent,
        "stamped": "; ".join(f"{k}={v}" for k, v in sorted(dec.stamped.items())) or None,
        "tasks": len(dec.tasks),
        "targets": len(dec.targets),
        "citations": len(dec.citations),
        "findings": n_findings,
        "pipeline_version": version,
        "effective": dec.effective_date,
        "effective_text": dec.effective,
        "expires": dec.expires,
        "force_status": dec.force_status,
        "relations": len(dec.relations),
    }


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
    rows = []
    for i, t in enumerate(dec.tasks, 1):
        rows.append({
            "doc_id": dec.doc_id,
            "section": t.section,
            "section_title": t.section_title,
            "task_no": t.task_no,
            "task": t.task,
            "product": t.product,
            "lead": t.lead,
            "lead_canonical": t.lead_canonical,
            "partners": t.partners,
            "partners_canonical": t.partners_canonical,
            "deadline": t.deadline,
            "deadline_start": t.deadline_start,
            "deadline_end": t.deadline_end,
            "recurrence": t.recurrence,
            "monitor": t.monitor,
            "deadline_kind": t.deadline_kind,
            "source_kind": t.source_kind,
            "line": t.loc.line,
            "page": t.loc.page,
            "table": t.table,
            "row": i,
            "inherited": "; ".join(t.inherited),
            "joined_rows": t.joined_rows,
            "lead_invited": any(a.invited for a in t.lead_agencies),
            "extra": json.dumps(t.extra, ensure_ascii=False) if t.extra else "",
            "monitor_canonical": t.monitor_canonical,
            "deadline_reference": t.deadline_reference,
        })
    return rows


def target_rows(dec: Decision) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": dec.doc_id,
            "area": t.area,
            "text": t.text,
            "value": _num(t.value),
            "unit": t.unit,
            "line": t.loc.line,
            "area_title": t.area_title,
            "percentages": ";".join(str(_num(p)) for p in t.percentages),
            "page": t.loc.page,
        }
        for t in dec.targets
    ]


def citation_rows(dec: Decision) -> list[dict[str, Any]]:
    return [{"doc_id": dec.doc_id, **citation_record(c)} for c in dec.citations]


def relation_rows(dec: Decision) -> list[dict[str, Any]]:
    from vanban.normalize.relations import own_symbol

    own = own_symbol(dec) if dec.relations else None
    return [
        {
            "doc_id": dec.doc_id,
            "doc": r.subject or own,
            "relation": r.relation,
            "target_id": r.target,
            "target_symbol": r.target_symbol,
            "target_kind": r.target_kind,
            "target_date": r.target_date,
            "effective": r.effective,
            "evidence": r.evidence,
            "line": r.loc.line,
            "page": r.loc.page,
            "doc_is_self": r.subject is None,
        }
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
