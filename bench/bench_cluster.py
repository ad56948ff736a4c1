"""Benchmark of `vanban run --engine dask`: the client's CPU per document (not a test).

    .venv/bin/python bench/bench_cluster.py                        # 300 and 900 seed-size decisions, local folders
    .venv/bin/python bench/bench_cluster.py --counts 300 --s3      # inputs and OUT in a local S3 (moto's server)
    .venv/bin/python bench/bench_cluster.py --baseline d8e4908     # and the same on that commit's Dask engine

Starts a real `dask scheduler` and two `dask worker` processes (one thread
each, started in another folder), runs the client `vanban run IN -o OUT
--engine dask` in a subprocess, and prints its wall time and the CPU time of
the client process (user + system, from getrusage of the waited child: the
scheduler and the workers are not waited then, so they do not count), per
document, and for two sizes the CPU each document adds (the difference of the
two runs over the difference of their sizes: the client's start, imports and
connection are paid once per run). `--no-validate` by default: the validation
is the same work whatever the engine (`--validate` includes it). The inputs are
copies of the seed decision (each with its own last line), so every run above
50 documents has a report of an index and a page per document (the workers
write the pages).

`--baseline REF` measures the same on the vanban of a git commit (its client
and its workers run that commit's code, from `git archive`, on a cluster of
their own; local folders only) and prints the ratio of the two: d8e4908 is the
Dask engine before inputs in object storage and workers that store their
results (every result came back to the client, which stored it).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import build_text_corpus  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds:g} s")


def start_cluster(work: Path, env: dict) -> tuple[str, list[subprocess.Popen]]:
    bindir = Path(sys.executable).parent
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    elsewhere = work / "workers"
    elsewhere.mkdir()
    log = open(work / "cluster.log", "wb")  # noqa: SIM115 - lives as long as the cluster
    procs = [subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=log, stderr=log, env=env, cwd=elsewhere)]
    wait_port(port)
    for _ in range(2):
        procs.append(subprocess.Popen([str(bindir / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                                       "--memory-limit", "0"], stdout=log, stderr=log, env=env, cwd=elsewhere))
    from distributed import Client

    with Client(address, timeout="60s") as c:
        c.wait_for_workers(2, timeout=120)
    return address, procs


def start_s3(work: Path) -> tuple[dict, subprocess.Popen]:
    port = free_port()
    log = open(work / "s3.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    wait_port(port)
    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    return env, proc


def upload(folder: Path, url: str, env: dict) -> None:
    import fsspec

    os.environ.update(env)
    fs, root = fsspec.core.url_to_fs(url)
    if not fs.exists(root.split("/")[0]):
        fs.mkdir(root.split("/")[0])
    fs.put(str(folder) + "/", root, recursive=True)


def client_run(args: list[str], env: dict, profile: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, the client's CPU seconds and its exit status (with `profile`, under cProfile, written there)."""
    return client_run_cmd(["run", *args], env, profile)


def client_run_cmd(args: list[str], env: dict, profile: Path | None = None) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    prof = ["-m", "cProfile", "-o", str(profile)] if profile else []
    # not from the checkout: `python -m` puts the current folder first on the path, and --baseline needs its own vanban
    proc = subprocess.run([sys.executable, *prof, "-m", "vanban.cli", *args], env=env, capture_output=True, text=True,
                          cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-3000:])
    return wall, cpu, proc.returncode


