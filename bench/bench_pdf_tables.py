"""How fast ruled-table PDF pages are read: PDFium's page objects (vanban) against pdfplumber's extract_tables().

Run: .venv/bin/python bench/bench_pdf_tables.py [--repeat 3] [FILE.pdf ...]
The pages are those of the files (default: the seed rendered to PDF by LibreOffice,
39 pages with its task table, and the appendix sample of corpus/samples) that look
ruled. vanban's time per page is what its reader spends on a ruled page beyond its
text (the text page is open already): the drawn-segment budget, the grid and the
cells (`pdf_tables.find_tables` and `pdf.table_fragments`); pdfplumber's is
`page.extract_tables()` on the same page (its parse included: that is its cost).
The ratio is of CPU time (both run on one core in this process; on a busy machine the
wall time of each moves with the other work), the wall-time ratio printed with it.
Both give the same rows (tests/test_pdf_tables.py); the target (issue 21) is at least 10 times.
"""

from __future__ import annotations

import argparse
import io
import pathlib
import shutil
import sys
import tempfile
import time

import pdfplumber

from vanban.extract import pdf, pdf_tables

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "samples" / "Phụ lục I Công tác Chỉ đạo điều hành CCHC.pdf"


def _default_files(tmp: pathlib.Path) -> list[pathlib.Path]:
    files = [SAMPLE]
    if shutil.which("soffice"):
        sys.path.insert(0, str(ROOT / "tests"))
        from renderings import seed_docx, seed_pdf

        files.insert(0, seed_pdf(seed_docx(tmp / "seed.docx"), tmp, tmp / "profile"))
    return files


def _vanban(page, textpage, index: int) -> int:
    tables, _ = pdf_tables.find_tables(page, textpage, page.get_mediabox()[3])
    return sum(len(f.rows) for f in pdf.table_fragments(tables or [], index + 1))


def measure(files: list[pathlib.Path] | None = None, repeat: int = 3) -> dict:
    """vanban's ms/page against pdfplumber's on the ruled pages: what `bench/run_all.py` prints."""
    with tempfile.TemporaryDirectory() as tmp:
        files = files or _default_files(pathlib.Path(tmp))
        docs = [pdf.open_pdf(pdf.pdf_bytes(f)[1]) for f in files]
        pages = [(d, f, i) for d, f in zip(docs, files) for i in range(len(d)) if pdf.looks_ruled(d[i])]
        best_v = best_p = (float("inf"), float("inf"))  # (wall, CPU) seconds, each the best of the runs
        rows_v = rows_p = 0
        for _ in range(repeat):
            spent, rows_v = _time_vanban(pages)
            best_v = (min(best_v[0], spent[0]), min(best_v[1], spent[1]))
            spent, rows_p = _time_pdfplumber(files, pages)
            best_p = (min(best_p[0], spent[0]), min(best_p[1], spent[1]))
        for d in docs:
            d.close()
    n = len(pages)
    wall = best_p[0] / best_v[0]
    return {"what": f"ruled PDF pages ({n} pages of {len(files)} files, {rows_v} rows; pdfplumber {rows_p}); CPU time "
                    f"(steadier on a busy machine; wall time {1000 * best_v[0] / n:.1f} against "
                    f"{1000 * best_p[0] / n:.1f} ms/page, {wall:.1f}x)",
            "value": f"{1000 * best_v[1] / n:.1f} ms/page", "baseline": f"pdfplumber extract_tables() {1000 * best_p[1] / n:.1f} ms/page",
            "ratio": best_p[1] / best_v[1], "wall_ratio": wall, "need": 10.0}


def _time_vanban(pages) -> tuple[tuple[float, float], int]:
    wall = cpu = 0.0
    rows = 0
    for doc, _, i in pages:
        page = doc[i]
        textpage = page.get_textpage()  # the reader has it open for the text already
        t0, c0 = time.perf_counter(), time.process_time()
        rows += _vanban(page, textpage, i)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        textpage.close()
        page.close()
    return (wall, cpu), rows


def _time_pdfplumber(files, pages) -> tuple[tuple[float, float], int]:
    t0, c0 = time.perf_counter(), time.process_time()
    rows = 0
    for f in files:
        with pdfplumber.open(io.BytesIO(pdf.pdf_bytes(f)[1])) as plumber:
            for _doc, g, i in pages:
                if g == f:
                    p = plumber.pages[i]
                    rows += sum(len(t) for t in p.extract_tables() if len(t) >= 2)
                    p.close()
    return (time.perf_counter() - t0, time.process_time() - c0), rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*", type=pathlib.Path)
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    args = ap.parse_args()
    r = measure(args.files, args.repeat)
    print(f"{r['what']}: vanban {r['value']}, {r['baseline']}: {r['ratio']:.1f}x")


if __name__ == "__main__":
    main()
