"""How fast the citation extractor reads text: MB/s on one core.

Run: .venv/bin/python bench/bench_citations.py [--mb 5] [--repeat 3]

Two texts:
- dense: real legal sentences, the lines that cite at least one document in the
  vbpl.vn decisions of tests/data/judged (about 5 citations per KB), repeated,
  with 3 lines in every 4,000 decomposed (NFD), as text pasted from another
  editor has them. The target (issue 21) is at least 20 MB/s.
- seed: the seed decision repeated (about 1 citation per KB; issue 3's figure).
"""

from __future__ import annotations

import argparse
import lzma
import pathlib
import tempfile
import time
import unicodedata

from vanban.normalize.citations import find_citations

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "samples" / "000_2460ae3cff98ef28.txt"
HTML = sorted((ROOT / "tests" / "data" / "judged").glob("*/vbpl_html/*.html.xz"))
TARGET_MB_S = 20.0


def dense_lines() -> list[str]:
    """The lines of the vbpl.vn decisions that cite at least one document."""
    from vanban.extract import html

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for xz in HTML:
            path = pathlib.Path(tmp) / xz.name[: -len(".xz")]
            path.write_bytes(lzma.decompress(xz.read_bytes()))
            for block in html.read(path).blocks:
                lines.extend(ln for ln in block.text.splitlines() if ln.strip() and find_citations(ln))
    return lines


def dense_text(mb: float) -> str:
    lines = dense_lines()
    size = len("\n".join(lines).encode("utf-8")) / 1e6
    lines = lines * max(1, round(mb / size))
    for i in range(0, len(lines), 4000 // 3):
        lines[i] = unicodedata.normalize("NFD", lines[i])
    return "\n".join(lines)


def seed_text(mb: float) -> str:
    seed = SEED.read_text(encoding="utf-8")
    return seed * max(1, round(mb / (len(seed.encode("utf-8")) / 1e6)))


def rate(text: str, repeat: int) -> tuple[float, int, float, float]:
    """(MB/s of wall time, citations, citations per KB, MB/s of CPU time): the best of `repeat` runs.
    On a loaded machine the CPU figure is the steadier one."""
    size_mb = len(text.encode("utf-8")) / 1e6
    best, best_cpu, n = float("inf"), float("inf"), 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        n = len(find_citations(text))
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return size_mb / best, n, n / (size_mb * 1000), size_mb / best_cpu


def measure(mb: float = 5.0, repeat: int = 3) -> dict:
    """The dense text's rate against the target: what `bench/run_all.py` prints."""
    find_citations("Nghị định số 1/2020/NĐ-CP")  # load the data files once
    mb_s, n, per_kb, cpu = rate(dense_text(mb), repeat)
    return {"what": f"citation extraction, dense legal text ({per_kb:.1f} citations/KB, 3 NFD lines in 4,000), one core",
            "value": f"{mb_s:.1f} MB/s ({cpu:.1f} MB/s of CPU time)", "baseline": f"target {TARGET_MB_S:g} MB/s",
            "ratio": mb_s / TARGET_MB_S,
            "need": 1.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=5.0, help="size of each text to read, in MB of UTF-8")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    args = ap.parse_args()
    find_citations("Nghị định số 1/2020/NĐ-CP")
    for name, text in (("dense", dense_text(args.mb)), ("seed", seed_text(args.mb))):
        mb_s, n, per_kb, cpu = rate(text, args.repeat)
        print(f"{name}: {len(text.encode('utf-8')) / 1e6:.1f} MB, {n:,} citations ({per_kb:.1f}/KB): {mb_s:.1f} MB/s"
              f" ({cpu:.1f} MB/s of CPU time)"
              + (f" (target {TARGET_MB_S:g} MB/s)" if name == "dense" else ""))


if __name__ == "__main__":
    main()
