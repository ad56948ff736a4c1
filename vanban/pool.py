"""The local engines of `vanban run`: a pool of forked worker processes, or in-process (`--jobs 1`).

Each document runs under a time limit and a memory limit (the worker's address
space); a document that breaks them, or kills its worker, becomes an error
record and a fresh worker takes the next one.
"""

from __future__ import annotations

import os
import sys
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from vanban.cache import failure_entry, store, store_failure, summary_of
from vanban.pipeline import Result, process_file

if TYPE_CHECKING:
    from vanban.batch import Item, Settings


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


def process_input(source: str | Path, settings: Settings, doc_id: str, sha: str | None) -> Result:
    """One input of the local engines: a path, or a URL read into a private temporary folder first
    (`vanban.worker.process_job`: its bytes must still be those the run hashed)."""
    from vanban.storage import is_url

    if isinstance(source, str) and is_url(source):
        from vanban.worker import process_job

        return process_job((source, source, doc_id, sha), settings, None)
    return process_one(Path(source), settings, doc_id)


def _memory_result(path: Path, settings: Settings, doc_id: str | None) -> Result:
    from vanban.extract.base import doc_id_for, sha256_of

    sha = sha256_of(path)
    return Result(str(path), error=f"exceeded the memory limit of {settings.max_memory} MB",
                  doc_id=doc_id or doc_id_for(path, sha), sha256=sha, error_kind="memory")


# --------------------------------------------------------------------------- engines


def _preload(items: list[Item] | None) -> None:
    """Import the stages and the readers the run needs (all of them for None) once, before the workers fork."""
    import importlib

    from vanban.extract import READERS

    for mod in ("vanban.normalize.document", "vanban.rules.engine", "vanban.outputs.writer"):
        importlib.import_module(mod)
    from vanban.rules.engine import load_rules

    load_rules()
    suffixes = set(READERS) if items is None else {PurePosixPath(str(i.path)).suffix.lower() for i in items}
    for suffix in suffixes:
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
    settings._store = None  # a storage client is not fork-safe: this worker makes its own
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
            path, doc_id, sha = job
            summary = store(process_input(path, settings, doc_id, sha), settings)
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
        self.conn.send((item.path if isinstance(item.path, str) else str(item.path), item.doc_id, item.sha256))

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


#: `run_pool`'s `near_end` is called once the work left is estimated at this many seconds of the pool's cores
NEAR_END_S = 5.0
#: and only while the run's processes hold, with what the call adds (`NEAR_END_ADDS_MB`), at most this much:
#: the whole run's memory target (README, "Speed"). Great Expectations and pandas are about 240 MB.
RUN_MEMORY_MB = 500
NEAR_END_ADDS_MB = 250
#: near the end, while `near_end` waits for room, a free worker holding more than this (what its earlier
#: documents left: a PDF's OCR, LibreOffice's tables) is replaced by a fresh fork, or ended when nothing is left
RENEW_MB = 60


class _Tail:
    """Calls `hook` once, when the estimated work left (the queue's and the documents in flight) comes under
    `NEAR_END_S` seconds of `jobs` cores and the memory of this process and its workers leaves room for
    `NEAR_END_ADDS_MB`: the validation imports its libraries while the last documents are processed, and the
    tables are validated as soon as they are written."""

    def __init__(self, hook: Callable[[], None] | None, costs: dict[str, float], jobs: int) -> None:
        self.hook, self.costs, self.jobs = hook, costs, jobs
        self.left = sum(costs.values())

    def done(self, doc_id: str) -> None:
        self.left -= self.costs.get(doc_id, 0.0)

    def near(self) -> bool:
        return self.hook is not None and self.left / self.jobs <= NEAR_END_S * 1000

    def check(self, workers: list[_Worker]) -> None:
        if not self.near():
            return
        held = pss_mb([os.getpid(), *(w.proc.pid for w in workers if w.proc.pid and w.proc.is_alive())])
        if held is not None and held + NEAR_END_ADDS_MB <= RUN_MEMORY_MB:
            hook, self.hook = self.hook, None
            hook()

    def renew(self, w: _Worker, following: Item | None) -> bool:
        """Whether the worker `w`, free now, should make room (`RENEW_MB`): not when its next document is one
        LibreOffice converts (a fresh worker would start its own LibreOffice: seconds)."""
        if not self.near() or (following is not None and _reader(following) == "office"):
            return False
        held = pss_mb([w.proc.pid]) if w.proc.pid else None
        return held is not None and held > RENEW_MB


