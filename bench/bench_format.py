"""How long a clerk waits for `vanban check --format-only FILE` on a Word draft: a cold process
each time (interpreter start, imports, reading, the thể thức rules), wall and CPU time.

Run: .venv/bin/python bench/bench_format.py [FILE ...] [--runs 5]
The target (issue 17) is under a second for a Word file. Wall time moves with the other work
on the machine; the CPU time (user + system of the child) is the steady figure, and the
pressure line says how busy the cores were.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT = [ROOT / "tests" / "data" / "format" / "QD phe duyet Dieu le Hiep hoi Nuoc nam Phan Thiet 2024 - 2029.docx",
           ROOT / "corpus" / "samples" / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx"]


def one(path: pathlib.Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one cold `vanban check --format-only`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "vanban.cli", "check", "--format-only", str(path)],
                         capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"{path}: {res.stderr.strip()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pressure() -> str:
    try:
        return open("/proc/pressure/cpu", encoding="ascii").readline().strip()
    except OSError:
        return f"load average {os.getloadavg()[0]:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=pathlib.Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"CPU pressure before: {pressure()}")
    for f in args.files:
        runs = [one(f) for _ in range(args.runs)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{f.name}: wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}), "
              f"CPU median {statistics.median(cpus):.2f} s (min {min(cpus):.2f}) over {args.runs} cold runs")
    print(f"CPU pressure after: {pressure()}")


if __name__ == "__main__":
    main()
