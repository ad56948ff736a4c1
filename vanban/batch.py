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

Engines: the local pool (default), in-process (`jobs=1`), or a Dask cluster.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vanban.cache import (  # noqa: F401 - cache_path, slim_decision and entry_for are this module's API too
    CACHE_DIR, cache_key, cache_path, entry_for, failure_entry, load_decision, load_entry, reusable, secret_key,
    slim_decision, store, summary_of,
)
from vanban.outputs.files import read_nofollow, remove_stale_temporaries, write_json
from vanban.outputs.outdir import prepare
from vanban.pipeline import Result, discover, one_line, process_file
from vanban.profile import Profile
#: what a document record may reuse from an earlier run when it failed: only failures
#: that would happen again under the same or stricter limits
_RESOURCE_ERRORS = ("timeout", "memory")


@dataclass
class Settings:
    """How a run processes its documents (picklable: it travels to the workers)."""

    out: Path
    jobs: int = 0  # 0: all cores
    timeout: float = 300.0  # seconds per document
    max_memory: int | None = 2048  # MB per worker (address space)
    force: bool = False
    rules_config: Any = None  # rules.engine.Config
    cache_key: str = ""
    force_output: bool = False  # write into a non-empty folder that is not a vanban output folder
    follow_links: bool = False  # follow symbolic links inside input folders

    @property
    def limits(self) -> dict[str, Any]:
        return {"timeout": self.timeout, "max_memory": self.max_memory}


@dataclass
class Item:
    """One input of the run, in the order of the tables."""

    path: Path
    doc_id: str
    sha256: str | None
    record: dict[str, Any] | None = None  # for failures that are not cached (missing file, crash) and duplicates
    cached: bool = False
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


def _say(msg: str) -> None:
    print(one_line(msg), file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- one document


def _test_hook(path: Path) -> None:
    """Pathological documents for the tests, active only when VANBAN_TEST_HOOKS=1.

    A file starting with "#vanban-test:sleep=S", ":alloc=MB" or ":die" sleeps,
    allocates or kills its worker before being processed as usual.
    """
    with open(path, "rb") as f:
        head = f.read(64)
    if not head.startswith(b"#vanban-test:"):
        return
    action = head[len(b"#vanban-test:"):].split(b"\n", 1)[0].decode().strip()
    name, _, arg = action.partition("=")
    if name == "sleep":
        time.sleep(float(arg))
    elif name == "alloc":
        blob = bytearray(int(arg) << 20)  # noqa: F841 - the point is to hold it
        blob[:: 1 << 12] = b"x" * len(blob[:: 1 << 12])
    elif name == "die":
        os.kill(os.getpid(), signal.SIGKILL)


def process_one(path: Path, settings: Settings, doc_id: str | None = None) -> Result:
    """`process_file` (under the run's `doc_id` for it) plus the test hooks and the wording of a memory failure."""
    if os.environ.get("VANBAN_TEST_HOOKS") == "1":
        try:
            _test_hook(path)
        except MemoryError:
            return _memory_result(path, settings, doc_id)
    res = process_file(path, rules_config=settings.rules_config, doc_id=doc_id)
    if res.error_kind == "memory" and settings.max_memory:
        res.error = f"exceeded the memory limit of {settings.max_memory} MB"
    return res


def _memory_result(path: Path, settings: Settings, doc_id: str | None) -> Result:
    from vanban.extract.base import doc_id_for, sha256_of

    sha = sha256_of(path)
    return Result(str(path), error=f"exceeded the memory limit of {settings.max_memory} MB",
                  doc_id=doc_id or doc_id_for(path, sha), sha256=sha, error_kind="memory")


# --------------------------------------------------------------------------- planning


def plan(inputs: list[str], settings: Settings) -> tuple[list[Item], list[Item], int]:
    """The run's items in table order, the ones still to process, and how many files were skipped.

    Every input file is an item, with a doc_id of its own: two files are the same
    document only when their names give the same doc_id and their full SHA-256
    are equal, and then the later one is listed as a duplicate of the first.
    """
    from vanban.extract.base import sha256_of

    items: list[Item] = []
    taken: dict[str, Item] = {}
    found = discover(inputs, follow_links=settings.follow_links, exclude=[settings.out])
    for path, why in found.refused:
        kind = "missing" if why == "no such file or folder" else "read"
        item = _new_item(path, None, taken)
        item.record = failure_entry(item, why, kind, settings)
        items.append(item)
    for f in found.files:
        try:
            sha = sha256_of(f)
        except OSError as e:
            item = _new_item(f, None, taken)
            item.record = failure_entry(item, f"cannot read the file ({e.strerror or e})", "read", settings)
        else:
            item = _new_item(f, sha, taken)
            if item.duplicate_of is not None:
                item.record = _duplicate_entry(item, settings)
        items.append(item)
    for f, why in found.skipped:
        _say(f"vanban: skipped {f}: {why}")
    todo = []
    for item in items:
        if item.record is not None:
            continue
        entry = None if settings.force else load_entry(settings.out, item.doc_id)
        if reusable(entry, item, settings):
            item.cached = True
            if entry.get("error"):
                _say(f"vanban: error: {item.path}: {entry['error']} (unchanged since the last run)")
        else:
            todo.append(item)
    return items, todo, len(found.skipped)


def _new_item(path: Path, sha: str | None, taken: dict[str, Item]) -> Item:
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
            "record": {"documents": [row], "tasks": [], "targets": [], "citations": [], "findings": []}}


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


