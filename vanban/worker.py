"""The child process a Dask worker thread gives its documents to (`python -m vanban.worker FD`).

It imports the stages once, says "ready", then for each job reads the input
(a local path, or a URL copied into a private temporary folder), runs the
pipeline under the run's memory limit and writes the document's results to
OUT (`vanban.cache.store`), or sends the whole result back when its worker
does not see OUT. Its parent (`vanban.cluster`) enforces the time limit by
killing it.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from vanban.pipeline import Result


def _limit_memory(mb: int | None) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = (mb << 20) if mb else resource.RLIM_INFINITY
    if hard != resource.RLIM_INFINITY:
        want = hard if want == resource.RLIM_INFINITY else min(want, hard)
    if want != soft:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def process_job(job: tuple[str, str, str, str | None], settings: Any, worker: str | None) -> Result:
    """Read one input (from its path or URL) and run the pipeline on it, under the run's `doc_id`.

    `worker` names the Dask worker in the errors of an input it cannot read (None: this machine's pool)."""
    from vanban.pool import process_one
    from vanban.storage import fetch, is_url, reason

    source, where, doc_id, sha = job
    if settings.registry is not None:  # a Dask worker's: the client's registry
        from vanban import registry

        registry.use(Path(settings.registry) if settings.registry else None)
    if is_url(where):
        with tempfile.TemporaryDirectory(prefix="vanban-in-") as tmp:
            try:
                local = fetch(where, Path(tmp), sha)
            except ValueError as e:
                return _unseen(source, doc_id, sha, str(e))
            except Exception as e:  # noqa: BLE001 - credentials, network, a missing object
                who = f"worker {worker} cannot" if worker else "cannot"
                return _unseen(source, doc_id, sha, f"{who} read it ({reason(e)})")
            res = process_one(local, settings, doc_id)
            if res.error:
                res.error = res.error.replace(str(local), source)
    else:
        try:
            os.stat(where)
        except OSError as e:
            return _unseen(source, doc_id, sha, f"worker {worker} cannot see this file ({e.strerror or e})")
        res = process_one(Path(where), settings, doc_id)
        if sha and res.sha256 and res.sha256 != sha:
            return _unseen(source, doc_id, sha, f"worker {worker} sees other bytes at this path (SHA-256 "
                           f"{res.sha256[:16]}…, not {sha[:16]}…): the machines do not share the same files")
    res.path = source
    if res.decision is not None:
        res.decision.source = source
    res.sha256 = res.sha256 or sha
    return res


def _unseen(source: str, doc_id: str, sha: str | None, why: str) -> Result:
    return Result(source, error=why, doc_id=doc_id, sha256=sha, error_kind="missing")


def main(fd: int) -> None:
    from multiprocessing.connection import Connection

    from vanban.pool import _die_with_parent, _preload
    from vanban.cache import store, summary_of

    _die_with_parent()
    parent = int(os.environ.get("VANBAN_PARENT_PID") or 0)
    if parent and os.getppid() != parent:
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker handles Ctrl-C
    conn = Connection(fd)
    _preload(None)
    conn.send("ready")
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        job, settings, write, worker = msg
        _limit_memory(settings.max_memory)
        res = process_job(job, settings, worker)
        if write and res.error_kind != "missing":
            reply = store(res, settings)
        elif write:
            reply = summary_of({"doc_id": res.doc_id, "source": res.path, "error": res.error, "error_kind": res.error_kind})
        else:
            reply = {"result": res}
        conn.send(reply)
        if res.error_kind == "memory":
            return


if __name__ == "__main__":
    main(int(sys.argv[1]))
