"""Benchmark of `vanban run --engine dask`: the client's CPU per document (not a test).

    .venv/bin/python bench/bench_cluster.py                        # 300 and 900 seed-size decisions, local folders
    .venv/bin/python bench/bench_cluster.py --counts 300 --s3      # inputs and OUT in a local S3 (moto's server)

Starts a real `dask scheduler` and two `dask worker` processes (one thread
each, started in another folder), runs the client `vanban run IN -o OUT
--engine dask` in a subprocess, and prints its wall time and the CPU time of
the client process (user + system, from getrusage of the waited child: the
scheduler and the workers are not waited then, so they do not count), per
document, and for two sizes the CPU each document adds (the difference of the
two runs over the difference of their sizes: the client's start, imports and
connection are paid once per run). `--no-validate` by default: the validation
is the same work whatever the engine (`--validate` includes it).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
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
    proc = subprocess.run([sys.executable, *prof, "-m", "vanban.cli", *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-3000:])
    return wall, cpu, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", default="300,900", help="sizes of the runs, comma-separated")
    ap.add_argument("--s3", action="store_true", help="inputs and OUT in a local S3 service (moto's server mode)")
    ap.add_argument("--validate", action="store_true", help="include the validation of the tables")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="where the client's time goes (cProfile, the top 25)")
    a = ap.parse_args()
    counts = [int(c) for c in a.counts.split(",")]
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="vanban-bench-cluster-") as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        try:
            if a.s3:
                s3env, s3 = start_s3(work)
                procs.append(s3)
                env.update(s3env)
            address, cluster = start_cluster(work, env)
            procs.extend(cluster)
            seen = []
            for n in counts:
                for i in range(a.runs):
                    cpu = measure(work, n, i, address, env, a)
                    seen.append((n, cpu))
            if len({n for n, _ in seen}) > 1:
                (n1, c1), (n2, c2) = min(seen), max(seen)
                print(f"each document adds {1000 * (c2 - c1) / (n2 - n1):.1f} ms of the client's CPU ({n1} -> {n2} documents)")
        finally:
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()


def measure(work: Path, n: int, i: int, address: str, env: dict, a: argparse.Namespace) -> float:
    """One client run over n documents; its CPU seconds."""
    box = work / f"in{n}"
    if not box.exists():
        build_text_corpus(box, n)
        if a.s3:
            upload(box, f"s3://bench/in{n}", env)
    inp, out = (f"s3://bench/in{n}", f"s3://bench/out{n}-{i}") if a.s3 else (str(box), str(work / f"out{n}-{i}"))
    extra = [] if a.validate else ["--no-validate"]
    prof = work / "client.prof" if a.profile else None
    wall, cpu, status = client_run([inp, "-o", out, "--engine", "dask", "--scheduler", address, "-q", "--force", *extra],
                                   env, prof)
    print(f"{n} documents on 2 workers ({'S3' if a.s3 else 'local folders'}): {wall:.1f} s wall, "
          f"client CPU {cpu:.2f} s = {1000 * cpu / n:.1f} ms per document (exit {status})", flush=True)
    if not a.s3 and not prof:  # the report alone: the same code whatever the engine
        _, rcpu, _ = client_run_cmd(["review", out, "--report"], env)
        print(f"    of which the report (written again by `vanban review OUT --report`): {rcpu:.2f} s", flush=True)
    if prof:
        import pstats

        stats = pstats.Stats(str(prof))
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(r"vanban/(batch|cli|cluster|cache|pool)\.py|outputs/(writer|report)\.py", 25)
    return cpu


if __name__ == "__main__":
    main()