def code_tree(ref: str, dest: Path) -> Path:
    """The vanban of git commit REF as one package folder to put on PYTHONPATH (its package-dir layout
    assembled: `extract/` as `vanban/extract/`, ...); the folder to put there."""
    root = Path(__file__).resolve().parent.parent
    src = dest / "src"
    src.mkdir(parents=True)
    tar = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", ref], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(src, filter="data")
    dirs = tomllib.loads((src / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    pkg = dest / "path" / "vanban"
    shutil.copytree(src / dirs["vanban"], pkg)
    for name, folder in dirs.items():
        if name != "vanban":
            shutil.copytree(src / folder, pkg / name.split(".", 1)[1])
    return dest / "path"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", default="300,900", help="sizes of the runs, comma-separated")
    ap.add_argument("--s3", action="store_true", help="inputs and OUT in a local S3 service (moto's server mode)")
    ap.add_argument("--validate", action="store_true", help="include the validation of the tables")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="where the client's time goes (cProfile, the top 25)")
    ap.add_argument("--baseline", metavar="REF", help="measure the Dask engine of this git commit too, and the ratio")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vanban-bench-cluster-") as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        procs: list[subprocess.Popen] = []
        try:
            if a.s3:
                s3env, s3 = start_s3(work)
                procs.append(s3)
                env.update(s3env)
            ours = engine(work, "this vanban", env, a, a.s3)
            if a.baseline:
                old = dict(os.environ, PYTHONPATH=str(code_tree(a.baseline, work / "baseline")))
                theirs = engine(work, f"vanban at {a.baseline}", old, a, False)
                if ours and theirs:
                    print(f"the client's CPU per added document: {1000 * ours:.1f} ms here, {1000 * theirs:.1f} ms at "
                          f"{a.baseline}: {ours / theirs:.2f} of it")
        finally:
            stop(procs)


def engine(work: Path, label: str, env: dict, a: argparse.Namespace, s3: bool) -> float | None:
    """The runs of one vanban on a cluster of its own; the client's CPU seconds each document adds."""
    print(f"-- {label}", flush=True)
    folder = work / label.replace(" ", "-")
    folder.mkdir()
    procs: list[subprocess.Popen] = []
    try:
        address, procs = start_cluster(folder, env)
        seen = [(n, measure(work, folder, n, i, address, env, a, s3)) for n in counts(a) for i in range(a.runs)]
    finally:
        stop(procs)
    if len({n for n, _ in seen}) < 2:
        return None
    (n1, c1), (n2, c2) = min(seen), max(seen)
    added = (c2 - c1) / (n2 - n1)
    print(f"each document adds {1000 * added:.1f} ms of the client's CPU ({n1} -> {n2} documents)", flush=True)
    return added


def counts(a: argparse.Namespace) -> list[int]:
    return [int(c) for c in a.counts.split(",")]


def stop(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):
        p.terminate()
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(work: Path, folder: Path, n: int, i: int, address: str, env: dict, a: argparse.Namespace, s3: bool) -> float:
    """One client run over n documents (the inputs shared by the engines, OUT in `folder`); its CPU seconds."""
    box = work / f"in{n}"
    if not box.exists():
        build_text_corpus(box, n)
    if s3 and not (work / f"in{n}.uploaded").exists():
        upload(box, f"s3://bench/in{n}", env)
        (work / f"in{n}.uploaded").touch()
    inp, out = (f"s3://bench/in{n}", f"s3://bench/out{n}-{i}") if s3 else (str(box), str(folder / f"out{n}-{i}"))
    extra = [] if a.validate else ["--no-validate"]
    prof = work / "client.prof" if a.profile else None
    wall, cpu, status = client_run([inp, "-o", out, "--engine", "dask", "--scheduler", address, "-q", "--force", *extra],
                                   env, prof)
    print(f"{n} documents on 2 workers ({'S3' if s3 else 'local folders'}): {wall:.1f} s wall, "
          f"client CPU {cpu:.2f} s = {1000 * cpu / n:.1f} ms per document (exit {status})", flush=True)
    if not s3 and not prof:  # for comparison: the whole report on this machine (the run had the workers write its pages)
        _, rcpu, _ = client_run_cmd(["review", out, "--report"], env)
        print(f"    the report written again on this machine alone (`vanban review OUT --report`): {rcpu:.2f} s", flush=True)
    if prof:
        import pstats

        stats = pstats.Stats(str(prof))
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(r"vanban/(batch|cli|cluster|cache|pool)\.py|outputs/(writer|report)\.py", 25)
    return cpu


if __name__ == "__main__":
    main()
