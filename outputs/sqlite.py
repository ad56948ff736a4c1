"""OUT/vanban.sqlite: the run's tables in one SQLite database, plus the review decisions.

The tables documents, tasks, targets, citations and findings have the columns of
the CSVs (`outputs.tables`; evidence as JSON text, booleans as 0/1) and are
rewritten whole on each run inside one transaction, so a reader (the review
page) sees either the old run or the new one, and a killed run leaves the old
one. The `reviews` table belongs to legal staff: a run creates it when missing
and never drops or changes it (it only adds, once, the
decisions made under the 32-bit doc_id of a document whose id grew to 128 bits: issue 14).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vanban.outputs import tables as T
from vanban.outputs.definitions import TABLES as DEFINITIONS

DATA_TABLES = T.ALL_TABLES

#: the tables with a column that is not a scalar (evidence spans)
_JSON_TABLES = {t.name for t in DEFINITIONS.values() if any(c.type == "spans" for c in t.columns)}
#: (table, column) pairs that get an index
INDEXES = [
    ("documents", "doc_id"), ("tasks", "doc_id"), ("targets", "doc_id"), ("citations", "doc_id"),
    ("citations", "id"), ("relations", "doc_id"), ("relations", "target_symbol"), ("findings", "doc_id"), ("findings", "category"), ("findings", "fingerprint"),
]

REVIEWS_DDL = """
CREATE TABLE IF NOT EXISTS reviews (
    fingerprint   TEXT NOT NULL,
    doc_id        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('confirmed', 'dismissed')),
    note          TEXT,
    reviewer      TEXT,
    decided_at    TEXT NOT NULL,
    evidence_hash TEXT,
    PRIMARY KEY (doc_id, fingerprint)
)"""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table(table: str) -> str:
    """The CREATE TABLE of a data table: its columns in order, untyped (values keep the type they are
    written with: SQLite's dynamic typing; the types are those of `outputs.definitions`)."""
    return f"CREATE TABLE {_q(table)} ({', '.join(_q(c.name) for c in DEFINITIONS[table].columns)})"


def _value(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, ensure_ascii=False)
    return v


def connect(path: Path) -> sqlite3.Connection:
    """A connection in WAL mode (readers are not blocked by a run) that waits for a busy database."""
    con = sqlite3.connect(path, timeout=60, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


def ensure_reviews(con: sqlite3.Connection) -> None:
    con.execute(REVIEWS_DDL)
    con.execute("CREATE INDEX IF NOT EXISTS reviews_fingerprint ON reviews (fingerprint)")


class SqliteSink:
    """Rewrites the data tables of OUT/vanban.sqlite in one transaction, streaming rows in."""

    def __init__(self, path: Path, *, pipeline_version: str | None = None):
        self.path = path
        self.pipeline_version = pipeline_version
        self.con: sqlite3.Connection | None = None
        self.inserts: dict[str, str] = {}

    def __enter__(self) -> "SqliteSink":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self.con = connect(self.path)
        con.execute("BEGIN IMMEDIATE")
        ensure_reviews(con)
        for table, cols in DATA_TABLES.items():
            con.execute(f"DROP TABLE IF EXISTS {_q(table)}")
            con.execute(create_table(table))
            self.inserts[table] = f"INSERT INTO {_q(table)} VALUES ({', '.join('?' * len(cols))})"
        con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        return self

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        cols = DATA_TABLES[table]
        if table in _JSON_TABLES:  # columns that are not scalars, as JSON text (sqlite3 stores bools as 0/1 itself)
            self.con.executemany(self.inserts[table], [[_value(r.get(c)) for c in cols] for r in rows])
        else:
            self.con.executemany(self.inserts[table], [[r.get(c) for c in cols] for r in rows])

    def __exit__(self, exc_type, exc, tb) -> None:
        con = self.con
        try:
            if exc_type is not None:
                con.execute("ROLLBACK")
                return
            for table, col in INDEXES:
                con.execute(f"CREATE INDEX {_q(f'{table}_{col}')} ON {_q(table)} ({_q(col)})")
            from vanban.model import SCHEMA_VERSION
            from vanban.pipeline import PIPELINE_VERSION

            meta = {
                "schema_version": SCHEMA_VERSION,
                "pipeline_version": self.pipeline_version or PIPELINE_VERSION,
                "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))
            carry_reviews_to_longer_ids(con)
            con.execute("COMMIT")
        finally:
            con.close()


#: the decisions made before issue 14, under a doc_id of 32 bits of the SHA-256, found with the
#: same document's id now (it starts with the old one): the old id, its decision, the new id
_OLD_ID_DECISIONS = """
SELECT r.doc_id AS old_id, r.fingerprint, r.state, r.note, r.reviewer, r.decided_at, r.evidence_hash,
       l.rule, d.doc_id AS new_id
FROM reviews r
JOIN review_log l ON l.id = (SELECT max(id) FROM review_log WHERE doc_id = r.doc_id AND fingerprint = r.fingerprint)
JOIN documents d ON d.sha256 = l.sha256 AND d.status = 'ok' AND d.doc_id != r.doc_id
                AND substr(d.doc_id, 1, length(r.doc_id)) = r.doc_id
WHERE r.doc_id NOT IN (SELECT doc_id FROM documents)
"""


def carry_reviews_to_longer_ids(con: sqlite3.Connection) -> int:
    """Give the reviewers' decisions made under a document's short doc_id (before issue 14) to the
    same document (same SHA-256) under its new id, finding by finding (same rule, same evidence).

    The old rows stay as they were; a finding that already has a decision keeps it. Returns how many
    decisions were carried.
    """
    from vanban.review.store import evidence_hash

    if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'review_log'").fetchone():
        return 0
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute(_OLD_ID_DECISIONS).fetchall()
        found: dict[str, list[tuple[str, str, str]]] = {}
        n = 0
        for r in rows:
            if r["new_id"] not in found:
                found[r["new_id"]] = [
                    (f["rule"], f["fingerprint"], evidence_hash(json.loads(f["evidence"] or "[]")))
                    for f in con.execute("SELECT rule, fingerprint, evidence FROM findings WHERE doc_id = ?", (r["new_id"],))
                ]
            same = [fp for rule, fp, eh in found[r["new_id"]] if rule == r["rule"] and eh == r["evidence_hash"]]
            if len(same) == 1:
                n += con.execute(
                    "INSERT OR IGNORE INTO reviews (fingerprint, doc_id, state, note, reviewer, decided_at, evidence_hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (same[0], r["new_id"], r["state"], r["note"], r["reviewer"], r["decided_at"], r["evidence_hash"]),
                ).rowcount
        return n
    finally:
        con.row_factory = None
