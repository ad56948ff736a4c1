"""How fast .doc files convert: one LibreOffice kept running (UNO) against a cold `soffice` per file.

Run: .venv/bin/python bench/bench_office.py [--rounds 5] [FILE.doc ...]
Converts each file `--rounds` times both ways (default: the legacy .doc files of
tests/data/legacy) and prints seconds per file and the ratio. The target (issue 21)
is at least 5 times the cold start per file. The running LibreOffice's own start is
printed apart: a worker pays it once.
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
import time

from vanban.extract import office, office_server

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT = sorted((ROOT / "tests" / "data" / "legacy").glob("*.doc"))


def _per_file(convert, files: list[pathlib.Path], rounds: int) -> float:
    n = 0
    started = time.perf_counter()
    for _ in range(rounds):
        for src in files:
            with tempfile.TemporaryDirectory() as tmp:
                convert(src, pathlib.Path(tmp))
            n += 1
    return (time.perf_counter() - started) / n


def measure(files: list[pathlib.Path] | None = None, rounds: int = 5) -> dict:
    """The running LibreOffice's s/file against a cold soffice's: what `bench/run_all.py` prints."""
    files = files or DEFAULT
    soffice = office.soffice_path()
    python = office_server.uno_python(soffice) if soffice else None
    if python is None:
        raise SystemExit("bench_office: needs LibreOffice and a Python with its uno module (python3-uno)")
    cold = _per_file(lambda src, tmp: office.convert_to_docx(src, tmp, timeout=120), files, rounds)
    server = office_server.OfficeServer(python, [soffice])
    try:
        t0 = time.perf_counter()
        server.start()
        start = time.perf_counter() - t0
        warm = _per_file(lambda src, tmp: server.convert(src, tmp, 120), files, rounds)
    finally:
        server.stop()
    return {"what": f".doc conversion ({len(files)} files x {rounds}; the running LibreOffice's start, {start:.1f} s, "
                    "paid once per worker)",
            "value": f"{warm:.3f} s/file", "baseline": f"cold soffice {cold:.3f} s/file", "ratio": cold / warm, "need": 5.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*", type=pathlib.Path)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    r = measure(args.files, args.rounds)
    print(f"{r['what']}: running LibreOffice {r['value']}, {r['baseline']}: {r['ratio']:.1f}x")


if __name__ == "__main__":
    main()
