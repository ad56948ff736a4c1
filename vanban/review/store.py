"""The review decisions of a run: reading OUT/vanban.sqlite, storing a reviewer's judgement,
and carrying judgements across re-runs.

A decision is keyed by (doc_id, fingerprint) in the `reviews` table that the run
creates and never touches (`outputs/sqlite.py`). Beside it, `review_log` keeps
every decision ever made, with what the finding looked like then (source path,
rule, evidence): that is what lets a decision made on an earlier version of a
file be shown on the new version as "cần xem lại" (needs a new look).

A finding's review state:
- ``confirmed`` / ``dismissed``: a decision for this doc_id and fingerprint whose
  evidence is unchanged;
- ``stale`` ("cần xem lại"): a decision for this fingerprint made on other evidence,
  or a decision on an earlier version of the same source (another sha256, hence
  another doc_id) for the same rule and evidence text;
- ``open``: no decision.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Any

from vanban.model import SEVERITIES
from vanban.outputs.sqlite import REVIEWS_DDL  # the run's database defines the reviews table

STATES = ("confirmed", "dismissed")
REVIEW_STATES = ("open", "confirmed", "dismissed", "stale")
NOTE_MAX = 2000
REVIEWER_MAX = 100

_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}

LOG_DDL = """
CREATE TABLE IF NOT EXISTS review_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint   TEXT NOT NULL,
    doc_id        TEXT NOT NULL,
    source        TEXT,
    sha256        TEXT,
    rule          TEXT,
    category      TEXT,
    severity      TEXT,
    message       TEXT,
    message_en    TEXT,
    evidence      TEXT,
    loose_key     TEXT,
    state         TEXT NOT NULL,
    note          TEXT,
    reviewer      TEXT,
    decided_at    TEXT NOT NULL,
    evidence_hash TEXT
)"""


class ReviewError(ValueError):
    """A decision that cannot be stored: bad input or an unknown finding."""


def evidence_hash(evidence: list[dict[str, Any]]) -> str:
    """What the finding showed the reviewer: texts and positions."""
    keys = ("text", "line", "page", "part", "start", "end")
    norm = [{k: e.get(k) for k in keys} for e in evidence]
    return hashlib.sha256(json.dumps(norm, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def loose_key(rule: str, evidence: list[dict[str, Any]]) -> str:
    """The rule and the evidence texts without positions: the same finding in an edited file."""
    h = hashlib.sha256(rule.encode())
    for e in evidence:
        h.update(b"\x1e" + (e.get("text") or "").encode())
    return h.hexdigest()[:16]


@dataclass
class Review:
    doc_id: str
    fingerprint: str
    state: str
    note: str | None
    reviewer: str | None
    decided_at: str
    evidence_hash: str | None = None


@dataclass
class FindingView:
    """A finding of the current run with its review state (and the decision behind it)."""

    doc_id: str
    rule: str
    category: str
    severity: str
    message: str
    message_en: str
    evidence: list[dict[str, Any]]
    fingerprint: str
    state: str = "open"  # one of REVIEW_STATES
    review: Review | None = None  # the decision shown: current, or the earlier one when stale

    @property
    def first_line(self) -> int:
        return min((e.get("line") or 0 for e in self.evidence), default=0)


@dataclass
class DocumentView:
    doc_id: str
    source: str
    sha256: str | None
    status: str
    error: str | None
    type: str | None
    number: str | None
    date: str | None
    subject: str | None
    counts: dict[str, int] = field(default_factory=dict)  # severity -> findings
    states: dict[str, int] = field(default_factory=dict)  # review state -> findings

    @property
    def name(self) -> str:
        return PurePath(self.source or self.doc_id).name


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _table_exists(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


class RunStore:
    """One run's output folder: its database, its documents' texts, and the reviews."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.db = self.out / "vanban.sqlite"
        if not self.db.is_file():
            raise FileNotFoundError(f"{self.db}: no database (run `vanban run ... -o {self.out}` first)")
        con = self.connect()
        con.close()

    def connect(self) -> sqlite3.Connection:
        """A connection with the review tables in place (a run never drops them)."""
        con = sqlite3.connect(self.db, timeout=60, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA busy_timeout=60000")
        con.execute(REVIEWS_DDL)
        con.execute(LOG_DDL)
        con.execute("CREATE INDEX IF NOT EXISTS review_log_source ON review_log (source)")
        return con

    # ------------------------------------------------------------------ reading

    def documents(self, doc_id: str | None = None) -> list[DocumentView]:
        """Every document of the run (or the one asked for) with its findings counted by severity and by review state."""
        con = self.connect()
        try:
            if not _table_exists(con, "documents"):
                return []
            where, args = ("WHERE doc_id = ?", (doc_id,)) if doc_id is not None else ("", ())
            docs = [
                DocumentView(
                    r["doc_id"], r["source"], r["sha256"], r["status"], r["error"], r["type"], r["number"], r["date"], r["subject"],
                )
                for r in con.execute(f"SELECT * FROM documents {where} ORDER BY source, doc_id", args)
            ]
            by_id = {d.doc_id: d for d in docs}
            ids = list(by_id)
            for start in range(0, len(ids), 200):  # a batch of documents' findings at a time: memory stays flat
                for f in self._findings(con, None, ids[start : start + 200]):
                    d = by_id[f.doc_id]
                    d.counts[f.severity] = d.counts.get(f.severity, 0) + 1
                    d.states[f.state] = d.states.get(f.state, 0) + 1
        finally:
            con.close()
        return docs

    def document(self, doc_id: str) -> DocumentView | None:
        return next(iter(self.documents(doc_id)), None)

    def findings(self, doc_id: str | None = None) -> list[FindingView]:
        """The findings of one document (or of all), most severe first, then in document order."""
        con = self.connect()
        try:
            return self._findings(con, doc_id)
        finally:
            con.close()

    def findings_of(self, doc_ids: list[str]) -> dict[str, list[FindingView]]:
        """The findings of several documents at once (one query for all), by document."""
        out: dict[str, list[FindingView]] = {d: [] for d in doc_ids}
        con = self.connect()
        try:
            for f in self._findings(con, None, doc_ids):
                out.setdefault(f.doc_id, []).append(f)
        finally:
            con.close()
        return out

    def _findings(self, con: sqlite3.Connection, doc_id: str | None, doc_ids: list[str] | None = None) -> list[FindingView]:
        if not _table_exists(con, "findings"):
            return []
        sql, args = "SELECT * FROM findings", ()
        if doc_id is not None:
            sql, args = sql + " WHERE doc_id = ?", (doc_id,)
        elif doc_ids is not None:
            sql, args = sql + f" WHERE doc_id IN ({','.join('?' * len(doc_ids))})", tuple(doc_ids)
        views = []
        for r in con.execute(sql, args):
            try:
                ev = json.loads(r["evidence"] or "[]")
            except ValueError:
                ev = []
            if not isinstance(ev, list):
                ev = []
            ev = [e if isinstance(e, dict) else {"text": str(e)} for e in ev]
            views.append(
                FindingView(
                    r["doc_id"], r["rule"] or "", r["category"] or "", r["severity"] or "info", r["message"] or "",
                    r["message_en"] or "", ev, r["fingerprint"] or "",
                )
            )
        self._attach_reviews(con, views)
        views.sort(key=lambda f: (f.doc_id if doc_id is None else "", _SEVERITY_ORDER.get(f.severity, 9), f.first_line, f.rule))
        return views

    def _attach_reviews(self, con: sqlite3.Connection, views: list[FindingView]) -> None:
        doc_ids = {f.doc_id for f in views}
        current: dict[tuple[str, str], Review] = {}
        for r in con.execute("SELECT * FROM reviews"):
            if r["doc_id"] in doc_ids:
                current[(r["doc_id"], r["fingerprint"])] = Review(**{k: r[k] for k in r.keys()})
        sources = self._sources(con, doc_ids)
        earlier = self._earlier_by_source(con, doc_ids, sources)
        for f in views:
            rv = current.get((f.doc_id, f.fingerprint))
            if rv is not None:
                same = rv.evidence_hash is None or rv.evidence_hash == evidence_hash(f.evidence)
                f.state, f.review = (rv.state if same else "stale"), rv
                continue
            old = earlier.get((f.doc_id, loose_key(f.rule, f.evidence)))
            if old is not None:
                f.state, f.review = "stale", old

    @staticmethod
    def _sources(con: sqlite3.Connection, doc_ids: set[str] | None = None) -> dict[str, str]:
        if not _table_exists(con, "documents"):
            return {}
        if doc_ids is not None and len(doc_ids) <= 500:
            ids = sorted(doc_ids)
            rows = con.execute(f"SELECT doc_id, source FROM documents WHERE doc_id IN ({','.join('?' * len(ids))})", ids)
        else:
            rows = con.execute("SELECT doc_id, source FROM documents")
        return {r["doc_id"]: r["source"] or "" for r in rows}

    def _earlier_by_source(
        self, con: sqlite3.Connection, doc_ids: set[str], sources: dict[str, str]
    ) -> dict[tuple[str, str], Review]:
        """Decisions made on other versions of these documents' files: (doc_id now, loose key) -> latest decision."""
        out: dict[tuple[str, str], Review] = {}
        for row in self._old_log_rows(con, doc_ids, sources):
            out.setdefault((row["_now_doc"], row["loose_key"]), _review_of(row))
        return out

    def _old_log_rows(self, con: sqlite3.Connection, doc_ids: set[str], sources: dict[str, str]) -> list[dict[str, Any]]:
        """The latest logged decision per (old doc_id, fingerprint) for each current document's source, newest first."""
        rows: list[dict[str, Any]] = []
        for doc_id in doc_ids:
            src = sources.get(doc_id)
            if not src:
                continue
            seen: set[tuple[str, str]] = set()
            # the same file name will do: a run from another folder writes the path another way
            name = PurePath(src).name
            for r in con.execute(
                "SELECT * FROM review_log WHERE (source = ? OR source LIKE ? ESCAPE '\\') AND doc_id != ? ORDER BY id DESC",
                (src, "%" + _like_escape(name), doc_id),
            ):
                if r["source"] != src and PurePath(r["source"]).name != name:
                    continue
                key = (r["doc_id"], r["fingerprint"])
                if key in seen:
                    continue
                seen.add(key)
                d = dict(r)
                d["_now_doc"] = doc_id
                rows.append(d)
        return rows

    def orphans(self, doc_id: str) -> list[dict[str, Any]]:
        """Decisions on an earlier version of this document's file that match none of its findings now."""
        con = self.connect()
        try:
            sources = self._sources(con)
            current = {loose_key(f.rule, f.evidence) for f in self._findings(con, doc_id)}
            return [r for r in self._old_log_rows(con, {doc_id}, sources) if r["loose_key"] not in current]
        finally:
            con.close()

    def tasks(self, doc_id: str) -> list[dict[str, Any]]:
        con = self.connect()
        try:
            if not _table_exists(con, "tasks"):
                return []
            return [dict(r) for r in con.execute("SELECT * FROM tasks WHERE doc_id = ? ORDER BY rowid", (doc_id,))]
        finally:
            con.close()

    def text(self, doc_id: str) -> str | None:
        """The document's normalized text (OUT/docs/<doc_id>.json), or None when it is not there."""
        if not doc_id or any(not (c.isascii() and (c.isalnum() or c in "-_")) for c in doc_id):
            return None  # doc_ids are [0-9a-z_-]: anything else is not a file name we wrote
        path = self.out / "docs" / f"{doc_id}.json"
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return None
        text = data.get("text") if isinstance(data, dict) else None
        return text if isinstance(text, str) else None

    # ------------------------------------------------------------------ writing

    def decide(self, doc_id: str, fingerprint: str, state: str, note: str | None, reviewer: str | None) -> Review:
        """Store a reviewer's decision on a finding of the current run (replacing their earlier one)."""
        if state not in STATES:
            raise ReviewError(f"state must be one of {', '.join(STATES)}")
        note = (note or "").strip()
        reviewer = (reviewer or "").strip()
        if len(note) > NOTE_MAX:
            raise ReviewError(f"note longer than {NOTE_MAX} characters")
        if not reviewer:
            raise ReviewError("reviewer name is required")
        if len(reviewer) > REVIEWER_MAX:
            raise ReviewError(f"reviewer name longer than {REVIEWER_MAX} characters")
        con = self.connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                f = next((v for v in self._findings(con, doc_id) if v.fingerprint == fingerprint), None)
                if f is None:
                    raise ReviewError("no such finding in this run")
                src = con.execute("SELECT source, sha256 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
                rv = Review(doc_id, fingerprint, state, note or None, reviewer, _now(), evidence_hash(f.evidence))
                con.execute(
                    "INSERT INTO reviews (fingerprint, doc_id, state, note, reviewer, decided_at, evidence_hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, fingerprint) DO UPDATE SET "
                    "state = excluded.state, note = excluded.note, reviewer = excluded.reviewer, "
                    "decided_at = excluded.decided_at, evidence_hash = excluded.evidence_hash",
                    (fingerprint, doc_id, state, rv.note, reviewer, rv.decided_at, rv.evidence_hash),
                )
                con.execute(
                    "INSERT INTO review_log (fingerprint, doc_id, source, sha256, rule, category, severity, message, "
                    "message_en, evidence, loose_key, state, note, reviewer, decided_at, evidence_hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        fingerprint, doc_id, src["source"] if src else None, src["sha256"] if src else None, f.rule,
                        f.category, f.severity, f.message, f.message_en, json.dumps(f.evidence, ensure_ascii=False),
                        loose_key(f.rule, f.evidence), state, rv.note, reviewer, rv.decided_at, rv.evidence_hash,
                    ),
                )
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            return rv
        finally:
            con.close()

    # ------------------------------------------------------------------ export

    EXPORT_COLUMNS = [
        "doc_id", "source", "number", "fingerprint", "rule", "category", "severity", "message", "message_en",
        "evidence", "line", "page", "state", "note", "reviewer", "decided_at", "status",
    ]

    def export_rows(self) -> list[dict[str, Any]]:
        """Every stored decision with its finding; `status` says whether it still applies:
        current, needs_review (the evidence changed) or not_in_run (the finding is not in this run)."""
        con = self.connect()
        try:
            docs = {}
            if _table_exists(con, "documents"):
                docs = {r["doc_id"]: dict(r) for r in con.execute("SELECT doc_id, source, number FROM documents")}
            # the findings of the documents someone reviewed, not of the whole run
            reviewed = [r[0] for r in con.execute("SELECT DISTINCT doc_id FROM reviews")] if _table_exists(con, "reviews") else []
            found = {}
            for start in range(0, len(reviewed), 200):
                for f in self._findings(con, None, reviewed[start : start + 200]):
                    found[(f.doc_id, f.fingerprint)] = f
            logged: dict[tuple[str, str], dict[str, Any]] = {}
            for r in con.execute("SELECT * FROM review_log ORDER BY id"):
                logged[(r["doc_id"], r["fingerprint"])] = dict(r)
            rows = []
            for r in con.execute("SELECT * FROM reviews ORDER BY decided_at, doc_id, fingerprint"):
                key = (r["doc_id"], r["fingerprint"])
                f, log, doc = found.get(key), logged.get(key, {}), docs.get(r["doc_id"], {})
                if f is not None:
                    ev, info = f.evidence, {"rule": f.rule, "category": f.category, "severity": f.severity,
                                            "message": f.message, "message_en": f.message_en}
                    status = "current" if f.state == r["state"] else "needs_review"
                else:
                    try:
                        ev = json.loads(log.get("evidence") or "[]")
                    except ValueError:
                        ev = []
                    info = {k: log.get(k) for k in ("rule", "category", "severity", "message", "message_en")}
                    status = "not_in_run"
                rows.append({
                    "doc_id": r["doc_id"], "source": doc.get("source") or log.get("source"), "number": doc.get("number"),
                    "fingerprint": r["fingerprint"], **info,
                    "evidence": " | ".join((e.get("text") or "") for e in ev),
                    "line": "; ".join(str(e["line"]) for e in ev if e.get("line") is not None),
                    "page": "; ".join(str(e["page"]) for e in ev if e.get("page") is not None),
                    "state": r["state"], "note": r["note"], "reviewer": r["reviewer"], "decided_at": r["decided_at"],
                    "status": status,
                })
            return rows
        finally:
            con.close()

    def export_csv(self) -> str:
        """The decisions as CSV text (UTF-8 with a BOM when written, so that Excel reads the Vietnamese)."""
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(self.EXPORT_COLUMNS)
        for r in self.export_rows():
            w.writerow([_csv_cell(r.get(c)) for c in self.EXPORT_COLUMNS])
        return buf.getvalue()

    def write_export(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.export_csv(), encoding="utf-8-sig", newline="")
        return path


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _review_of(row: dict[str, Any]) -> Review:
    return Review(
        row["doc_id"], row["fingerprint"], row["state"], row["note"], row["reviewer"], row["decided_at"], row["evidence_hash"]
    )


def _csv_cell(v: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (the text comes from untrusted documents)."""
    if v is None:
        return ""
    s = str(v)
    if s[:1] in ("=", "+", "@", "\t", "\r") or (s[:1] == "-" and s[1:2] not in ("", " ")):
        return "'" + s
    return s
