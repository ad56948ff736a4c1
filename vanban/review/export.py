"""The review decisions as CSV (`vanban review OUT --export`, the page's download, the report's link).

Every stored decision with its finding; `status` says whether it still applies:
current, needs_review (the evidence changed) or not_in_run (the finding is not in this run).
The column names are identifiers for other systems, so they stay in English.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vanban.review.store import FindingView, RunStore

EXPORT_COLUMNS = [
    "doc_id", "source", "number", "fingerprint", "rule", "category", "severity", "message", "message_en",
    "evidence", "line", "page", "state", "note", "reviewer", "decided_at", "status",
]
_INFO = ("rule", "category", "severity", "message", "message_en")


def export_rows(store: "RunStore") -> list[dict[str, Any]]:
    """Every stored decision with its finding and whether it still applies."""
    from vanban.review.store import table_exists

    con = store.connect()
    try:
        docs = {}
        if table_exists(con, "documents"):
            docs = {r["doc_id"]: dict(r) for r in con.execute("SELECT doc_id, source, number FROM documents")}
        # the findings of the documents someone reviewed, not of the whole run
        reviewed = [r[0] for r in con.execute("SELECT DISTINCT doc_id FROM reviews")]
        found: dict[tuple[str, str], FindingView] = {}
        for start in range(0, len(reviewed), 200):
            for f in store.findings_with(con, reviewed[start : start + 200]):
                found[(f.doc_id, f.fingerprint)] = f
        logged: dict[tuple[str, str], dict[str, Any]] = {}
        for r in con.execute("SELECT * FROM review_log WHERE undone_at IS NULL ORDER BY id"):
            logged[(r["doc_id"], r["fingerprint"])] = dict(r)
        return [
            _row(r, found.get((r["doc_id"], r["fingerprint"])), logged.get((r["doc_id"], r["fingerprint"]), {}),
                 docs.get(r["doc_id"], {}))
            for r in con.execute("SELECT * FROM reviews ORDER BY decided_at, doc_id, fingerprint")
        ]
    finally:
        con.close()


def _row(r: Any, f: "FindingView | None", log: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    if f is not None:
        ev, info = f.evidence, {k: getattr(f, k) for k in _INFO}
        status = "current" if f.state == r["state"] else "needs_review"
    else:
        try:
            ev = json.loads(log.get("evidence") or "[]")
        except ValueError:
            ev = []
        info = {k: log.get(k) for k in _INFO}
        status = "not_in_run"
    ev = [e for e in ev if isinstance(e, dict)]
    return {
        "doc_id": r["doc_id"], "source": doc.get("source") or log.get("source"), "number": doc.get("number"),
        "fingerprint": r["fingerprint"], **info,
        "evidence": " | ".join((e.get("text") or "") for e in ev),
        "line": "; ".join(str(e["line"]) for e in ev if e.get("line") is not None),
        "page": "; ".join(str(e["page"]) for e in ev if e.get("page") is not None),
        "state": r["state"], "note": r["note"], "reviewer": r["reviewer"], "decided_at": r["decided_at"],
        "status": status,
    }


def export_csv(store: "RunStore") -> str:
    """The decisions as CSV text (UTF-8 with a BOM when written, so that Excel reads the Vietnamese)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EXPORT_COLUMNS)
    for r in export_rows(store):
        w.writerow([csv_cell(r.get(c)) for c in EXPORT_COLUMNS])
    return buf.getvalue()


def write_export(store: "RunStore", path: str | Path) -> Path:
    path = Path(path)
    path.write_text(export_csv(store), encoding="utf-8-sig", newline="")
    return path


def csv_cell(v: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (the text comes from untrusted documents)."""
    if v is None:
        return ""
    s = str(v)
    if s[:1] in ("=", "+", "@", "\t", "\r") or (s[:1] == "-" and s[1:2] not in ("", " ")):
        return "'" + s
    return s
