"""The batch runner behind `vanban run`: many files in, the whole run's tables out.

- parallel: a pool of worker processes (`jobs`), each document with a time
  limit and a memory limit; a document that breaks them, or kills its worker,
  becomes an error record and a fresh worker takes the next one;
- incremental: each processed document leaves a record under `OUT/.cache/`
  keyed by its bytes (sha256), the pipeline's code and data and the rules
  configuration; an unchanged document is not processed again (`force` does);
- resumable: the record is written (temporary name, then rename) as soon as the
  document is done, so a killed run started again redoes only what was missing;
  the tables are rebuilt from the records of the run's inputs, never appended to;
- then the corpus rules (`corpus=True`) over the run's decisions, and the tables.

Engines: the local pool (default), in-process (`jobs=1`), or a Dask cluster
(`vanban.cluster`). Inputs and OUT may be URLs (`vanban.storage`): with a
remote OUT the cache and the documents' JSON live there, and the tables are
written in a local staging folder, then uploaded.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vanban.cache import (  # noqa: F401 - cache_path, slim_decision, entry_for and store are this module's API too
    CACHE_DIR, cache_key, cache_path, cache_rel, cached_entries, entry_for, failure_entry, load_decision, load_entry,
    parse_entry, reusable, secret_key, slim_decision, store, store_failure, summary_of,
)
from vanban.outputs.files import remove_stale_temporaries
from vanban.outputs.outdir import prepare
from vanban.pipeline import discover, one_line
from vanban.pool import _preload, process_one, run_inline, run_pool  # noqa: F401 - process_one is this module's API too
from vanban.profile import Profile
#: what a document record may reuse from an earlier run when it failed: only failures
#: that would happen again under the same or stricter limits
_RESOURCE_ERRORS = ("timeout", "memory")


@dataclass
class Settings:
    """How a run processes its documents (picklable: it travels to the workers)."""

    out: Path | None  # OUT, or a URL (then the local folder where the tables are written before their upload)
    jobs: int = 0  # 0: all cores
    timeout: float = 300.0  # seconds per document
    max_memory: int | None = 2048  # MB per worker (address space)
    force: bool = False
    rules_config: Any = None  # rules.engine.Config
    cache_key: str = ""
    force_output: bool = False  # write into a non-empty folder that is not a vanban output folder
    follow_links: bool = False  # follow symbolic links inside input folders
    #: OUT when it is a URL; `out` is then the local staging folder of the tables
    out_url: str | None = None
    #: the key of the cache's MACs (this user's, made on first use when None); workers sign with it
    secret: bytes | None = field(default=None, repr=False)
    run_token: str = ""  # the manifest's token of this run (a worker that reads it sees this OUT)
    #: the registry a Dask worker's process checks against: the client's, as a file on the worker's machine
    #: ("" for the shipped rows only); None where the workers inherit the client's environment (the local pool)
    registry: str | None = None
    _store: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        from vanban.storage import is_url, local_path

        if self.out is not None and is_url(str(self.out)):
            self.out_url, self.out = str(self.out), None  # the staging folder is made when the run starts
        elif self.out is not None:
            self.out = local_path(self.out)

    @property
    def limits(self) -> dict[str, Any]:
        return {"timeout": self.timeout, "max_memory": self.max_memory}

    @property
    def store(self):
        """OUT, where the cache and the documents' JSON are (`vanban.storage.OutStore`)."""
        if self._store is None:
            from vanban.storage import LocalStore, RemoteStore

            self._store = RemoteStore(self.out_url) if self.out_url else LocalStore(self.out)
        return self._store

    @property
    def where(self) -> str:
        """OUT as the user named it, for messages."""
        return self.out_url or str(self.out)


@dataclass
class Item:
    """One input of the run, in the order of the tables."""

    path: Path | str  # a local path as given, or the URL of a remote object
    doc_id: str
    sha256: str | None
    record: dict[str, Any] | None = None  # for failures that are not cached (missing file, crash) and duplicates
    cached: bool = False
    failed: bool = False  # its entry is an error (no decision to load for the corpus rules)
    duplicate_of: Item | None = None  # the earlier input with the same name and bytes


