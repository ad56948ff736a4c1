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

A decision can be undone: the log row is marked `undone_at` and the decision before
it (if any) is put back. A document is addressed by its *key*, its source path
relative to the run's input folder (`source_keys`), which stays the same when its
content (hence its doc_id) changes; `doc_versions` remembers which contents a key
has had and since which run.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Any

from vanban.model import SEVERITIES
from vanban.outputs.sqlite import REVIEWS_DDL  # the run's database defines the reviews table
from vanban.review import export
from vanban.review.addresses import input_root, source_keys
from vanban.review.texts import document_text

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
    evidence_hash TEXT,
    undone_at     TEXT
)"""

VERSIONS_DDL = """
CREATE TABLE IF NOT EXISTS doc_versions (
    key        TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    doc_id     TEXT,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (key, sha256)
)"""


class ReviewError(ValueError):
    """A decision that cannot be stored: bad input or an unknown finding (the message is for the reviewer, in Vietnamese)."""


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
    key: str = ""  # the source path relative to the input folder: the page's address

    @property
    def name(self) -> str:
        return PurePath(self.source or self.doc_id).name

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def reviewed(self) -> int:
        return self.states.get("confirmed", 0) + self.states.get("dismissed", 0)

    @property
    def to_review(self) -> int:
        """Findings with no decision, or whose decision needs a new look."""
        return self.states.get("open", 0) + self.states.get("stale", 0)


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def table_exists(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


class RunStore:
    """One run's output folder: its database, its documents' texts, and the reviews."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.db = self.out / "vanban.sqlite"
        if not self.db.is_file():
            raise FileNotFoundError(f"{self.db}: no database (run `vanban run ... -o {self.out}` first)")
        con = self.connect()
        try:
            self._record_versions(con)
        finally:
            con.close()

    def connect(self) -> sqlite3.Connection:
        """A connection with the review tables in place (a run never drops them)."""
        con = sqlite3.connect(self.db, timeout=60, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA busy_timeout=60000")
        if getattr(self, "_ready", None) == self.db.stat().st_ino:  # in place already (the same database file)
            return con
        con.execute(REVIEWS_DDL)
        con.execute(LOG_DDL)
        if "undone_at" not in {r["name"] for r in con.execute("PRAGMA table_info(review_log)")}:
            con.execute("ALTER TABLE review_log ADD COLUMN undone_at TEXT")  # a database from before undo
        con.execute("CREATE INDEX IF NOT EXISTS review_log_source ON review_log (source)")
        con.execute("CREATE INDEX IF NOT EXISTS review_log_finding ON review_log (doc_id, fingerprint)")
        con.execute(VERSIONS_DDL)
        self._ready = self.db.stat().st_ino
        return con

    # ------------------------------------------------------------------ addresses and versions

    def keys(self, con: sqlite3.Connection | None = None) -> dict[str, str]:
        """doc_id -> the document's key (its source path relative to the input folder)."""
        own = con is None
        con = con or self.connect()
        try:
            return source_keys(self._sources(con))
        finally:
            if own:
                con.close()

    def resolve(self, address: str) -> tuple[str | None, str | None]:
        """(doc_id, canonical key) of a page address: a key, a doc_id (an older link), or the end of a
        longer or shorter path of the same file (a link from a run over another folder); (None, None)."""
        keys = self.keys()
        by_key = {k: d for d, k in keys.items()}
        if address in by_key:
            return by_key[address], address
        if address in keys:
            return address, keys[address]
        a = "/" + address.strip("/")
        near = [k for k in by_key if ("/" + k).endswith(a) or a.endswith("/" + k)]
        if len(near) == 1:
            return by_key[near[0]], near[0]
        con = self.connect()
        try:  # the doc_id of an earlier content of a file still in the run
            row = con.execute("SELECT key FROM doc_versions WHERE doc_id = ? ORDER BY first_seen DESC", (address,)).fetchone()
        finally:
            con.close()
        if row is not None and row["key"] in by_key:
            return by_key[row["key"]], row["key"]
        return None, None

    def _record_versions(self, con: sqlite3.Connection) -> None:
        """Remember each document's content under its key, with the time of the run that first had it."""
        if not table_exists(con, "documents"):
            return
        written = None
        if table_exists(con, "meta"):
            row = con.execute("SELECT value FROM meta WHERE key = 'written_at'").fetchone()
            written = row[0] if row else None
        keys = self.keys(con)
        rows = [
            (keys[r["doc_id"]], r["sha256"], r["doc_id"], written or _now())
            for r in con.execute("SELECT doc_id, sha256 FROM documents WHERE sha256 IS NOT NULL AND sha256 != ''")
            if r["doc_id"] in keys
        ]
        try:  # in one transaction: a commit for each row costs a run of thousands of documents seconds
            con.execute("BEGIN")
            con.executemany("INSERT OR IGNORE INTO doc_versions (key, sha256, doc_id, first_seen) VALUES (?, ?, ?, ?)", rows)
            con.execute("COMMIT")
        except sqlite3.OperationalError:  # a database this user may only read: the page works without the history
            if con.in_transaction:
                con.execute("ROLLBACK")

    def versions(self, key: str | None = None) -> Any:
        """The contents a key has had, oldest first: [{sha256, doc_id, first_seen}]; without a key,
        those of every key that had more than one: {key: [...]}."""
        con = self.connect()
        try:
            if key is not None:
                return [dict(r) for r in con.execute(
                    "SELECT sha256, doc_id, first_seen FROM doc_versions WHERE key = ? ORDER BY first_seen, rowid", (key,))]
            out: dict[str, list[dict[str, Any]]] = {}
            for r in con.execute(
                "SELECT key, sha256, doc_id, first_seen FROM doc_versions WHERE key IN "
                "(SELECT key FROM doc_versions GROUP BY key HAVING count(*) > 1) ORDER BY key, first_seen, rowid"
            ):
                out.setdefault(r["key"], []).append({k: r[k] for k in ("sha256", "doc_id", "first_seen")})
            return out
        finally:
            con.close()

    def run_info(self) -> dict[str, Any]:
        """The run's meta table (written_at, pipeline_version, schema_version) and its table sizes."""
        con = self.connect()
        try:
            info: dict[str, Any] = {}
            if table_exists(con, "meta"):
                info.update({r["key"]: r["value"] for r in con.execute("SELECT key, value FROM meta")})
            root = input_root(self._sources(con).values())
            info["input"] = root.name if root is not None and root.name else ""
            for table in ("documents", "tasks", "citations", "findings"):
                info[f"n_{table}"] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] if table_exists(con, table) else 0
            return info
        finally:
            con.close()

    # ------------------------------------------------------------------ reading

    def documents(self, doc_id: str | None = None, *, counts: bool = True) -> list[DocumentView]:
        """Every document of the run (or the one asked for) with its findings counted by severity and
        by review state (`counts=False`: without, which reads no finding)."""
        con = self.connect()
        try:
            if not table_exists(con, "documents"):
                return []
            where, args = ("WHERE doc_id = ?", (doc_id,)) if doc_id is not None else ("", ())
            keys = self.keys(con)
            docs = [
                DocumentView(
                    r["doc_id"], r["source"], r["sha256"], r["status"], r["error"], r["type"], r["number"], r["date"], r["subject"],
                    key=keys.get(r["doc_id"], r["doc_id"]),
                )
                for r in con.execute(f"SELECT * FROM documents {where} ORDER BY source, doc_id", args)
            ]
            by_id = {d.doc_id: d for d in docs}
            ids = list(by_id) if counts else []
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

    def findings_with(self, con: sqlite3.Connection, doc_ids: list[str]) -> list[FindingView]:
        """The findings of these documents on an open connection."""
        return self._findings(con, None, doc_ids)

    def _findings(self, con: sqlite3.Connection, doc_id: str | None, doc_ids: list[str] | None = None) -> list[FindingView]:
        if not table_exists(con, "findings"):
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
        if not table_exists(con, "documents"):
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
        if con.execute("SELECT 1 FROM review_log LIMIT 1").fetchone() is None:  # nobody reviewed anything yet
            return rows
        for doc_id in doc_ids:
            src = sources.get(doc_id)
            if not src:
                continue
            seen: set[tuple[str, str]] = set()
            # the same file name will do: a run from another folder writes the path another way
            name = PurePath(src).name
            for r in con.execute(
                "SELECT * FROM review_log WHERE (source = ? OR source LIKE ? ESCAPE '\\') AND doc_id != ? "
                "AND undone_at IS NULL ORDER BY id DESC",
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
            if not table_exists(con, "tasks"):
                return []
            return [dict(r) for r in con.execute("SELECT * FROM tasks WHERE doc_id = ? ORDER BY rowid", (doc_id,))]
        finally:
            con.close()

    def text(self, doc_id: str) -> str | None:
        """The document's normalized text (OUT/docs/<doc_id>.json), or None when it is not there."""
        return document_text(self.out, doc_id)

    # ------------------------------------------------------------------ writing

    def decide(self, doc_id: str, fingerprint: str, state: str, note: str | None, reviewer: str | None) -> Review:
        """Store a reviewer's decision on a finding of the current run (replacing their earlier one)."""
        return self.decide_many(doc_id, [fingerprint], state, note, reviewer)[0]

    def decide_many(
        self, doc_id: str, fingerprints: list[str], state: str, note: str | None, reviewer: str | None
    ) -> list[Review]:
        """One decision, with one note, on several findings of a document, all or none."""
        if state not in STATES:
            raise ReviewError("kết quả xem xét phải là “xác nhận” hoặc “bác bỏ”")
        note, reviewer = (note or "").strip(), (reviewer or "").strip()
        if len(note) > NOTE_MAX:
            raise ReviewError(f"ghi chú dài quá {NOTE_MAX} ký tự")
        if not reviewer:
            raise ReviewError("cần nhập tên người xem xét")
        if len(reviewer) > REVIEWER_MAX:
            raise ReviewError(f"tên người xem xét dài quá {REVIEWER_MAX} ký tự")
        if not fingerprints:
            raise ReviewError("chưa chọn phát hiện nào")
        con = self.connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                found = {v.fingerprint: v for v in self._findings(con, doc_id)}
                missing = [fp for fp in fingerprints if fp not in found]
                if missing:
                    raise ReviewError("không có phát hiện này trong lần chạy hiện tại; hãy tải lại trang")
                src = con.execute("SELECT source, sha256 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
                when = _now()
                out = [self._store(con, found[fp], state, note or None, reviewer, when, src) for fp in dict.fromkeys(fingerprints)]
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            return out
        finally:
            con.close()

    @staticmethod
    def _store(con: sqlite3.Connection, f: FindingView, state: str, note: str | None, reviewer: str, when: str,
               src: sqlite3.Row | None) -> Review:
        rv = Review(f.doc_id, f.fingerprint, state, note, reviewer, when, evidence_hash(f.evidence))
        _put_review(con, rv)
        con.execute(
            "INSERT INTO review_log (fingerprint, doc_id, source, sha256, rule, category, severity, message, "
            "message_en, evidence, loose_key, state, note, reviewer, decided_at, evidence_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f.fingerprint, f.doc_id, src["source"] if src else None, src["sha256"] if src else None, f.rule,
                f.category, f.severity, f.message, f.message_en, json.dumps(f.evidence, ensure_ascii=False),
                loose_key(f.rule, f.evidence), state, note, reviewer, when, rv.evidence_hash,
            ),
        )
        return rv

    def undo(self, doc_id: str, fingerprints: list[str]) -> list[FindingView]:
        """Take back the latest decision on each of these findings: the one before it (if any) applies again.
        Returns the findings as they are now."""
        con = self.connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                when = _now()
                for fp in dict.fromkeys(fingerprints):
                    last = con.execute(
                        "SELECT * FROM review_log WHERE doc_id = ? AND fingerprint = ? AND undone_at IS NULL "
                        "ORDER BY id DESC LIMIT 2", (doc_id, fp)).fetchall()
                    if not last:
                        continue
                    con.execute("UPDATE review_log SET undone_at = ? WHERE id = ?", (when, last[0]["id"]))
                    if len(last) == 2:
                        _put_review(con, _review_of(dict(last[1])))
                    else:
                        con.execute("DELETE FROM reviews WHERE doc_id = ? AND fingerprint = ?", (doc_id, fp))
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            now = {f.fingerprint: f for f in self._findings(con, doc_id)}
            return [now[fp] for fp in fingerprints if fp in now]
        finally:
            con.close()

    # ------------------------------------------------------------------ export (vanban.review.export)

    EXPORT_COLUMNS = export.EXPORT_COLUMNS

    def export_rows(self) -> list[dict[str, Any]]:
        return export.export_rows(self)

    def export_csv(self) -> str:
        return export.export_csv(self)

    def write_export(self, path: str | Path) -> Path:
        return export.write_export(self, path)


def _put_review(con: sqlite3.Connection, rv: Review) -> None:
    con.execute(
        "INSERT INTO reviews (fingerprint, doc_id, state, note, reviewer, decided_at, evidence_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, fingerprint) DO UPDATE SET "
        "state = excluded.state, note = excluded.note, reviewer = excluded.reviewer, "
        "decided_at = excluded.decided_at, evidence_hash = excluded.evidence_hash",
        (rv.fingerprint, rv.doc_id, rv.state, rv.note, rv.reviewer, rv.decided_at, rv.evidence_hash),
    )


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _review_of(row: dict[str, Any]) -> Review:
    return Review(
        row["doc_id"], row["fingerprint"], row["state"], row["note"], row["reviewer"], row["decided_at"], row["evidence_hash"]
    )
