"""The registry of documents in force: what vanban has learned from the documents it read, in SQLite.

A *fact* is (subject, property, value) about a document known by its symbol, with the date it takes effect
when it is a relation, the document it was learned from (`source`), the sentence or field that says it
(`evidence`) and where the fact came from (`origin`: "shipped" for the rows of
`corpus/registry_learned.tsv`, else the output folder imported). Properties:

- `kind`, `date`, `issuer`, `name` (a law's name: "Luật Đất đai"), `effective`, `expires`, `force_status`
  (the national database's "Tình trạng hiệu lực");
- `replaced_by`, `repealed_by`, `repealed_part_by`, `amended_by`, `guides` with the acting document's
  symbol as the value (relations.csv read from the target's side).

Nothing is overwritten: a fact stated by two documents is two rows, and its *confidence* is how many
distinct documents state it; two values of one property (two effective dates) are a *conflict*, shown as
such. The shipped rows are loaded into every registry, so a new one knows what vanban learned from the
public corpora; `vanban registry import OUT` adds what a run learned.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vanban.corpus import SCHEMAS, read_rows
from vanban.normalize.fold import match_key
from vanban.normalize.symbols import symbol_key
from vanban.normalize.dates import YEAR

#: the relation of relations.csv -> the property it gives its target
INVERSE = {"replaces": "replaced_by", "repeals": "repealed_by", "repeals_part": "repealed_part_by", "amends": "amended_by",
           "guides": "guided_by"}
#: properties after which the document is no longer in force
ENDED = ("replaced_by", "repealed_by")
#: properties with one true value: two values are a conflict
SINGLE = ("kind", "date", "issuer", "effective", "expires")
COLUMNS = ("subject", "property", "value", "effective", "source", "evidence", "origin")
SHIPPED = Path(__file__).resolve().parent.parent / "corpus" / "registry_learned.tsv"
_DDL = """
CREATE TABLE IF NOT EXISTS facts (
    subject TEXT NOT NULL,      -- the document's symbol as written canonically ("80/2015/QH13")
    key TEXT NOT NULL,          -- its match key (leading zeros and case aside)
    property TEXT NOT NULL,
    value TEXT NOT NULL,
    effective TEXT,             -- ISO date a relation takes effect
    source TEXT NOT NULL,       -- the document the fact was learned from: its symbol, or its file
    evidence TEXT,
    origin TEXT NOT NULL,       -- "shipped", or the output folder it was imported from
    UNIQUE (key, property, value, source)
);
CREATE INDEX IF NOT EXISTS facts_key ON facts (key);
CREATE INDEX IF NOT EXISTS facts_name ON facts (property, value);
"""


def default_path() -> Path:
    """$VANBAN_REGISTRY, else ~/.local/share/vanban/registry.sqlite ($XDG_DATA_HOME when set)."""
    env = os.environ
    return _default_path(env.get("VANBAN_REGISTRY"), env.get("XDG_DATA_HOME"), env.get("HOME"))


@functools.lru_cache(maxsize=8)
def _default_path(registry: str | None, xdg: str | None, home: str | None) -> Path:
    """The path for these environment values (`Path.home()` is slow: the checks ask per citation)."""
    if registry:
        return Path(registry)
    base = Path(xdg or Path.home() / ".local" / "share")
    return base / "vanban" / "registry.sqlite"


@dataclass
class Fact:
    subject: str
    property: str
    value: str
    effective: str | None = None
    sources: list[str] = field(default_factory=list)
    evidence: str | None = None

    @property
    def confidence(self) -> int:
        return len(set(self.sources))


class RegistryError(Exception):
    """A registry file that cannot be opened or is not a registry."""


class Registry:
    """A registry database; `path=None` is one in memory holding the shipped rows only."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path else None
        try:
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path) if self.path else ":memory:")
            self._names: dict[str, set[str]] | None = None  # name key -> symbols, read once
            self.db.executescript(_DDL)
            self._load_shipped()
        except (OSError, sqlite3.Error) as e:
            raise RegistryError(f"{self.path}: not a usable vanban registry ({e})") from None

    def close(self) -> None:
        self.db.close()

    def _load_shipped(self) -> None:
        """The shipped rows, again each time: a newer vanban's rows replace an older one's."""
        with self.db:
            self.db.execute("DELETE FROM facts WHERE origin = 'shipped'")
            self.add(shipped_rows(), origin="shipped")

    def add(self, rows: Iterable[dict[str, str | None]], origin: str) -> int:
        n = 0
        self._names = None
        with self.db:
            for r in rows:
                if not r.get("subject") or not r.get("value") or not r.get("source"):
                    continue
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (r["subject"], symbol_key(r["subject"]), r["property"], r["value"], r.get("effective") or None,
                     r["source"], r.get("evidence") or None, origin),
                )
                n += cur.rowcount
        return n

    def facts(self, symbol: str) -> list[Fact]:
        """The facts about a document, one per (property, value, effective), with all their sources."""
        rows = self.db.execute(
            "SELECT subject, property, value, effective, source, evidence FROM facts WHERE key = ? "
            "ORDER BY property, value, effective, source", (symbol_key(symbol),))
        out: dict[tuple, Fact] = {}
        for subject, prop, value, eff, source, evidence in rows:
            f = out.setdefault((prop, value, eff), Fact(subject, prop, value, eff, [], evidence))
            f.sources.append(source)
        return list(out.values())

    def conflicts(self, symbol: str) -> dict[str, list[Fact]]:
        """Properties with one true value that the sources give two values for."""
        by: dict[str, list[Fact]] = {}
        for f in self.facts(symbol):
            if f.property in SINGLE:
                by.setdefault(f.property, []).append(f)
        return {p: fs for p, fs in by.items() if len({f.value for f in fs}) > 1}

    def ended(self, symbol: str) -> list[Fact]:
        """The facts that the document was replaced or repealed (whole), most sources first."""
        return sorted((f for f in self.facts(symbol) if f.property in ENDED), key=lambda f: (-f.confidence, f.effective or ""))

    def value(self, symbol: str, prop: str) -> str | None:
        """The value of a property that the most sources state (None when unknown or tied)."""
        fs = sorted((f for f in self.facts(symbol) if f.property == prop), key=lambda f: -f.confidence)
        if not fs or (len(fs) > 1 and fs[0].confidence == fs[1].confidence and fs[0].value != fs[1].value):
            return None
        return fs[0].value

    def state(self, symbols: Iterable[str], names: Iterable[tuple[str, int | None]]) -> str:
        """A digest of what this registry says of the documents `symbols` (every fact but their names) and
        which documents `names` (a law's name and year) stand for: what the checks of a document citing
        them read. Two registries that give one digest check that document alike (the incremental cache
        of `vanban run` reuses a document's findings only then).

        Names are left out of a symbol's facts: every document citing "Luật Đất đai số 31/2024/QH15"
        teaches its name again, and no check of a citing document reads it by symbol."""
        digest = hashlib.sha256()
        keys = sorted({symbol_key(s) for s in symbols})
        for i in range(0, len(keys), 500):  # SQLite's limit on bound parameters is far above
            part = keys[i:i + 500]
            rows = self.db.execute(
                f"SELECT key, property, value, effective, source, evidence FROM facts WHERE key IN ({','.join('?' * len(part))}) "
                "AND property != 'name' ORDER BY key, property, value, effective, source", part)
            for row in rows:
                digest.update(json.dumps(row, ensure_ascii=False).encode())
        for name, year in sorted(set(names), key=lambda n: (n[0], n[1] or 0)):
            digest.update(json.dumps([name, year, self.symbol_of(name, year)], ensure_ascii=False).encode())
        return digest.hexdigest()[:24]

    def symbol_of(self, name: str, year: int | None, key: str | None = None) -> str | None:
        """The symbol of a document cited by name and year ("Luật Đất đai" 2024 -> "31/2024/QH15");
        `key`: the name's `match_key` when the caller has it."""
        if self._names is None:
            self._names = {}
            for s, v in self.db.execute("SELECT subject, value FROM facts WHERE property = 'name'"):
                self._names.setdefault(match_key(v), set()).add(s)
        found = {s for s in self._names.get(key or match_key(name), ()) if year is None or _symbol_year(s) == year}
        return found.pop() if len(found) == 1 else None


