"""How fast the citation extractor reads text: MB/s on one core, over the seed decision repeated.

Run: .venv/bin/python bench/bench_citations.py [--mb 20]
The target (issue 3) is at least 20 MB/s.
"""

from __future__ import annotations

import argparse
import pathlib
import time

from vanban.normalize.citations import find_citations

SEED = pathlib.Path(__file__).resolve().parent.parent / "corpus" / "samples" / "000_2460ae3cff98ef28.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=20.0, help="size of the corpus to read, in MB of UTF-8")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    args = ap.parse_args()
    seed = SEED.read_text(encoding="utf-8")
    seed_mb = len(seed.encode("utf-8")) / 1e6
    text = seed * max(1, round(args.mb / seed_mb))
    size_mb = len(text.encode("utf-8")) / 1e6
    find_citations(seed)  # load the data files once
    best = float("inf")
    n = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        n = len(find_citations(text))
        best = min(best, time.perf_counter() - t0)
    print(f"{size_mb:.1f} MB ({len(text):,} characters), {n:,} citations: "
          f"{best:.2f} s, {size_mb / best:.1f} MB/s ({len(text) / best / 1e6:.1f} M characters/s)")


if __name__ == "__main__":
    main()
