"""Issue 21's three speed ratios in one run, each against its baseline, with the machine's load.

Run: .venv/bin/python bench/run_all.py [--quick]

- citation extraction on dense legal text with a few decomposed lines: MB/s on one
  core against the target of 20 MB/s (bench_citations.py);
- ruled-table PDF pages: vanban (PDFium's objects) against pdfplumber's
  extract_tables() on the same pages, target 10x (bench_pdf_tables.py);
- .doc conversion: the worker's running LibreOffice against a cold soffice per
  file, target 5x (bench_office.py).
Each runs in a fresh process of its own: run after the citation benchmark, whose
5 MB texts and citations fill the heap, the PDF pages took 30-60% longer (pdfplumber's and
vanban's alike, vanban's more). Wall-clock figures move with the other work on the machine:
the load average before and after is printed with them; measure on an idle machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pathlib
import sys
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import bench_citations  # noqa: E402
import bench_office  # noqa: E402
import bench_pdf_tables  # noqa: E402


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _alone(measure, **kwargs) -> dict:
    """`measure(**kwargs)` in a fresh Python process (spawned, not forked: nothing of this one's heap)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(measure, **kwargs).result()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer rounds (less steady)")
    args = ap.parse_args()
    n = 1 if args.quick else 3
    before = _load()
    results = [
        _alone(bench_citations.measure, mb=2.0 if args.quick else 5.0, repeat=n),
        _alone(bench_pdf_tables.measure, repeat=n),
        _alone(bench_office.measure, rounds=2 if args.quick else 5),
    ]
    short = 0
    for r in results:
        ok = r["ratio"] >= r["need"]
        short += not ok
        target = "of the target" if r["need"] == 1.0 else f"target {r['need']:g}x"
        print(f"{r['what']}\n    {r['value']} against {r['baseline']}: {r['ratio']:.2f}x ({target}) "
              f"{'ok' if ok else 'SHORT'}")
    print(f"load average before {before}; after {_load()} ({os.cpu_count()} cores)")
    return 1 if short else 0


if __name__ == "__main__":
    raise SystemExit(main())