def _symbol_year(symbol: str) -> int | None:
    m = re.search(rf"/({YEAR})/", symbol)
    return int(m.group(1)) if m else None


def shipped_rows() -> list[dict[str, str]]:
    if not SHIPPED.exists():
        return []
    name = SHIPPED.name  # read again each time, not cached: `vanban learn` may have rewritten it
    return read_rows(SHIPPED.read_text(encoding="utf-8"), name, SCHEMAS[name])


@functools.cache
def _current(pid: int, path: Path | None) -> Registry:
    try:
        return Registry(path)
    except RegistryError as e:  # the checks go on with the shipped rows; the run's other results stand
        import sys

        print(f"vanban: warning: {e}; using the shipped registry only", file=sys.stderr)
        return Registry(None)


def current() -> Registry:
    """The registry the checks read: the one `use` gave, else $VANBAN_REGISTRY or the default file when it
    exists, else the shipped rows in memory. Opened once per process (a worker never shares its parent's
    connection)."""
    if _used:
        return _current(os.getpid(), _used[0])
    path = default_path()
    return _current(os.getpid(), path if path.exists() else None)


_used: list[Path | None] = []  # what `use` set, when it did


def use(path: Path | None) -> None:
    """Check against this registry file from now on in this process (None: the shipped rows only), whatever
    the environment says: a Dask worker's process checks against the client's registry, not its machine's."""
    _used[:] = [Path(path) if path else None]


