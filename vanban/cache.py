"""The incremental cache of `vanban run`: OUT/.cache/<doc_id>.json and .pickle.

OUT is an `OutStore` (`vanban.storage`): a local folder or a URL; the workers
that process the documents write their entries there themselves.

Each processed document leaves an entry (its rows for every table and how it was
made) keyed by its bytes (sha256), the pipeline's code and data and the rules
configuration, and a pickle of its slimmed decision for the cross-document rules.
An entry is reused only while the registry of documents in force says what it said
of the documents its document cites (`registry_state`): one that learned since that
a cited law was replaced has the document checked again.

The output folder is not trusted (issue 14): it may have been prepared by
someone else. Entries are read without following links, and a pickle, which
would run code when loaded, is loaded only when it carries the MAC made with
this user's secret key (`~/.local/state/vanban/cache.key`, made on first use):
a crafted or foreign pickle is treated as absent and its document processed
again.

Workers on other machines sign with the key of the client that started the
run: it travels to them inside the run's `Settings` (held in memory, never
written there). Anyone who can submit work to a Dask scheduler can already run
any code on its workers, so this opens nothing the cluster did not; it lets
the client trust what its workers wrote. To resume a run from another machine
and reuse its documents, give the machines that start runs the same key file
(`VANBAN_CACHE_KEY_FILE=/path/to/key`, 32 bytes, mode 0600); without it the
documents whose pickles another key signed are processed again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import sys
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from vanban.outputs.files import read_nofollow, safe_child
from vanban.pipeline import PIPELINE_VERSION, Result, code_fingerprint, one_line

if TYPE_CHECKING:
    from vanban.batch import Item, Settings
    from vanban.storage import OutStore

CACHE_DIR = ".cache"
_MAGIC = b"VBP1"
_MAC_BYTES = 32


def cache_path(out: Path, doc_id: str, suffix: str = ".json") -> Path:
    return safe_child(out / CACHE_DIR, f"{doc_id}{suffix}")


def cache_rel(doc_id: str, suffix: str = ".json") -> str:
    """The name of a document's cache entry (or pickle) under OUT."""
    return f"{CACHE_DIR}/{doc_id}{suffix}"


def _dumps(obj: Any) -> bytes:
    # json.dumps, not json.dump: only the one-shot call uses the C encoder
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode()


def slim_decision(dec):
    """The decision without its text and tables, for the corpus rules' Context.

    Keeps metadata, parts, attachments and citations (what cross-document rules
    compare) so that the Context of a large corpus fits in memory.
    """
    dec.text = ""
    dec.tasks = []
    dec.targets = []
    dec.headings = []
    dec.articles = []
    dec.recipients = []
    dec.layout = None
    dec.dates = []
    return dec


def _stats(res: Result) -> dict[str, Any]:
    times = {"elapsed_ms": res.elapsed_ms, "timings": res.timings} if res.elapsed_ms is not None else {}
    dec = res.decision
    if dec is None:
        return times
    return {"format": dec.format, "pages": dec.pages or 0, "chars": len(dec.text), **times}


def entry_for(res: Result, settings: Settings) -> dict[str, Any]:
    """The cache entry of a processed document: its rows for every table and how it was made."""
    from vanban.outputs.writer import FRAGMENTS, document_record, fragments

    record = document_record(res, PIPELINE_VERSION)
    if res.decision is not None:  # made here, on the worker: the run's process copies them into the tables
        record[FRAGMENTS] = fragments(record)
    entry = {
        "key": settings.cache_key,
        "doc_id": res.doc_id,
        "sha256": res.sha256,
        "source": res.path,
        "error": res.error,
        "error_kind": res.error_kind,
        "limits": settings.limits,
        "stats": _stats(res),
        "record": record,
    }
    if res.decision is not None:
        entry["registry"] = registry_state(res.decision.citations)
    return entry


