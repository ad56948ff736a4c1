"""`vanban run --engine dask` on a real cluster: a `dask scheduler` and `dask worker` processes started in
another folder, inputs and OUT in a local S3 service (moto's server mode), and the cluster's failures."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, read_csv
from test_batch import TABLES, seed_copy, summary_line, tables, vanban

BIN = Path(sys.executable).parent
BUCKET = "vanban-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 90) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {seconds:g} s")


class Processes:
    """The services a test starts, each ended (and waited for) when the test ends."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env, self.procs = folder, env, []
        self.folder.mkdir(parents=True, exist_ok=True)

    def start(self, *cmd: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.folder / f"{len(self.procs)}.log", "wb")  # noqa: SIM115 - closed with the process
        p = subprocess.Popen(cmd, stdout=log, stderr=log, cwd=self.folder, env=env or self.env, start_new_session=True)
        self.procs.append(p)
        return p

    def scheduler(self, port: int) -> tuple[str, subprocess.Popen]:
        p = self.start(str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        wait_port(port)
        return f"tcp://127.0.0.1:{port}", p

    def workers(self, address: str, n: int, env: dict | None = None, total: int | None = None) -> list[subprocess.Popen]:
        ps = [self.start(str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                         "--memory-limit", "0", env=env) for _ in range(n)]
        from distributed import Client

        with Client(address, timeout="30s", set_as_default=False) as c:
            c.wait_for_workers(total or n, timeout=120)
        return ps

    def stop(self, p: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        try:
            os.killpg(p.pid, sig)  # the nanny and its worker process
        except ProcessLookupError:
            pass
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()

    def close(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                self.stop(p)


@pytest.fixture
def services(tmp_path):
    """A local S3 service (moto's server mode) and the environment that reaches it; started in another folder."""
    port = free_port()
    extra = dict(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
                 AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", VANBAN_TEST_HOOKS="1")
    procs = Processes(tmp_path / "elsewhere", dict(os.environ, VANBAN_CACHE_KEY="tests", **extra))
    procs.extra = extra  # for `vanban()`, which adds them to this environment
    procs.start(sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port))
    wait_port(port)
    yield procs
    procs.close()


def s3(env: dict):
    import s3fs

    return s3fs.S3FileSystem(client_kwargs={"endpoint_url": env["AWS_ENDPOINT_URL"]}, key="test", secret="test",
                             skip_instance_cache=True)


def inbox(box: Path, n: int = 4, hook: str | None = None) -> Path:
    """Seed copies with Vietnamese names in nested folders, an empty file, a non-document and a hidden file."""
    for i in range(n):
        seed_copy(box / ("Năm 2021" if i % 2 else "") / f"Quyết định số {i}.txt", i, hook=hook)
    (box / "hỏng.txt").write_bytes(b"")
    (box / "ghi chú.xyz").write_text("not a document")
    (box / ".~lock.txt").write_text("a lock file")
    return box


def same_tables(out: Path, local: Path, local_prefix: str, prefix: str) -> None:
    """Every table of `out` is byte-identical to the local run's, whose sources are named by another prefix."""
    theirs = tables(out)
    for name, data in tables(local).items():
        assert theirs[name] == data.replace(local_prefix.encode(), prefix.encode()), name


def test_s3_inputs_and_output_on_a_real_cluster_equal_a_local_run(services, tmp_path):
    env = services.extra
    box = inbox(tmp_path / "in")
    fs = s3(env)
    fs.mkdir(BUCKET)
    fs.put(str(box) + "/", f"{BUCKET}/in", recursive=True)
    address, _ = services.scheduler(free_port())
    services.workers(address, 2)

    local = tmp_path / "local"
    assert vanban("run", str(box), "-o", str(local), "--no-validate").returncode == 1
    proc = vanban("run", f"s3://{BUCKET}/in/", "-o", f"s3://{BUCKET}/out", "--engine", "dask", "--scheduler", address,
                  env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr  # the empty file
    assert "Traceback" not in proc.stderr
    assert f"vanban: error: s3://{BUCKET}/in/hỏng.txt: the file is empty (0 bytes)" in proc.stderr.splitlines()
    assert any("skipped" in l and "ghi chú.xyz" in l for l in proc.stderr.splitlines())
    assert "5 new" in summary_line(proc.stderr, "unchanged")
    assert "validation: " in proc.stderr

    got = tmp_path / "got"
    fs.get(f"{BUCKET}/out/", str(got), recursive=True)
    same_tables(got, local, str(box), f"s3://{BUCKET}/in")
    ids = [r["doc_id"] for r in read_csv(got / "documents.csv") if r["status"] == "ok"]
    assert len(ids) == 4 and sorted(p.stem for p in (got / "docs").iterdir()) == sorted(ids)
    for i in ids:  # written by the workers: the entry and the pickle of each document, next to the outputs
        assert (got / ".cache" / f"{i}.json").is_file() and (got / ".cache" / f"{i}.pickle").is_file()
    assert (got / "vanban.sqlite").is_file() and (got / "report.html").is_file()
    assert (got / "validation" / "results.json").is_file()

    again = vanban("run", f"s3://{BUCKET}/in/", "-o", f"s3://{BUCKET}/out", "--engine", "dask", "--scheduler", address,
                   "--no-validate", env=env, timeout=300)
    assert "0 new, 5 unchanged" in summary_line(again.stderr, "unchanged"), again.stderr  # the empty file's error too
    fs.get(f"{BUCKET}/out/", str(tmp_path / "again"), recursive=True)
    assert tables(tmp_path / "again") == tables(got)

    limits_and_a_worker_killed(services, tmp_path, address)


def limits_and_a_worker_killed(services: Processes, tmp_path: Path, address: str) -> None:
    """A local OUT with a relative path, workers started in another folder, the limits held on the workers
    (the time counted from the start of the work, not in the queue), one worker killed mid-run; with enough
    documents that small ones share a task, each with its own limits."""
    slow = inbox(tmp_path / "slow", n=8, hook="sleep=1")
    for i in range(16):
        seed_copy(slow / "nhỏ" / f"{i}.txt", 20 + i)
    seed_copy(slow / "slow.txt", 10, hook="sleep=60")
    seed_copy(slow / "greedy.txt", 11, hook="alloc=1500")
    limits = ("--no-validate", "--timeout", "8", "--max-memory", "400")
    ref = tmp_path / "ref"
    assert vanban("run", str(slow), "-o", str(ref), "-j", "2", *limits, hooks=True).returncode == 1
    cmd = [sys.executable, "-m", "vanban.cli", "run", "slow", "-o", "slow-out", "--engine", "dask", "--scheduler", address, *limits]
    p = subprocess.Popen(cmd, cwd=tmp_path, env=services.env, stderr=subprocess.PIPE, text=True)
    from distributed import Client

    with Client(address, timeout="30s", set_as_default=False) as c:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(c.processing().values()):  # the run has started
            time.sleep(0.1)
        time.sleep(1)  # the client has seen its workers (it looks every second)
        victim = next(w for w, tasks in sorted(c.processing().items()) if tasks)  # a worker with a document
        os.kill(c.run(os.getpid, workers=[victim])[victim], signal.SIGKILL)
    err = p.communicate(timeout=300)[1]
    assert p.returncode == 1, err
    assert f"vanban: warning: worker {victim} left the cluster; Dask gives its documents to the other workers" in err
    assert "Traceback" not in err
    same_tables(tmp_path / "slow-out", ref, str(slow), "slow")
    docs = {Path(r["source"]).name: r["error"] for r in read_csv(tmp_path / "slow-out" / "documents.csv")}
    assert docs["slow.txt"] == "timed out after 8 s" and docs["greedy.txt"] == "exceeded the memory limit of 400 MB"
    again = subprocess.run(cmd, cwd=tmp_path, env=services.env, stderr=subprocess.PIPE, text=True, timeout=300)
    assert "0 new, 27 unchanged" in summary_line(again.stderr, "unchanged"), again.stderr  # the time-out cached too


def test_small_documents_share_a_task_until_the_end_of_the_run(tmp_path):
    from vanban.batch import Item
    from vanban.cluster import TASK_DOCS_MAX, next_task

    small = [Item(seed_copy(tmp_path / f"{i}.txt", i), f"d{i}", None) for i in range(80)]
    scan = Item(shutil.copy(ROOT / "corpus" / "samples" / "1716 QĐ thành lập HĐTĐ.pdf", tmp_path), "scan", None)
    pending = list(reversed(small[:40] + [scan] + small[40:]))  # popped from the end, as the run does
    tasks = []
    while pending:
        tasks.append([i.doc_id for i in next_task(pending, threads=2)])
    assert [d for t in tasks for d in t] == [i.doc_id for i in small[:40]] + ["scan"] + [i.doc_id for i in small[40:]]
    assert len(tasks[0]) == TASK_DOCS_MAX  # 81 documents left for 2 threads
    assert ["scan"] in tasks  # a large PDF has a task of its own
    assert all(len(t) == 1 for t in tasks[-8:])  # the last documents one by one: no thread waits for a long task
    assert next_task([small[0]], threads=2) == [small[0]]


def alien_vanban(folder: Path) -> Path:
    """A copy of the vanban package whose version differs: what a worker left on an old release runs."""
    shutil.copytree(ROOT / "vanban", folder / "vanban", ignore=shutil.ignore_patterns("__pycache__"))
    from vanban import __version__

    init = folder / "vanban" / "__init__.py"
    init.write_text(init.read_text().replace(f'__version__ = "{__version__}"', '__version__ = "0.0.9"'), encoding="utf-8")
    return folder


def test_cluster_failures_are_one_line_and_an_exit_status_each(services, tmp_path):
    env = services.extra
    box = inbox(tmp_path / "in", n=6, hook="sleep=1.5")
    out = tmp_path / "out"

    t0 = time.monotonic()
    proc = vanban("run", str(box), "-o", str(out), "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{free_port()}", env=env)
    assert proc.returncode == 3 and time.monotonic() - t0 < 10, proc.stderr
    assert re.fullmatch(r"vanban: error: cannot reach the Dask scheduler at tcp://127\.0\.0\.1:\d+ within 3 s \(.*\); "
                        r"is `dask scheduler` running there, and is --scheduler its address\?\n", proc.stderr), proc.stderr

    port = free_port()
    address, scheduler = services.scheduler(port)
    t0 = time.monotonic()
    proc = vanban("run", str(box), "-o", str(out), "--engine", "dask", "--scheduler", address, env=env)
    assert proc.returncode == 4 and time.monotonic() - t0 < 10, proc.stderr
    assert proc.stderr == (f"vanban: error: the Dask scheduler at {address} has no workers (none joined within 3 s); "
                           f"start some with `dask worker {address}`\n")

    workers = services.workers(address, 2)
    p = subprocess.Popen([sys.executable, "-m", "vanban.cli", "run", str(box), "-o", str(out), "--engine", "dask",
                          "--scheduler", address, "--no-validate"], env=services.env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / ".cache").glob("*.json"))) < 3:
        time.sleep(0.2)
    services.stop(scheduler, signal.SIGKILL)
    err = p.communicate(timeout=120)[1]
    assert p.returncode == 5, err
    last = err.splitlines()[-1]
    assert re.fullmatch(rf"vanban: error: lost the Dask scheduler at {address} mid-run: \d+ document\(s\) not processed; "
                        r"the tables of the others are written; run the same command again to finish from the cache", last)
    assert "Traceback" not in err and "distributed" not in err
    rows = read_csv(out / "documents.csv")
    assert len(rows) == 7 and sum(r["status"] == "ok" for r in rows) >= 1
    assert all(r["error"].startswith("not processed: lost the Dask scheduler") for r in rows
               if r["status"] == "error" and "hỏng" not in r["source"])

    for w in workers:
        services.stop(w)
    address, _ = services.scheduler(port)
    services.workers(address, 2)
    proc = vanban("run", str(box), "-o", str(out), "--engine", "dask", "--scheduler", address, "--no-validate", env=env)
    assert proc.returncode == 1, proc.stderr
    assert "unchanged since the last run" in proc.stderr and " 0 unchanged" not in proc.stderr
    local = tmp_path / "local"
    assert vanban("run", str(box), "-o", str(local), "--no-validate", "-j", "2", hooks=True).returncode == 1
    assert tables(out) == tables(local)

    alien = dict(services.env, PYTHONPATH=str(alien_vanban(tmp_path / "alien")))
    services.workers(address, 1, env=alien, total=3)  # an old release joins the two of this one
    proc = vanban("run", str(box), "-o", str(out), "--engine", "dask", "--scheduler", address, "--force", env=env)
    assert proc.returncode == 6, proc.stderr
    assert re.fullmatch(r"vanban: error: worker tcp://\S+ runs vanban 0\.0\.9 \(code and data \w+\), this client "
                        r"vanban 0\.1\.0 \(code and data \w+\); every machine of the run must run the same vanban with the "
                        r"same data \(install the same release on the workers\)\n", proc.stderr), proc.stderr


def test_a_storage_url_that_cannot_be_used_is_one_line(services, tmp_path):
    env = services.extra
    fs = s3(env)
    fs.mkdir(BUCKET)
    fs.pipe(f"{BUCKET}/notes/mine.txt", b"the user's own notes")
    seed = seed_copy(tmp_path / "a.txt", 1)
    cases = {
        f"s3://{BUCKET}-missing/out": rf"s3://{BUCKET}-missing/out: cannot write in the output folder \(.*\)",
        f"s3://{BUCKET}/notes/mine.txt": rf"s3://{BUCKET}/notes/mine.txt: not a folder \(an object of that name exists\); -o needs a folder",
        f"s3://{BUCKET}/notes": rf"s3://{BUCKET}/notes: the folder is not empty and is not a vanban output folder; .*--force-output.*",
    }
    for out, message in cases.items():
        proc = vanban("run", str(seed), "-o", out, "--no-validate", env=env)
        assert proc.returncode == 2, proc.stderr
        assert re.fullmatch(f"vanban: error: {message}\n", proc.stderr), proc.stderr
    assert fs.cat(f"{BUCKET}/notes/mine.txt") == b"the user's own notes"

    # a missing input is an error record, the others are processed; --force-output keeps the user's object
    proc = vanban("run", str(seed), f"s3://{BUCKET}/nothing-here/", "-o", f"s3://{BUCKET}/notes", "--force-output",
                  "--no-validate", env=env)
    assert proc.returncode == 1, proc.stderr
    assert f"vanban: error: s3://{BUCKET}/nothing-here/: no such file or folder" in proc.stderr.splitlines()
    assert fs.cat(f"{BUCKET}/notes/mine.txt") == b"the user's own notes"
    fs.get(f"{BUCKET}/notes/documents.csv", str(tmp_path / "d.csv"))
    assert sorted(r["status"] for r in read_csv(tmp_path / "d.csv")) == ["error", "ok"]


def test_a_worker_that_cannot_see_an_input_says_so_naming_the_worker(services, tmp_path):
    """The client hashed the files; when the worker comes to them one is gone and one has other bytes: what a
    worker sees when the machines do not share the same files. One line each, naming the worker; not cached."""
    address, _ = services.scheduler(free_port())
    services.workers(address, 1)
    box = tmp_path / "in"
    seed_copy(box / "a-slow.txt", 1, hook="sleep=8")
    gone = seed_copy(box / "b-gone.txt", 2)
    changed = seed_copy(box / "c-changed.txt", 3)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "vanban.cli", "run", str(box), "-o", str(out), "--engine", "dask", "--scheduler", address,
           "--no-validate"]
    p = subprocess.Popen(cmd, env=services.env, stderr=subprocess.PIPE, text=True)
    from distributed import Client

    with Client(address, timeout="30s", set_as_default=False) as c:
        deadline = time.monotonic() + 120
        while not any(c.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        gone.unlink()  # the slow one is on the only worker thread: the others wait for it
        seed_copy(changed, 4)
        worker = next(iter(c.nthreads()))
    err = p.communicate(timeout=180)[1]
    assert p.returncode == 1, err
    lines = err.splitlines()
    assert f"vanban: error: {gone}: worker {worker} cannot see this file (No such file or directory)" in lines, err
    assert any(re.fullmatch(rf"vanban: error: {re.escape(str(changed))}: worker {worker} sees other bytes at this path "
                            r"\(SHA-256 \w+…, not \w+…\): the machines do not share the same files", l) for l in lines), err
    rows = {Path(r["source"]).name: r for r in read_csv(out / "documents.csv")}
    assert rows["a-slow.txt"]["status"] == "ok" and rows["b-gone.txt"]["status"] == rows["c-changed.txt"]["status"] == "error"

    seed_copy(gone, 2)
    again = subprocess.run(cmd, env=services.env, stderr=subprocess.PIPE, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "2 new, 1 unchanged" in summary_line(again.stderr, "unchanged"), again.stderr  # the two were not cached


def test_the_local_pool_reads_inputs_from_s3(services, tmp_path):
    """Without a cluster: `vanban run s3://… -o s3://…` on this machine's pool, each worker its own S3 client."""
    env = services.extra
    fs = s3(env)
    fs.mkdir(BUCKET)
    box = inbox(tmp_path / "in", n=3)
    fs.put(str(box) + "/", f"{BUCKET}/in", recursive=True)
    local = tmp_path / "local"
    assert vanban("run", str(box), "-o", str(local), "--no-validate").returncode == 1
    proc = vanban("run", f"s3://{BUCKET}/in/", "-o", f"s3://{BUCKET}/out", "-j", "2", "--no-validate", env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr  # the empty file
    fs.get(f"{BUCKET}/out/", str(tmp_path / "got"), recursive=True)
    same_tables(tmp_path / "got", local, str(box), f"s3://{BUCKET}/in")


def test_the_workers_write_the_pages_of_a_large_report(services, tmp_path):
    """A run of more documents than a one-file report holds, OUT a relative local path: the report's pages
    are those of a local run; the workers write them (a worker that does not see this OUT writes none, and the
    client writes those)."""
    import dataclasses

    from vanban.batch import Settings
    from vanban.cluster import Cluster
    from vanban.outputs.outdir import run_token
    from vanban.outputs.report import PAGES_DIR, SINGLE_FILE_MAX
    from vanban.storage import LocalStore

    n = SINGLE_FILE_MAX + 2
    for i in range(n):
        seed_copy(tmp_path / "many" / f"Quyết định {i}.txt", i)
    address, _ = services.scheduler(free_port())
    services.workers(address, 2)
    ref = tmp_path / "ref"
    assert vanban("run", str(tmp_path / "many"), "-o", str(ref), "--no-validate", timeout=600).returncode == 0
    cmd = [sys.executable, "-m", "vanban.cli", "run", "many", "-o", "many-out", "--engine", "dask", "--scheduler", address,
           "--no-validate"]
    proc = subprocess.run(cmd, cwd=tmp_path, env=services.env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    out = tmp_path / "many-out"
    same_tables(out, ref, str(tmp_path / "many"), "many")

    def pages(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (folder / PAGES_DIR).iterdir()}

    written = pages(out)
    assert len(written) == n and written == {k: v.replace(str(tmp_path).encode() + b"/", b"") for k, v in pages(ref).items()}
    assert b"report/" in (out / "report.html").read_bytes()  # the index, linking to them

    shutil.rmtree(out / PAGES_DIR)
    settings = Settings(out=out)
    settings.run_token = run_token(LocalStore(out))
    ids = [r["doc_id"] for r in read_csv(out / "documents.csv")]
    cluster = Cluster.connect(address)
    try:
        assert cluster.report_pages(dataclasses.replace(settings, run_token="another run"))(out, ids) == set()
        assert not (out / PAGES_DIR).exists()  # workers that do not see this OUT write nothing there
        assert cluster.report_pages(settings)(out, ids) == set(ids)
    finally:
        cluster.close()
    assert pages(out) == written


def test_the_workers_check_against_the_clients_registry(services, tmp_path):
    """The client's registry (--registry) holds a fact the workers' machines do not know: a law cited by a real
    decision was replaced. The workers check against the client's registry, sent to them, so the cluster run
    warns as the local run does; their own environment names another registry."""
    from registry_facts import learn_the_land_law_replaced

    reg = tmp_path / "client-registry.sqlite"
    learn_the_land_law_replaced(reg)
    box = tmp_path / "in"
    box.mkdir()
    shutil.copy(ROOT / "tests/data/registry/qd_cong_bo_chi_so_cchc_2025_cites_successor.txt", box / "qd.txt")
    address, _ = services.scheduler(free_port())
    services.workers(address, 1)  # its environment: the tests' VANBAN_REGISTRY, a file that does not exist

    local = tmp_path / "local"
    shutil.copy(reg, tmp_path / "local.sqlite")  # --registry adds what a run learned: each run its own copy
    proc = vanban("run", str(box), "-o", str(local), "--no-validate", "--registry", str(tmp_path / "local.sqlite"))
    assert proc.returncode == 0, proc.stderr
    found = [json.loads(line) for line in (local / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    warned = [f for f in found if f["rule"] == "legal_basis_replaced"]
    assert len(warned) == 1 and "999/2025/QH15" in warned[0]["message"]
    shutil.copy(reg, tmp_path / "cluster.sqlite")
    out = tmp_path / "cluster"
    proc = vanban("run", str(box), "-o", str(out), "--engine", "dask", "--scheduler", address, "--no-validate",
                  "--registry", str(tmp_path / "cluster.sqlite"), env=services.extra, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert tables(out) == tables(local)