def snapshot() -> tuple[str, bytes] | None:
    """The registry file this process checks against, as (its fingerprint, the bytes of a consistent copy
    made with SQLite's backup), for the workers of a cluster run; None when it checks against the shipped
    rows only (no file, or one that cannot be opened: `current` then warns and uses the shipped rows)."""
    import tempfile

    path = _used[0] if _used else default_path()
    if path is None or not path.exists():
        return None
    with tempfile.TemporaryDirectory(prefix="vanban-registry-") as tmp:
        copy = Path(tmp) / "registry.sqlite"
        try:
            src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                src.execute("SELECT 1 FROM facts LIMIT 1")
                dst = sqlite3.connect(copy)
                with dst:
                    src.backup(dst)
                dst.close()
            finally:
                src.close()
        except sqlite3.Error:
            return None
        data = copy.read_bytes()
    return hashlib.sha256(data).hexdigest()[:16], data


def materialize(fingerprint: str, data: bytes, folder: Path) -> Path:
    """The snapshot `data` as a file in `folder` (written once per fingerprint, atomically)."""
    path = Path(folder) / f"vanban-registry-{fingerprint}.sqlite"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------- learning from a run


def learn(out: Path) -> Iterator[dict[str, str | None]]:
    """The facts a run's output folder holds: each document's identity and force, and the relations it
    states, from OUT/docs/<doc_id>.json (written by every run)."""
    docs = Path(out) / "docs"
    if not docs.is_dir():
        raise FileNotFoundError(f"{out}: no docs/ folder: not the output folder of a vanban run")
    for p in sorted(docs.glob("*.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        yield from facts_of(d)


def facts_of(d: dict) -> Iterator[dict[str, str | None]]:
    """The facts of one document (a decision's JSON)."""
    own = d.get("number") or _title_symbol(d)
    source = f"{own or '?'} ({Path(d.get('source') or '').name})"
    if own and re.search(rf"/{YEAR}/", own):  # only normative symbols name one document without a year
        for prop, value in (("kind", d.get("type")), ("date", d.get("date")), ("effective", d.get("effective_date")),
                            ("expires", d.get("expires")), ("force_status", d.get("force_status"))):
            if value:
                yield {"subject": own, "property": prop, "value": value, "source": source, "evidence": f"{prop} of the document"}
        name = f"{d.get('type')} {' '.join((d.get('subject') or '').split()).capitalize()}"
        if _law_name(name, d.get("type")):
            yield {"subject": own, "property": "name", "value": name, "source": source, "evidence": "the document's title"}
    for c in d.get("citations") or []:  # "Luật Đất đai số 31/2024/QH15": a name with its symbol
        if c.get("number") and _law_name(c.get("title"), c.get("kind")):
            yield {"subject": c["id"], "property": "name", "value": " ".join(c["title"].split()), "source": source,
                   "evidence": " ".join((c.get("raw") or "").split())}
    for r in d.get("relations") or []:
        subject = r.get("subject") or own
        target = r.get("target_symbol") or (r["target"] if re.search(r"\d", r["target"]) else None)
        if subject and target and r["relation"] in INVERSE:
            yield {"subject": target, "property": INVERSE[r["relation"]], "value": subject, "effective": r.get("effective"),
                   "source": source, "evidence": r.get("evidence")}


def _law_name(title: str | None, kind: str | None) -> bool:
    """A law's own name ("Luật Đất đai"), not the bare type word nor an amending law's description."""
    if not title or kind not in ("Luật", "Bộ luật", "Pháp lệnh"):
        return False
    words = match_key(title).split()
    n = len(match_key(kind).split())
    return words[:n] == match_key(kind).split() and len(words) > n + 1 and words[n] not in ("sua", "so")


def _title_symbol(d: dict) -> str | None:
    """A national database page's title cites the document itself: "Quyết định số 79/2009/QĐ-TTg ..."."""
    from vanban.normalize.relations import title_symbol

    return title_symbol(d.get("format"), [((c.get("loc") or {}).get("line"), c.get("number"), c["id"]) for c in d.get("citations") or []])