def _reader(item: Item) -> str | None:
    from vanban.extract import READERS

    return READERS.get(PurePosixPath(str(item.path)).suffix.lower())


def pss_mb(pids: list[int]) -> float | None:
    """The proportional set size of the processes, MB (Linux's smaps_rollup); None where it cannot be read."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            return None
    return total / 1024


def run_pool(todo: list[Item], settings: Settings, jobs: int,
             near_end: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
    """Process the items on `jobs` worker processes; yields each document's summary as it ends. `near_end` is
    called once when the run is near its end (`_Tail`)."""
    import multiprocessing
    from multiprocessing.connection import wait

    from vanban.schedule import with_costs

    ctx = multiprocessing.get_context("fork")  # workers inherit the imported stages: no start-up cost
    ordered = with_costs(todo, key=lambda item: str(item.path))
    queue = [item for item, _ in reversed(ordered)]  # popped from the end
    workers = [_Worker(ctx, settings) for _ in range(min(jobs, len(todo)))]
    tail = _Tail(near_end, {item.doc_id: cost for item, cost in ordered}, max(1, len(workers)))
    try:
        for w in workers:
            if queue:
                w.send(queue.pop())
        tail.check(workers)
        while any(w.item is not None for w in workers):
            busy = [w for w in workers if w.item is not None]
            now = time.monotonic()
            next_deadline = min(w.started + settings.timeout for w in busy)
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=max(0.0, next_deadline - now) + 0.01)
            for i, w in enumerate(workers):
                if w.item is None:
                    continue
                summary, replace = _answer(w, ready, settings)
                if summary is None:
                    continue
                tail.done(w.item.doc_id)
                w.item = None
                yield summary
                if replace:
                    if w.proc.is_alive() or w.proc.exitcode is None:
                        w.stop(kill=True)
                    w = workers[i] = _Worker(ctx, settings)
                elif tail.renew(w, queue[-1] if queue else None):
                    w.stop()
                    if not queue:
                        continue  # nothing left for it: ended, its memory freed
                    w = workers[i] = _Worker(ctx, settings)
                if queue:
                    w.send(queue.pop())
            tail.check(workers)
    finally:
        for w in workers:
            w.stop(kill=w.item is not None)


def _answer(w: _Worker, ready: list[Any], settings: Settings) -> tuple[dict[str, Any] | None, bool]:
    """A busy worker's summary, if it has ended its document (answered, died or ran out of time), and whether
    the worker must be replaced."""
    if w.conn in ready or w.proc.sentinel in ready:
        summary = None
        try:
            if w.conn.poll():
                summary = w.conn.recv()
        except (EOFError, OSError):
            summary = None
        if summary is None:  # the worker died without answering
            w.proc.join(1)
            kind, why = _death_reason(w.proc.exitcode, settings)
            w.item.record = failure_entry(w.item, why, kind, settings)
            return summary_of(w.item.record), True
        return summary, summary.get("error_kind") == "memory"
    if time.monotonic() - w.started > settings.timeout:
        w.stop(kill=True)
        return store_failure(w.item, f"timed out after {settings.timeout:g} s", "timeout", settings), True
    return None, False


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
                res = process_input(item.path, settings, item.doc_id, item.sha256)
            except _Alarm:
                yield store_failure(item, f"timed out after {settings.timeout:g} s", "timeout", settings)
                continue
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            yield store(res, settings)
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, old)