# --------------------------------------------------------------------------- engines


def _preload(items: list[Item]) -> None:
    """Import the stages and the readers the run needs once, before the workers fork."""
    import importlib

    from vanban.extract import READERS

    for mod in ("vanban.normalize.document", "vanban.rules.engine", "vanban.outputs.writer"):
        importlib.import_module(mod)
    from vanban.rules.engine import load_rules

    load_rules()
    for suffix in {i.path.suffix.lower() for i in items}:
        if suffix in READERS:
            try:
                importlib.import_module(f"vanban.extract.{READERS[suffix]}")
            except Exception:  # noqa: BLE001 - the worker reports a broken reader per document
                pass


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the run's process dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: workers end when their pipe closes
        pass


def _worker_main(conn, settings: Settings, parent: int) -> None:
    _die_with_parent()
    if os.getppid() != parent:
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    if settings.max_memory:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = settings.max_memory << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            path, doc_id = job
            summary = store(process_one(Path(path), settings, doc_id), settings)
            conn.send(summary)
            if summary.get("error_kind") == "memory":
                return  # a MemoryError may leave the interpreter in a poor state: start afresh
    finally:
        if "vanban.extract.office_server" in sys.modules:  # the worker's LibreOffice ends with it
            sys.modules["vanban.extract.office_server"].shutdown()


class _Worker:
    def __init__(self, ctx, settings: Settings):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, settings, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.item: Item | None = None
        self.started = 0.0

    def send(self, item: Item) -> None:
        self.item = item
        self.started = time.monotonic()
        self.conn.send((str(item.path), item.doc_id))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _death_reason(exitcode: int | None, settings: Settings) -> tuple[str, str]:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return "crash", f"the worker was killed ({name}), perhaps by the system for lack of memory"
        return "crash", f"the worker crashed ({name}) while processing it"
    return "crash", f"the worker stopped (exit status {exitcode}) while processing it"


