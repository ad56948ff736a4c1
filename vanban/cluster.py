"""The Dask engine of `vanban run --engine dask --scheduler ADDRESS`.

The client connects (failing fast when the scheduler cannot be reached or has
no workers), checks that every worker runs the same vanban with the same code
and data, sends them the registry of documents in force it checks against (a
worker's machine may have another, or none), and submits the documents in a window sized from the cluster's
current threads, refilled as they complete (`as_completed`), so that workers
that join are used at once. Each task names its inputs (absolute paths or
URLs) and their planned SHA-256: a few small documents share a task (Dask
costs the client about a millisecond of CPU per task, as much as the rest of
its work for a small document), up to about a second of estimated work and
never so many that the run's end leaves threads idle; each document keeps its
own limits and its own summary.

On the worker, a task hands its document to a child process of that worker
thread (`vanban.worker`), as the local pool does: the memory limit is the
child's address space, the time limit counts from the start of the work and
kills the child, a document that crashes its child is an error record, and the
child writes the document's results (its JSON, its cache entry and pickle) to
OUT itself. The task returns a small summary; the client later reads from OUT
only what the tables need, in batches.

Failures of the cluster itself are one line and an exit status of their own
(`ClusterError.status`, README "Running on a Dask cluster"). A worker that is
lost mid-run has its documents rescheduled by Dask; a scheduler lost mid-run
ends the processing: the tables of what finished are written, and the same
command run again finishes from the cache.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vanban.pipeline import PIPELINE_VERSION, code_fingerprint

if TYPE_CHECKING:
    from vanban.batch import Item, Settings

#: exit statuses of `vanban run --engine dask` (besides 0, 1, 2)
EXIT_UNREACHABLE = 3  # the scheduler cannot be reached
EXIT_NO_WORKERS = 4  # the scheduler has no workers (at the start, or for NO_WORKERS_GRACE mid-run)
EXIT_LOST = 5  # the scheduler was lost mid-run: the tables of what finished are written; run again
EXIT_MISMATCH = 6  # a worker runs another vanban (version, code or data) than the client

CONNECT_TIMEOUT = 3.0  # seconds to reach the scheduler
FIRST_WORKER_WAIT = 3.0  # seconds for a first worker to be there
NO_WORKERS_GRACE = 60.0  # seconds without any worker mid-run before giving up
LOST_GRACE = 10.0  # seconds the client may stay disconnected before the scheduler counts as lost
CHILD_START_TIMEOUT = 120.0  # seconds a worker's child may take to import the stages
PAGES_CHUNK_MIN = 25  # documents' report pages per task, at least
TASK_DOCS_MAX = 8  # documents per task, at most
TASK_MS = 1000.0  # estimated milliseconds of work a task is filled up to (`vanban.schedule.estimated_ms`)
TASKS_PER_THREAD = 4  # a task takes at most the documents left over this many tasks per thread
PAGES_TIMEOUT, PAGES_TIMEOUT_PER_DOC = 60.0, 0.5  # seconds the report's pages may take on the workers


class ClusterError(Exception):
    """The cluster cannot be used: a one-line message and the exit status for it."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@lru_cache(maxsize=1)
def identity() -> tuple[str, str]:
    """What must be equal on the client and every worker: vanban's version and its code-and-data fingerprint."""
    return PIPELINE_VERSION, code_fingerprint()


def _describe(ident: Any) -> str:
    if isinstance(ident, (tuple, list)) and len(ident) == 2:
        return f"vanban {ident[0]} (code and data {ident[1]})"
    return f"something else ({ident!r:.80})"


def _quiet() -> None:
    """Dask's own log lines (reconnection attempts, tracebacks of a lost connection) are not for the operator:
    vanban says what happened in one line."""
    families = ("distributed", "tornado", "asyncio")
    # every logger of theirs: Dask's configuration gives some their own level (tornado.application: error,
    # whose "Exception in callback ... CommClosedError" traceback a lost scheduler otherwise prints)
    names = {n for n in logging.root.manager.loggerDict if n.split(".")[0] in families}
    for name in sorted(names | set(families) | {"tornado.application", "tornado.general", "distributed.client"}):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _reason(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}"[:200] if text else type(e).__name__