def registry_state(citations) -> dict[str, Any]:
    """What the registry of documents in force said of a document's citations when it was checked: the
    symbols and the names (with their years) it cites, and `Registry.state`'s digest of them. A registry
    that has learned since (`vanban registry import`, `run --registry`) something about them gives
    another digest, and the document is checked again: its findings about legal bases in force depend
    on it, and so do the symbols its laws cited by name resolve to."""
    from vanban.registry import current

    symbols = sorted({c.symbol for c in citations if c.symbol})
    names = sorted({(c.id, c.year) for c in citations if c.number is None and c.year is not None})
    return {"symbols": symbols, "names": [list(n) for n in names], "digest": current().state(symbols, names)}


def _registry_unchanged(entry: dict[str, Any]) -> bool:
    """Whether the registry says today what it said of this document's citations when it was checked."""
    from vanban.registry import current

    state = entry.get("registry")
    if not isinstance(state, dict):
        return False  # an entry made before the registry was part of it
    try:
        names = [(str(n), int(y)) for n, y in state.get("names") or []]
        return current().state([str(s) for s in state.get("symbols") or []], names) == state.get("digest")
    except (TypeError, ValueError):
        return False  # not an entry this code wrote


def store(res: Result, settings: Settings) -> dict[str, Any]:
    """Write a processed document's JSON, its corpus-rules pickle and, last, its cache entry, into OUT.

    The entry is the commit mark: a document counts as done when it exists.
    Returns the summary the parent needs.
    """
    from vanban.outputs.writer import document_json_bytes

    out = settings.store
    entry = entry_for(res, settings)
    if res.decision is not None:
        out.write(f"docs/{res.doc_id}.json", document_json_bytes(res, PIPELINE_VERSION))
        out.write(cache_rel(res.doc_id, ".pickle"), sign(pickle.dumps(slim_decision(res.decision), protocol=5), settings.secret))
    if res.error_kind not in ("crash", "missing"):
        out.write(cache_rel(res.doc_id), _dumps(entry))
    return summary_of(entry)


def store_failure(item: Item, error: str, kind: str, settings: Settings) -> dict[str, Any]:
    """The entry of a document that failed outside the pipeline (a time limit): cached, as `store` would."""
    entry = failure_entry(item, error, kind, settings)
    settings.store.write(cache_rel(item.doc_id), _dumps(entry))
    return summary_of(entry)


def cached_entries(items: list[Item], settings: Settings, chunk: int = 256) -> Iterator[tuple[Item, dict[str, Any] | None]]:
    """Each item with its cache entry when that entry can be reused, else None; OUT is read in batches
    (a remote OUT: a few requests per batch, not several per document)."""
    out = settings.store
    docs = out.names("docs") if out.remote else None
    for start in range(0, len(items), chunk):
        part = items[start:start + chunk]
        found = [parse_entry(b) for b in out.read_many([cache_rel(i.doc_id) for i in part])]
        ok = [i for i, e in zip(part, found) if e and e.get("error_kind") is None and e.get("key") == settings.cache_key]
        pickles = dict(zip((i.doc_id for i in ok), out.read_many([cache_rel(i.doc_id, ".pickle") for i in ok])))
        for item, entry in zip(part, found):
            has_doc = None if docs is None else f"docs/{item.doc_id}.json" in docs
            blob = pickles.get(item.doc_id) or b""
            if reusable(entry, item, settings, pickle_blob=blob, has_doc=has_doc):
                yield item, entry
            else:
                yield item, None


def summary_of(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry.get(k) for k in ("doc_id", "source", "error", "error_kind", "stats")}


def failure_entry(item: Item, error: str, kind: str, settings: Settings) -> dict[str, Any]:
    res = Result(str(item.path), error=error, doc_id=item.doc_id, sha256=item.sha256, error_kind=kind)
    return entry_for(res, settings)


def load_entry(out: OutStore, doc_id: str) -> dict[str, Any] | None:
    try:
        return parse_entry(out.read(cache_rel(doc_id)))
    except (OSError, ValueError):
        return None  # absent, a link, or cut short by a power failure: process again


def parse_entry(blob: bytes | None) -> dict[str, Any] | None:
    try:
        entry = json.loads(blob) if blob is not None else None
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and isinstance(entry.get("record"), dict) else None