def run_pool(todo: list[Item], settings: Settings, jobs: int) -> Iterator[dict[str, Any]]:
    """Process the items on `jobs` worker processes; yields each document's summary as it ends."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")  # workers inherit the imported stages: no start-up cost
    queue = list(reversed(todo))
    workers = [_Worker(ctx, settings) for _ in range(min(jobs, len(todo)))]
    try:
        for w in workers:
            if queue:
                w.send(queue.pop())
        while any(w.item is not None for w in workers):
            busy = [w for w in workers if w.item is not None]
            now = time.monotonic()
            next_deadline = min(w.started + settings.timeout for w in busy)
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=max(0.0, next_deadline - now) + 0.01)
            for i, w in enumerate(workers):
                if w.item is None:
                    continue
                summary = None
                replace = False
                if w.conn in ready or w.proc.sentinel in ready:
                    try:
                        if w.conn.poll():
                            summary = w.conn.recv()
                    except (EOFError, OSError):
                        summary = None
                    if summary is None:  # the worker died without answering
                        w.proc.join(1)
                        kind, why = _death_reason(w.proc.exitcode, settings)
                        summary = summary_of(failure_entry(w.item, why, kind, settings))
                        w.item.record = failure_entry(w.item, why, kind, settings)
                        replace = True
                    elif summary.get("error_kind") == "memory":
                        replace = True
                elif time.monotonic() - w.started > settings.timeout:
                    w.stop(kill=True)
                    entry = failure_entry(w.item, f"timed out after {settings.timeout:g} s", "timeout", settings)
                    write_json(cache_path(settings.out, w.item.doc_id), entry, durable=False, indent=None)
                    summary = summary_of(entry)
                    replace = True
                if summary is None:
                    continue
                w.item = None
                yield summary
                if replace:
                    if w.proc.is_alive() or w.proc.exitcode is None:
                        w.stop(kill=True)
                    w = workers[i] = _Worker(ctx, settings)
                if queue:
                    w.send(queue.pop())
    finally:
        for w in workers:
            w.stop(kill=w.item is not None)


class _Alarm(BaseException):
    """The time limit of an in-process document (a BaseException: stages catch Exception)."""


def run_inline(todo: list[Item], settings: Settings) -> Iterator[dict[str, Any]]:
    """Process in this process, one after the other (`--jobs 1`): the time limit is a
    SIGALRM (it cannot stop C code), there is no memory limit."""

    def on_alarm(signum, frame):
        raise _Alarm()

    use_alarm = settings.timeout and hasattr(signal, "setitimer")
    old = signal.signal(signal.SIGALRM, on_alarm) if use_alarm else None
    try:
        for item in todo:
            try:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
                res = process_one(item.path, settings, item.doc_id)
            except _Alarm:
                entry = failure_entry(item, f"timed out after {settings.timeout:g} s", "timeout", settings)
                write_json(cache_path(settings.out, item.doc_id), entry, durable=False, indent=None)
                yield summary_of(entry)
                continue
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            yield store(res, settings)
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, old)


def _dask_task(path: str, settings: Settings, doc_id: str | None = None) -> Result:
    return process_one(Path(path), settings, doc_id)


def run_dask(todo: list[Item], settings: Settings, scheduler: str) -> Iterator[dict[str, Any]]:
    """Process on a Dask distributed cluster at `scheduler`; the results come back here to be stored.

    The workers must see the input files at the same paths (a shared file
    system). The memory limit is the cluster's own (each worker's nanny); a
    document whose worker died is an error record. The time limit counts from
    submission, and a task over it is cancelled (a running Python call cannot
    be interrupted; its worker goes on until it ends).
    """
    from dask.distributed import Client, wait

    with Client(scheduler, timeout="30s") as client:
        window = max(2, 2 * sum(client.nthreads().values()))
        queue = list(reversed(todo))
        running: dict[Any, tuple[Item, float]] = {}
        while queue or running:
            while queue and len(running) < window:
                item = queue.pop()
                fut = client.submit(_dask_task, str(item.path), settings, item.doc_id, key=f"vanban-{item.doc_id}-{time.time_ns()}", pure=False)
                running[fut] = (item, time.monotonic())
            try:
                done = wait(list(running), timeout=1.0, return_when="FIRST_COMPLETED").done
            except TimeoutError:  # nothing finished within the second: check the limits, wait again
                done = set()
            for fut in done:
                item, _ = running.pop(fut)
                try:
                    res = fut.result()
                except Exception as e:  # noqa: BLE001 - KilledWorker and friends
                    item.record = failure_entry(item, f"the cluster could not process it ({type(e).__name__}: {e})", "crash", settings)
                    yield summary_of(item.record)
                    continue
                res.path = str(item.path)
                yield store(res, settings)
            now = time.monotonic()
            for fut, (item, t0) in list(running.items()):
                if now - t0 > settings.timeout:
                    fut.cancel()
                    running.pop(fut)
                    item.record = failure_entry(item, f"timed out after {settings.timeout:g} s", "timeout", settings)
                    yield summary_of(item.record)


# --------------------------------------------------------------------------- corpus rules and tables


class _PickledDecisions:
    """The run's decisions read from the cache one at a time, each time they are iterated,
    so that the corpus rules never hold the whole run in memory."""

    def __init__(self, paths: list[tuple[Item, Path]]):
        self.paths = paths

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[Any]:
        for item, p in self.paths:
            dec = load_decision(p)  # a pickle without this user's MAC is never unpickled
            if dec is None:  # a damaged pickle only loses the cross-document checks for it
                _say(f"vanban: warning: {item.path}: could not load it for the cross-document checks")
            else:
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
    paths = [(item, cache_path(settings.out, item.doc_id, ".pickle")) for item in items if item.record is None]
    decisions = _PickledDecisions([(item, p) for item, p in paths if p.exists()])
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
    for item in items:
        entry = item.record if item.record is not None else load_entry(settings.out, item.doc_id)
        if entry is None:  # vanished under us (another run on the same OUT): say so rather than lose the row
            entry = failure_entry(item, "its result is missing from the cache; run again", "internal", settings)
        rec = entry["record"]
        doc = rec["documents"][0]
        doc["source"] = str(item.path)  # the same bytes may have been moved
        more = extra.get(item.doc_id)
        if more:
            rec["findings"] = rec["findings"] + more
            doc["findings"] = (doc.get("findings") or 0) + len(more)
        yield entry


def _update_document_json(items: list[Item], settings: Settings, extra: dict[str, list[dict[str, Any]]]) -> None:
    """Put the corpus findings into OUT/docs/<doc_id>.json (and take away those no longer found)."""
    marker = settings.out / CACHE_DIR / "corpus_findings.json"
    try:
        before = set(json.loads(read_nofollow(marker)))
    except (OSError, ValueError, TypeError):
        before = set()
    run_ids = {i.doc_id for i in items}
    for doc_id in (before & run_ids) | set(extra):
        p = settings.out / "docs" / f"{doc_id}.json"
        try:
            d = json.loads(read_nofollow(p))
        except (OSError, ValueError):
            continue
        own = [f for f in d.get("findings", []) if not f.get("corpus")]
        d["findings"] = own + [dict(f, corpus=True) for f in extra.get(doc_id, [])]
        write_json(p, d, indent=None)
    write_json(marker, sorted(extra))


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
        formats: tuple[str, ...] = ("csv",), quiet: bool = False) -> RunSummary:
    """Process the inputs into settings.out; returns what was done. Errors are printed as they happen."""
    from vanban.outputs.writer import write_tables

    t0 = time.perf_counter()
    out = settings.out
    manifest = prepare(out, force=settings.force_output)  # OutputError: the caller says it and stops
    _remove_temporaries(out)
    settings.cache_key = settings.cache_key or cache_key(settings.rules_config)
    secret_key()  # made or read once, before the workers fork
    items, todo, skipped = plan(inputs, settings)
    # what this run may write, recorded before it is written (a killed run's files stay known as vanban's)
    manifest.add(*run_outputs(formats), *(f"docs/{i.doc_id}.json" for i in items))
    manifest.save()
    summary = RunSummary(documents=len(items), skipped=skipped, reused=sum(i.cached for i in items))
    summary.duplicates = _announce(items)
    progress = Progress(len(todo), summary.reused, quiet=quiet)
    jobs = settings.jobs or os.cpu_count() or 1
    t1 = time.perf_counter()
    if engine == "dask":
        stream = run_dask(todo, settings, scheduler or "")
    elif jobs <= 1:
        _preload(todo)  # the stages' imports do not count against the first document's time limit
        stream = run_inline(todo, settings)
    else:  # even for one document: the pool is what enforces the limits (a fork costs milliseconds)
        _preload(todo)
        stream = run_pool(todo, settings, jobs)
    for s in stream:
        summary.processed += 1
        summary.profile.add(s)
        failed = s.get("error") is not None
        if failed:
            progress.message(f"vanban: error: {s['source']}: {s['error']}")
        progress.advance(failed)
    progress.close()
    summary.process_seconds = time.perf_counter() - t1
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

    summary.counts = write_tables(counted, out, formats)
    _update_document_json(items, settings, extra)
    manifest.prune_documents({i.doc_id for i in items})  # OUT/docs holds the run's documents (the cache keeps the rest)
    manifest.save()
    summary.seconds = time.perf_counter() - t0
    return summary