@dataclass
class RunSummary:
    """What a run did, for the summary line and the benchmark."""

    documents: int = 0
    failed: int = 0
    processed: int = 0  # processed in this run (not reused)
    reused: int = 0
    skipped: int = 0
    duplicates: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    text_chars: int = 0
    seconds: float = 0.0
    process_seconds: float = 0.0
    profile: Profile = field(default_factory=Profile)  # the processed documents' times by format and stage
    manifest: Any = None  # the output folder's manifest (vanban.outputs.outdir.Manifest)
    cluster_error: Any = None  # (message, exit status) when the Dask cluster was lost mid-run
    cluster: Any = None  # the Dask cluster, still connected, when `run(keep_cluster=True)`: the caller closes it


def _say(msg: str) -> None:
    print(one_line(msg), file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- planning


def plan(inputs: list[str], settings: Settings) -> tuple[list[Item], list[Item], int]:
    """The run's items in table order, the ones still to process, and how many files were skipped.

    Every input file is an item, with a doc_id of its own: two files are the same
    document only when their names give the same doc_id and their full SHA-256
    are equal, and then the later one is listed as a duplicate of the first.
    """
    items: list[Item] = []
    taken: dict[str, Item] = {}
    found = discover(inputs, follow_links=settings.follow_links, exclude=[settings.where])
    for path, why in found.refused:
        kind = "missing" if why == "no such file or folder" else "read"
        item = _new_item(path, None, taken)
        item.record = failure_entry(item, why, kind, settings)
        items.append(item)
    for f, (sha, why) in zip(found.files, _hashes(found.files)):
        if sha is None:
            item = _new_item(f, None, taken)
            item.record = failure_entry(item, f"cannot read the file ({why})", "read", settings)
        else:
            item = _new_item(f, sha, taken)
            if item.duplicate_of is not None:
                item.record = _duplicate_entry(item, settings)
        items.append(item)
    for f, why in found.skipped:
        _say(f"vanban: skipped {f}: {why}")
    todo = []
    candidates = [i for i in items if i.record is None]
    found_entries = ((i, None) for i in candidates) if settings.force else cached_entries(candidates, settings)
    for item, entry in found_entries:
        if entry is not None:
            item.cached = True
            item.failed = entry.get("error") is not None
            if entry.get("error"):
                _say(f"vanban: error: {item.path}: {entry['error']} (unchanged since the last run)")
        else:
            todo.append(item)
    return items, todo, len(found.skipped)


def _hashes(files: list[Path | str]) -> Iterator[tuple[str | None, str]]:
    """Each file's SHA-256 (or None and why not), in order; remote objects are read as streams, several at once."""
    from concurrent.futures import ThreadPoolExecutor

    from vanban.extract.base import sha256_of
    from vanban.storage import is_url, reason, sha256_of_url

    def one(f: Path | str) -> tuple[str | None, str]:
        try:
            return (sha256_of_url(f) if isinstance(f, str) and is_url(f) else sha256_of(f)), ""
        except OSError as e:
            return None, reason(e) if is_url(str(f)) else (e.strerror or str(e))
        except Exception as e:  # noqa: BLE001 - a storage backend's own errors
            return None, reason(e)

    if not any(isinstance(f, str) for f in files):
        yield from map(one, files)
        return
    with ThreadPoolExecutor(8) as pool:
        yield from pool.map(one, files)


def _new_item(path: Path | str, sha: str | None, taken: dict[str, Item]) -> Item:
    """The item of an input, its doc_id made unique in the run ("-2", "-3" after a taken one)."""
    from vanban.extract.base import doc_id_for

    base = doc_id_for(path, sha or "0" * 64)
    first = taken.get(base)
    doc_id, n = base, 1
    while doc_id in taken:
        n += 1
        doc_id = f"{base}-{n}"
    item = Item(path, doc_id, sha)
    if first is not None and sha is not None and first.sha256 == sha:
        item.duplicate_of = first
    taken[doc_id] = item
    return item


def _duplicate_entry(item: Item, settings: Settings) -> dict[str, Any]:
    from vanban.outputs.tables import duplicate_row
    from vanban.pipeline import PIPELINE_VERSION

    first = item.duplicate_of
    row = duplicate_row(item.doc_id, str(item.path), item.sha256 or "", first.doc_id, PIPELINE_VERSION)
    return {"key": settings.cache_key, "doc_id": item.doc_id, "sha256": item.sha256, "source": str(item.path),
            "error": None, "error_kind": None, "duplicate_of": first.doc_id, "stats": {},
            "record": {"documents": [row], "tasks": [], "targets": [], "citations": [], "relations": [], "findings": []}}


# --------------------------------------------------------------------------- progress


class Progress:
    """Documents done, failed and the rate: a bar on a terminal, a plain line every
    `every` seconds otherwise (so CI logs hold no carriage returns)."""

    def __init__(self, total: int, reused: int, *, quiet: bool = False, stream=None):
        self.total = total
        self.reused = reused
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.quiet = quiet or total == 0
        self.tty = self.stream.isatty()
        self.every = float(os.environ.get("VANBAN_PROGRESS_EVERY", "0.1" if self.tty else "10"))
        self.t0 = time.monotonic()
        self.last = self.t0
        self.drawn = False

    def rate(self) -> float:
        dt = time.monotonic() - self.t0
        return self.done / dt if dt > 0 else 0.0

    def line(self) -> str:
        rate = self.rate()
        left = (self.total - self.done) / rate if rate > 0 else 0
        eta = f", {left:.0f} s left" if self.done < self.total and rate > 0 else ""
        return f"{self.done}/{self.total} done, {self.failed} failed, {rate:.1f} docs/s{eta}"

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        if not self.quiet and (now - self.last >= self.every or (self.tty and self.done == self.total)):
            self.last = now
            self.draw()

    def draw(self) -> None:
        if self.tty:
            width = 24
            filled = int(width * self.done / self.total) if self.total else width
            self.stream.write(f"\r\x1b[K[{'#' * filled}{'.' * (width - filled)}] {self.line()}")
            self.drawn = True
        else:
            self.stream.write(f"vanban: progress: {self.line()}\n")
        self.stream.flush()

    def message(self, msg: str) -> None:
        """A line (an error) printed above the bar."""
        if self.tty and self.drawn:
            self.stream.write("\r\x1b[K")
        self.stream.write(one_line(msg) + "\n")
        self.stream.flush()
        if self.tty and self.drawn and not self.quiet:
            self.draw()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()


# --------------------------------------------------------------------------- corpus rules and tables


class _PickledDecisions:
    """The run's decisions read from the cache (fetched in batches from a remote OUT) each time they are
    iterated. The corpus rules iterate them twice (a rule's run-wide index, then each document): the first
    KEEP_BYTES of pickles are kept from the first pass, so that a run of ordinary size loads each one once,
    and beyond that they are read again, so that the rules never hold a large run in memory."""

    KEEP_BYTES = 32 << 20  # of pickles (a slimmed decision takes about 4 times its pickle in memory)

    def __init__(self, items: list[Item], settings: Settings):
        self.items = items
        self.settings = settings
        self.kept: dict[int, Any] = {}  # the index of an item -> its decision (None: it could not be loaded)
        self.kept_bytes = 0

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        missing = [k for k in range(len(self.items)) if k not in self.kept]
        blobs = iter(self.settings.store.read_many([cache_rel(self.items[k].doc_id, ".pickle") for k in missing]))
        for k, item in enumerate(self.items):
            if k in self.kept:
                dec = self.kept[k]
            else:
                blob = next(blobs)
                dec = load_decision(blob, self.settings.secret)  # a pickle without the run's MAC is never unpickled
                if dec is None:  # a damaged pickle only loses the cross-document checks for it
                    _say(f"vanban: warning: {item.path}: could not load it for the cross-document checks")
                    self.kept[k] = None
                elif self.kept_bytes + len(blob) <= self.KEEP_BYTES:
                    self.kept[k] = dec
                    self.kept_bytes += len(blob)
            if dec is not None:
                yield dec


def corpus_findings(items: list[Item], settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Findings of the rules registered with `corpus=True`, over the run's decisions, by doc_id."""
    from vanban.outputs.tables import finding_record
    from vanban.rules.engine import Config, Context, check, load_rules

    rules = load_rules()
    corpus_ids = {r.id for r in rules.values() if r.corpus}
    user = settings.rules_config or Config()
    if not corpus_ids - set(user.disabled):
        return {}
    decisions = _PickledDecisions([i for i in items if i.record is None and not i.failed], settings)
    config = Config(disabled=set(user.disabled) | (set(rules) - corpus_ids), severity=dict(user.severity))
    context = Context(decisions=decisions)
    found: dict[str, list[dict[str, Any]]] = {}
    for dec in decisions:  # one decision in memory at a time; the rules keep run-wide indexes (Context.memo)
        fs = check(dec, context, config)
        if fs:
            found[dec.doc_id] = [finding_record(f) for f in fs]
    return found


def entries(items: list[Item], settings: Settings, extra: dict[str, list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Each item's cache entry (its rows in entry["record"]) with the corpus findings added; in item order."""
    from vanban.outputs.writer import FRAGMENTS

    stored = iter(settings.store.read_many([cache_rel(i.doc_id) for i in items if i.record is None]))
    for item in items:
        entry = item.record if item.record is not None else parse_entry(next(stored))
        if entry is None:  # vanished under us (another run on the same OUT): say so rather than lose the row
            entry = failure_entry(item, "its result is missing from the cache; run again", "internal", settings)
        rec = entry["record"]
        doc = rec["documents"][0]
        doc["source"] = str(item.path)  # the same bytes may have been moved
        more = extra.get(item.doc_id)
        if more:
            (rec.get(FRAGMENTS) or {}).pop("findings", None)  # its findings.jsonl lines are made again, with these
            rec["findings"] = rec["findings"] + more
            doc["findings"] = (doc.get("findings") or 0) + len(more)
        yield entry


def _update_document_json(items: list[Item], settings: Settings, extra: dict[str, list[dict[str, Any]]]) -> None:
    """Put the corpus findings into OUT/docs/<doc_id>.json (and take away those no longer found)."""
    out = settings.store
    marker = f"{CACHE_DIR}/corpus_findings.json"
    try:
        before = set(json.loads(out.read(marker)))
    except (OSError, ValueError, TypeError):
        before = set()
    run_ids = {i.doc_id for i in items}
    ids = sorted((before & run_ids) | set(extra))
    for doc_id, blob in zip(ids, out.read_many([f"docs/{i}.json" for i in ids])):
        try:
            d = json.loads(blob)
        except (TypeError, ValueError):
            continue
        own = [f for f in d.get("findings", []) if not f.get("corpus")]
        d["findings"] = own + [dict(f, corpus=True) for f in extra.get(doc_id, [])]
        out.write(f"docs/{doc_id}.json", (json.dumps(d, ensure_ascii=False) + "\n").encode())
    out.write(marker, (json.dumps(sorted(extra), ensure_ascii=False, indent=1) + "\n").encode(), durable=True)


def _announce(items: list[Item]) -> int:
    """A line for each input that is not processed (an error, a duplicate); how many duplicates."""
    n = 0
    for item in items:
        if item.duplicate_of is not None:
            n += 1
            _say(f"vanban: duplicate {item.path}: the same name and bytes as {item.duplicate_of.path}; "
                 "listed in documents.csv as a duplicate")
        elif item.record is not None:
            _say(f"vanban: error: {item.path}: {item.record['error']}")
    return n


def _remove_temporaries(out: Path) -> None:
    """The temporary files a killed run left: only those of files vanban writes."""
    from vanban.outputs.outdir import fixed_paths

    top = {p for p in fixed_paths() if "/" not in p}
    remove_stale_temporaries(out, top.__contains__)
    for folder in ("docs", CACHE_DIR, ".vanban"):
        remove_stale_temporaries(out / folder, lambda name: _OWN_NAME.fullmatch(name) is not None)


_OWN_NAME = re.compile(r"[0-9a-z_-]+\.(json|pickle)")


def run_outputs(formats: tuple[str, ...]) -> list[str]:
    """The files (relative to OUT) a run writes with these formats, besides the documents' JSON."""
    from vanban.outputs.writer import ALL_TABLES
    from vanban.outputs.outdir import DATA_DOCS, MANIFEST

    files = [f"{t}.csv" for t in ALL_TABLES if t != "findings"] + [
        "findings.jsonl", "vanban.sqlite", "vanban.sqlite-wal", "vanban.sqlite-shm", "report.html",
        ".cache/corpus_findings.json", "validation/results.json", DATA_DOCS, MANIFEST,
    ]
    if "jsonl" in formats:
        files += [f"{t}.jsonl" for t in ALL_TABLES]
    if "parquet" in formats:
        files += [f"{t}.parquet" for t in ALL_TABLES]
    if "xlsx" in formats:
        files.append("vanban.xlsx")
    return files


def run(inputs: list[str], settings: Settings, *, engine: str = "local", scheduler: str | None = None,
        formats: tuple[str, ...] = ("csv",), quiet: bool = False, keep_cluster: bool = False,
        near_end: Callable[[], None] | None = None) -> RunSummary:
    """Process the inputs into OUT; returns what was done. Errors are printed as they happen.

    With the Dask engine, `vanban.cluster.ClusterError` (its `status` is the exit
    status) when the cluster cannot be used at all; a cluster lost mid-run ends
    the processing, the tables of what finished are written and
    `RunSummary.cluster_error` says what happened. `keep_cluster`: the connection stays open in
    `RunSummary.cluster` (the report's pages are written there), for the caller to close. `near_end`: called
    at most once, when the local pool's work left is a few seconds and memory allows (`vanban.pool.run_pool`).
    """
    t0 = time.perf_counter()
    manifest = prepare(settings.where, force=settings.force_output)  # OutputError: the caller says it and stops
    settings.run_token = manifest.run
    if settings.out_url:
        _stage(settings, manifest)
    else:
        _remove_temporaries(settings.out)
    settings.cache_key = settings.cache_key or cache_key(settings.rules_config)
    settings.secret = settings.secret or secret_key()  # made or read once, before the workers fork
    cluster = None
    summary = RunSummary()
    if engine == "dask":
        from vanban.cluster import Cluster

        cluster = Cluster.connect(scheduler or "")  # before the inputs are hashed: a bad cluster fails fast
    try:
        items, todo, skipped = plan(inputs, settings)
        # what this run may write, recorded before it is written (a killed run's files stay known as vanban's)
        manifest.add(*run_outputs(formats), *(f"docs/{i.doc_id}.json" for i in items))
        manifest.save()
        summary = RunSummary(documents=len(items), skipped=skipped, reused=sum(i.cached for i in items), manifest=manifest)
        summary.duplicates = _announce(items)
        t1 = time.perf_counter()
        _process(todo, settings, cluster, Progress(len(todo), summary.reused, quiet=quiet), summary, near_end)
        summary.process_seconds = time.perf_counter() - t1
        if cluster is not None and keep_cluster and not cluster.lost:
            summary.cluster = cluster  # the report's pages are written there
        elif cluster is not None:
            cluster.close()  # before the tables, as the connection's own threads cost this machine's CPU
        cluster = None
        _write_outputs(items, settings, formats, summary)
    except BaseException:
        if summary.cluster is not None:
            summary.cluster.close()
        raise
    finally:
        if cluster is not None:
            cluster.close()
    summary.seconds = time.perf_counter() - t0
    return summary


def _write_outputs(items: list[Item], settings: Settings, formats: tuple[str, ...], summary: RunSummary) -> None:
    """The cross-document rules, the tables, the documents' JSON and the manifest (uploaded for a remote OUT)."""
    from vanban.outputs.writer import write_tables

    extra = corpus_findings(items, settings)

    def counted() -> Iterator[dict[str, Any]]:
        """The records for the writers, counting as they pass (from zero on each pass)."""
        summary.by_severity, summary.failed, summary.pages, summary.text_chars = {}, 0, 0, 0
        for entry in entries(items, settings, extra):
            rec = entry["record"]
            summary.failed += entry.get("error") is not None
            summary.pages += int((entry.get("stats") or {}).get("pages") or 0)
            summary.text_chars += int((entry.get("stats") or {}).get("chars") or 0)
            for f in rec["findings"]:
                summary.by_severity[f["severity"]] = summary.by_severity.get(f["severity"], 0) + 1
            yield rec

    manifest = summary.manifest
    summary.counts = write_tables(counted, settings.out, formats)
    _update_document_json(items, settings, extra)
    manifest.prune_documents({i.doc_id for i in items})  # OUT/docs holds the run's documents (the cache keeps the rest)
    manifest.save()
    publish(settings, manifest)


def _process(todo: list[Item], settings: Settings, cluster: Any, progress: Progress, summary: RunSummary,
             near_end: Callable[[], None] | None = None) -> None:
    """Process the documents to do on the engine chosen, showing the progress."""
    jobs = settings.jobs or os.cpu_count() or 1
    if cluster is not None:
        stream = cluster.process(todo, settings)
    elif jobs <= 1:
        _preload(todo)  # the stages' imports do not count against the first document's time limit
        stream = run_inline(todo, settings)
    else:  # even for one document: the pool is what enforces the limits (a fork costs milliseconds)
        _preload(todo)
        stream = run_pool(todo, settings, jobs, near_end)
    by_id = {i.doc_id: i for i in todo}
    for s in stream:
        summary.processed += 1
        summary.profile.add(s)
        failed = s.get("error") is not None
        item = by_id.get(s.get("doc_id"))
        if item is not None:
            item.failed = failed
            if s.get("error_kind") == "missing" and item.record is None:  # not cached: its row comes from here
                item.record = failure_entry(item, s["error"], "missing", settings)
        if failed:
            progress.message(f"vanban: error: {s['source']}: {s['error']}")
        progress.advance(failed)
    progress.close()
    if cluster is not None and cluster.lost:
        summary.cluster_error = cluster.lost


# --------------------------------------------------------------------------- a remote OUT


def _stage(settings: Settings, manifest: Any) -> None:
    """A local folder for the tables of a run whose OUT is remote, with OUT's database (the reviews live there)."""
    from vanban.storage import staging_folder

    if settings.out is None:
        settings.out = staging_folder()
    if manifest.owns("vanban.sqlite"):
        settings.store.download("vanban.sqlite", settings.out)


def publish(settings: Settings, manifest: Any, *, final: bool = False) -> None:
    """With a remote OUT: upload what the staging folder holds and is new or changed (the tables; then
    the report and the validation); `final` removes the folder. Nothing to do for a local OUT."""
    import shutil

    from vanban.outputs.outdir import DATA_DOCS, remove_remote_data_docs

    if not settings.out_url or settings.out is None:
        return
    staging = Path(settings.out)
    sent = getattr(manifest, "uploaded", None)
    if sent is None:
        sent = manifest.uploaded = {}
    files = {}
    for p in sorted(staging.rglob("*")):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            files[p.relative_to(staging).as_posix()] = (st.st_mtime_ns, st.st_size)
    todo = [rel for rel, stamp in files.items() if sent.get(rel) != stamp]
    if any(rel.startswith(DATA_DOCS + "/") for rel in todo):
        remove_remote_data_docs(settings.store)  # replaced whole, as locally; only when vanban wrote it
    settings.store.upload(staging, todo)
    sent.update((rel, files[rel]) for rel in todo)
    manifest.add(*todo)
    manifest.save()
    if final:
        shutil.rmtree(staging, ignore_errors=True)