class Cluster:
    """A connection to a Dask scheduler whose workers run this vanban."""

    def __init__(self, client: Any, address: str):
        self.client = client
        self.address = address
        self.lost: tuple[str, int] | None = None  # (message, exit status) once the cluster is lost

    @classmethod
    def connect(cls, address: str) -> Cluster:
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("--engine dask needs dask.distributed (pip install 'vanban[dask]')", 2) from None
        _quiet()  # after the import: it sets the levels of its loggers
        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT:g}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT:g} s ({_reason(e)}); "
                "is `dask scheduler` running there, and is --scheduler its address?", EXIT_UNREACHABLE) from None
        cluster = cls(client, address)
        try:
            try:
                client.wait_for_workers(1, timeout=FIRST_WORKER_WAIT)
            except (TimeoutError, OSError):
                raise ClusterError(
                    f"the Dask scheduler at {address} has no workers (none joined within {FIRST_WORKER_WAIT:g} s); "
                    f"start some with `dask worker {address}`", EXIT_NO_WORKERS) from None
            cluster.check_versions()
        except ClusterError:
            cluster.close()
            raise
        except Exception as e:  # noqa: BLE001 - the scheduler went away while we asked it
            cluster.close()
            raise ClusterError(f"lost the Dask scheduler at {address} ({_reason(e)})", EXIT_LOST) from None
        return cluster

    def check_versions(self) -> None:
        """Refuse a cluster where a worker runs another vanban than this client (`ClusterError`)."""
        mine = identity()
        theirs = self.client.run(identity, on_error="return")
        for addr, ident in sorted(theirs.items()):
            if isinstance(ident, BaseException):
                raise ClusterError(f"worker {addr} cannot run vanban ({_reason(ident)}); install this vanban, "
                                   f"{_describe(mine)}, on every worker machine", EXIT_MISMATCH)
            if tuple(ident) != mine:
                raise ClusterError(_mismatch(addr, ident, mine), EXIT_MISMATCH)

    def close(self) -> None:
        try:
            self.client.close(timeout=2)
        except Exception:  # noqa: BLE001 - a client whose scheduler is gone: nothing left to close
            pass

    def threads(self) -> dict[str, int] | None:
        """The workers and their threads now, or None when the scheduler does not answer."""
        if self.client.status != "running":
            return None
        try:
            return dict(self.client.nthreads())
        except Exception:  # noqa: BLE001 - the connection is going
            return None

    def process(self, todo: list[Item], settings: Settings) -> Iterator[dict[str, Any]]:
        """Run the documents on the cluster; yields each one's summary as it ends (see the module's notes)."""
        return _Submission(self, todo, settings).run()

    def report_pages(self, settings: Settings) -> Callable[[str | os.PathLike[str], list[str]], set[str]] | None:
        """For `write_report(pages=...)`: the documents' pages of the report written by the workers into a
        local OUT they see (the client writes the index, and any page they did not write); None when the
        cluster cannot do it (lost, or OUT is remote: the tables are then in this machine's staging folder)."""
        if self.lost or settings.out_url or self.client.status != "running":
            return None
        return lambda out, doc_ids: self._pages(os.path.abspath(out), doc_ids, settings)

    def _pages(self, out: str, doc_ids: list[str], settings: Settings) -> set[str]:
        threads = self.threads() or {}
        size = max(PAGES_CHUNK_MIN, -(-len(doc_ids) // max(1, 2 * sum(threads.values()))))
        futures = [self.client.submit(pages, out, doc_ids[i : i + size], settings.run_token, identity(), pure=False,
                                      key=f"vanban-pages-{i}-{settings.run_token}", retries=1)
                   for i in range(0, len(doc_ids), size)]
        deadline = time.monotonic() + PAGES_TIMEOUT + PAGES_TIMEOUT_PER_DOC * len(doc_ids)
        done: set[str] = set()
        for fut in futures:  # they run at once: one deadline for all
            try:
                done.update(fut.result(timeout=max(0.1, deadline - time.monotonic())))
            except Exception:  # noqa: BLE001 - timed out, failed, or the scheduler went: this machine writes the rest
                fut.cancel()
        return done


def _mismatch(addr: str, ident: Any, mine: tuple[str, str]) -> str:
    return (f"worker {addr} runs {_describe(ident)}, this client {_describe(mine)}; every machine of the run "
            "must run the same vanban with the same data (install the same release on the workers)")


class _Submission:
    """One run's documents on the cluster: the window, the health checks, the results."""

    def __init__(self, cluster: Cluster, todo: list[Item], settings: Settings):
        self.cluster, self.client, self.settings = cluster, cluster.client, settings
        self.blob = pickle.dumps(settings, protocol=5)  # once: Dask would go through the dataclass for every task
        self.registry = self.send_registry()
        self.pending = list(reversed(todo))
        self.running: dict[str, list[Item]] = {}  # a task's key -> its documents
        self.workers: dict[str, int] = {}
        self.window = 2
        self.idle_since: float | None = None
        self.gone_since: float | None = None

    def send_registry(self) -> tuple[str, Any]:
        """The registry this client checks against, for the workers: (its fingerprint, a Dask future of its
        bytes, sent to every worker once), or ("", None) for the shipped rows only. A worker's machine has a
        registry of its own, or none: checked against it, the same document would get other findings."""
        from vanban.registry import snapshot

        snap = snapshot()
        if snap is None:
            return "", None
        try:
            return snap[0], self.client.scatter(snap[1], broadcast=True, hash=False)
        except Exception as e:  # noqa: BLE001 - the scheduler went away while we sent it
            raise ClusterError(f"lost the Dask scheduler at {self.cluster.address} ({_reason(e)})", EXIT_LOST) from None

    def run(self) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        ac = as_completed(loop=self.client.loop, with_results=True, raise_errors=False)
        self.health()
        last = time.monotonic()
        try:
            while not self.cluster.lost and (self.pending or self.running):
                try:
                    batch = self.step(ac)
                except Exception:
                    if self.client.status == "running":
                        raise
                    batch = []  # the connection is going: `health` says when it is gone
                for fut, res in batch:
                    items = self.running.pop(fut.key, None)
                    if items is not None:
                        yield from self.settle(fut, res, items)
                if time.monotonic() - last >= 1.0:
                    last = time.monotonic()
                    self.health()
        finally:
            if self.cluster.lost:
                self.abandon()

    def step(self, ac: Any) -> list[tuple[Any, Any]]:
        """Fill the window, then the tasks finished (waiting up to half a second for one)."""
        while self.pending and len(self.running) < self.window:
            ac.add(self.submit(next_task(self.pending, max(1, self.window // 2))))
        batch = ac.next_batch(block=False)
        if not batch:
            with ac.thread_condition:
                ac.thread_condition.wait(0.5)
        return batch

    def submit(self, items: list[Item]) -> Any:
        from vanban.storage import is_url

        jobs = [(str(i.path), str(i.path) if isinstance(i.path, str) and is_url(i.path) else os.path.abspath(i.path),
                 i.doc_id, i.sha256) for i in items]
        fut = self.client.submit(work, jobs, self.blob, identity(), *self.registry,
                                 key=f"vanban-{items[0].doc_id}-{self.settings.run_token}", pure=False, retries=1)
        self.running[fut.key] = items
        return fut

    def settle(self, fut: Any, res: Any, items: list[Item]) -> Iterator[dict[str, Any]]:
        """The summaries of a finished task's documents (storing here what the worker could not store)."""
        from vanban.cache import failure_entry, summary_of

        if fut.status != "finished":
            if fut.status == "cancelled" or self.client.status != "running":
                self.running[fut.key] = items  # not done: the scheduler is going
                return
            exc = next((r for r in (res if isinstance(res, tuple) else (res,)) if isinstance(r, BaseException)), res)
            for item in items:
                item.record = failure_entry(item, f"the cluster could not process it ({_reason(exc)})", "crash", self.settings)
                yield summary_of(item.record)
            return
        if isinstance(res, dict) and "mismatch" in res:
            self.cluster.lost = (_mismatch(res["worker"], res["mismatch"], identity()), EXIT_MISMATCH)
            self.running[fut.key] = items
            return
        for item, reply in zip(items, res):
            yield self.settle_one(reply, item)

    def settle_one(self, res: dict[str, Any], item: Item) -> dict[str, Any]:
        """The summary of one document of a task."""
        from vanban.cache import failure_entry, store, store_failure, summary_of

        if res.get("note"):
            _note(res["note"])
        if "result" in res:  # the worker does not see OUT: its result is stored from here
            return store(res["result"], self.settings)
        if res.get("unstored") == "timeout":
            return store_failure(item, res["error"], "timeout", self.settings)
        if res.get("error_kind") in ("crash", "missing"):
            item.record = failure_entry(item, res["error"], res["error_kind"], self.settings)
            return summary_of(item.record)
        return res

    def health(self) -> None:
        """Follow the cluster: its threads (the window), workers leaving, the scheduler lost."""
        now = time.monotonic()
        threads = self.cluster.threads()
        if threads is None:
            self.gone_since = self.gone_since or now
            if self.client.status in ("closed", "closing", "failed") or now - self.gone_since > LOST_GRACE:
                self.cluster.lost = (f"lost the Dask scheduler at {self.cluster.address} mid-run", EXIT_LOST)
            return
        self.gone_since = None
        for addr in sorted(set(self.workers) - set(threads)):
            _note(f"vanban: warning: worker {addr} left the cluster; Dask gives its documents to the other workers")
        self.workers = threads
        total = sum(threads.values())
        self.window = max(2, 2 * total)
        if total:
            self.idle_since = None
        else:
            self.idle_since = self.idle_since or now
            if now - self.idle_since > NO_WORKERS_GRACE:
                self.cluster.lost = (f"the Dask cluster at {self.cluster.address} has had no workers for "
                                     f"{NO_WORKERS_GRACE:g} s", EXIT_NO_WORKERS)

    def abandon(self) -> None:
        """The documents not done when the cluster was lost: error records (not cached: a new run does them)."""
        from vanban.cache import failure_entry

        message, _ = self.cluster.lost
        left = [item for items in self.running.values() for item in items] + self.pending
        for item in left:
            item.record = failure_entry(item, f"not processed: {message}; run again to finish", "missing", self.settings)
        self.cluster.lost = (f"{message}: {len(left)} document(s) not processed; the tables of the others are "
                             "written; run the same command again to finish from the cache", self.cluster.lost[1])
        self.running.clear()
        self.pending.clear()


def next_task(pending: list[Item], threads: int) -> list[Item]:
    """The documents of the next task, taken from the end of `pending`: the next one, and more while the
    task's estimated work stays under TASK_MS, at most TASK_DOCS_MAX and at most the documents left over
    TASKS_PER_THREAD tasks per thread of the cluster (so that the run's last tasks are single documents)."""
    most = min(TASK_DOCS_MAX, max(1, len(pending) // (TASKS_PER_THREAD * max(1, threads))))
    items = [pending.pop()]
    ms = _estimated_ms(items[0])
    while len(items) < most and pending:
        more = _estimated_ms(pending[-1])
        if ms + more > TASK_MS:
            break
        items.append(pending.pop())
        ms += more
    return items


def _estimated_ms(item: Item) -> float:
    """The work a document is expected to take (`vanban.schedule.estimated_ms`, from its reader and size)."""
    from vanban.schedule import estimated_ms
    from vanban.storage import is_url

    path = str(item.path)
    try:
        size = None if is_url(path) else os.stat(path).st_size
    except OSError:
        size = None
    return estimated_ms(path, size, peek=False)


_notes_said: set[str] = set()


def _note(line: str) -> None:
    from vanban.pipeline import one_line

    if line not in _notes_said:
        _notes_said.add(line)
        print(one_line(line), file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- on the worker


def worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return socket.gethostname()


def work(jobs: list[tuple[str, str, str, str | None]], blob: bytes, expected: tuple[str, str],
         registry: str = "", registry_data: bytes | None = None) -> Any:
    """A few documents on a worker (a Dask task), one after the other: each one's summary, as
    `vanban.cache.store` gives it. `blob`: the run's `Settings`, pickled (after the check that this
    worker runs the client's vanban; else {"mismatch": its identity, "worker": its address}).
    `registry`, `registry_data`: the fingerprint and bytes of the client's registry ("", None: the shipped
    rows only), which the documents are checked against."""
    name = worker_name()
    mine = identity()
    if mine != tuple(expected):
        return {"mismatch": mine, "worker": name}
    settings = _settings(blob)
    settings.registry = _registry_file(registry, registry_data)
    write = _sees_out(settings)
    replies = [_children.get().run(job, settings, write, name) for job in jobs]  # each with its own limits
    if not write:
        replies[0]["note"] = (f"vanban: note: worker {name} cannot see the output folder {settings.where}; its "
                              "results come back to this machine to be stored (slower: use a shared folder or a "
                              "storage URL for -o)")
    return replies


def pages(out: str, doc_ids: list[str], token: str, expected: tuple[str, str]) -> list[str]:
    """The report's pages of these documents written into OUT by a worker (a Dask task), when it sees
    the client's OUT (the run's token there) and runs its vanban; the doc_ids done (none otherwise)."""
    from pathlib import Path

    from vanban.outputs.outdir import run_token
    from vanban.outputs.report import write_pages
    from vanban.storage import LocalStore

    if identity() != tuple(expected) or run_token(LocalStore(Path(out))) != token:
        return []
    return write_pages(Path(out), doc_ids)


def _registry_file(fingerprint: str, data: bytes | None) -> str:
    """The client's registry as a file on this worker's machine, written once ("": the shipped rows only)."""
    if not fingerprint or data is None:
        return ""
    import tempfile
    from pathlib import Path

    from vanban.registry import materialize

    folder = Path(tempfile.gettempdir()) / f"vanban-{os.getuid()}"  # this user's: no one else can plant a file
    folder.mkdir(mode=0o700, exist_ok=True)
    st = folder.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise RuntimeError(f"{folder} is not this user's private folder: the client's registry is not written there")
    return str(materialize(fingerprint, data, folder))


_runs: dict[bytes, Settings] = {}


def _settings(blob: bytes) -> Settings:
    """The run's settings (one object for all its documents on this worker: its storage client is made once)."""
    settings = _runs.get(blob)
    if settings is None:
        _runs.clear()  # the previous run's
        settings = _runs[blob] = pickle.loads(blob)
    return settings


_seen_out: dict[tuple[str, str], bool] = {}


def _sees_out(settings: Settings) -> bool:
    """Whether this worker sees the client's OUT (it reads the run's token from OUT's manifest there)."""
    from vanban.outputs.outdir import run_token

    key = (settings.where, settings.run_token)
    if key not in _seen_out:
        _seen_out[key] = run_token(settings.store) == settings.run_token
    return _seen_out[key]


class _Children(threading.local):
    """Each worker thread's child process (made on its first document, again after a crash or time-out)."""

    child: _Child | None = None

    def get(self) -> _Child:
        if self.child is None or self.child.proc.poll() is not None:
            self.child = _Child()
        return self.child


class _Child:
    """`python -m vanban.worker`: processes the documents this thread is given, one at a time."""

    def __init__(self) -> None:
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        env = dict(os.environ, VANBAN_PARENT_PID=str(os.getpid()))
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "vanban.worker", str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self.conn = Connection(ours.detach())
        if not self.conn.poll(CHILD_START_TIMEOUT):
            self.kill()
            raise RuntimeError(f"vanban's worker process did not start within {CHILD_START_TIMEOUT:g} s")
        self.conn.recv()  # "ready": the stages are imported; the first document's time starts after

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.conn.close()

    def run(self, job: tuple, settings: Settings, write: bool, worker: str) -> dict[str, Any]:
        from vanban.batch import Item
        from vanban.pool import _death_reason
        from vanban.cache import failure_entry, store_failure, summary_of

        source, _, doc_id, sha = job
        item = Item(source, doc_id, sha)
        self.conn.send((job, settings, write, worker))
        if self.conn.poll(settings.timeout):  # the time counts from the start of the work, here
            try:
                reply = self.conn.recv()
                if reply.get("error_kind") == "memory":
                    self.kill()  # a MemoryError may leave the interpreter in a poor state: start afresh
                return reply
            except (EOFError, OSError):
                code = self.proc.wait()
                self.conn.close()
                kind, why = _death_reason(code, settings)
                return summary_of(failure_entry(item, f"{why} (on worker {worker})", kind, settings))
        self.kill()
        why = f"timed out after {settings.timeout:g} s"
        if write:
            return store_failure(item, why, "timeout", settings)
        return dict(summary_of(failure_entry(item, why, "timeout", settings)), unstored="timeout")


_children = _Children()
