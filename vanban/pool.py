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
from collections.abc import Iterator
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


def run_pool(todo: list[Item], settings: Settings, jobs: int) -> Iterator[dict[str, Any]]:
    """Process the items on `jobs` worker processes; yields each document's summary as it ends."""
    import multiprocessing
    from multiprocessing.connection import wait

    from vanban.schedule import costliest_first

    ctx = multiprocessing.get_context("fork")  # workers inherit the imported stages: no start-up cost
    queue = list(reversed(costliest_first(todo, key=lambda item: str(item.path))))  # popped from the end
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
                    summary = store_failure(w.item, f"timed out after {settings.timeout:g} s", "timeout", settings)
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