def reusable(entry: dict[str, Any] | None, item: Item, settings: Settings, *, pickle_blob: bytes | None = None,
             has_doc: bool | None = None) -> bool:
    """Whether a cached entry stands for this input under this run's code, configuration and limits.

    For a document that succeeded, its JSON must be in OUT and its pickle carry the run's MAC:
    `pickle_blob` and `has_doc` are them when the caller fetched them already (in batches).
    """
    if not entry or entry.get("key") != settings.cache_key or entry.get("sha256") != item.sha256:
        return False
    kind = entry.get("error_kind")
    if kind is None:
        out = settings.store
        if not (out.is_file(f"docs/{item.doc_id}.json") if has_doc is None else has_doc):
            return False
        if pickle_blob is None:
            try:
                pickle_blob = out.read(cache_rel(item.doc_id, ".pickle"))
            except (OSError, ValueError):
                return False
        return _signed(pickle_blob, settings.secret) is not None and _registry_unchanged(entry)
    if kind == "timeout":
        return settings.timeout <= (entry.get("limits") or {}).get("timeout", 0)
    if kind == "memory":
        old = (entry.get("limits") or {}).get("max_memory")
        return bool(settings.max_memory and old and settings.max_memory <= old)
    return kind in ("read", "internal")  # the same bytes and code fail the same way


# --------------------------------------------------------------------------- signed pickles


def _key_path() -> Path:
    if os.environ.get("VANBAN_CACHE_KEY_FILE"):
        return Path(os.environ["VANBAN_CACHE_KEY_FILE"])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "vanban" / "cache.key"


@lru_cache(maxsize=1)
def secret_key() -> bytes:
    """This user's key for the cache's MACs, made on first use (mode 0600); a key for this
    process only when it cannot be kept (earlier runs' pickles are then not reused)."""
    path = _key_path()
    for _ in range(2):
        try:
            key = read_nofollow(path)
            if len(key) == 32:
                return key
            raise OSError(0, f"{path} is not a key of 32 bytes")
        except FileNotFoundError:
            pass
        except OSError as e:
            return _process_key(path, e)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue  # another run made it meanwhile: read theirs
        except OSError as e:
            return _process_key(path, e)
        with open(fd, "wb") as f:
            key = secrets.token_bytes(32)
            f.write(key)
        return key
    return _process_key(path, OSError(0, "it keeps changing"))


def _process_key(path: Path, err: OSError) -> bytes:
    print(one_line(f"vanban: warning: cannot keep the cache key in {path} ({err.strerror or err}); "
                   "documents cached by earlier runs are processed again"), file=sys.stderr)
    return secrets.token_bytes(32)


def sign(data: bytes, key: bytes | None = None) -> bytes:
    """`data` with its MAC under `key` (the run's; this user's when None)."""
    return _MAGIC + hmac.new(key or secret_key(), data, hashlib.sha256).digest() + data


def _signed(blob: bytes | None, key: bytes | None = None) -> bytes | None:
    """The pickle in `blob` when it carries the MAC of `key` (this user's when None), else None."""
    head = len(_MAGIC) + _MAC_BYTES
    if blob is None or len(blob) <= head or not blob.startswith(_MAGIC):
        return None
    data = blob[head:]
    if not hmac.compare_digest(blob[len(_MAGIC):head], hmac.new(key or secret_key(), data, hashlib.sha256).digest()):
        return None
    return data


def load_decision(blob: bytes | Path | None, key: bytes | None = None) -> Any | None:
    """The pickled decision in `blob` (or the file at that path) when its MAC is the key's, else None
    (a foreign pickle is never loaded)."""
    if isinstance(blob, Path):
        try:
            blob = read_nofollow(blob)
        except OSError:
            return None
    data = _signed(blob, key)
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - ours but damaged
        return None


def cache_key(rules_config) -> str:
    """What a cached document record must match: the version, the code and data, the rules configuration.

    VANBAN_CACHE_KEY replaces the code part (tests pin it: in a working tree
    being edited the code fingerprint moves under them).
    """
    code = os.environ.get("VANBAN_CACHE_KEY") or code_fingerprint()
    cfg = ""
    if rules_config is not None:
        cfg = json.dumps({"disabled": sorted(rules_config.disabled), "severity": rules_config.severity}, sort_keys=True)
    return f"{PIPELINE_VERSION}+{code}+{hashlib.sha256(cfg.encode()).hexdigest()[:8]}"
