"""The order a run hands its documents to the workers: the costliest first.

On a real mix a few documents take most of the time (a scanned page costs
Tesseract seconds, a 150-page law a few seconds, a text decision milliseconds).
Handed out in table order, one of them may be the last thing running on one
core while the other cores are idle; handed out first, the small documents fill
the cores around them and the run ends with small ones. The tables keep the
inputs' order whatever order the documents were processed in.

The cost is an estimate from what is cheap to know before processing: the
reader (by suffix), the size, and for a PDF its page count and whether its
first page has a text layer worth reading (a scan, or garbage that is OCR'd;
a text layer in TCVN3/VNI fonts is decoded, not OCR'd).
The figures below are milliseconds of one core on the 2-core development
machine, fitted on `corpus-dev`'s documents (`elapsed_ms` of a run); only their
order matters.

>>> costliest_first([("a.txt", 2_000), ("b.doc", 40_000), ("c.txt", 90_000)], key=lambda p: p[0], size=lambda p: p[1])
[('b.doc', 40000), ('c.txt', 90000), ('a.txt', 2000)]
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import TypeVar

from vanban.extract import READERS

T = TypeVar("T")

#: reader -> (ms per document, ms per KB of the file)
COST = {
    "text": (10.0, 1.5),
    "html": (20.0, 1.2),
    "docx": (50.0, 6.0),
    "office": (700.0, 4.0),  # LibreOffice's conversion, then the .docx reader
    "pdf": (30.0, 0.0),  # by pages, below
}
PDF_PAGE_MS = 40.0  # a page with a text layer
OCR_PAGE_MS = 4000.0  # a page Tesseract reads
#: at most this long is spent looking into PDFs before the run starts; the rest are estimated by size
PEEK_BUDGET_S = 0.5
PEEK_CHARS = 600  # of the first page's text layer: enough to tell text from a scan or garbage


def costliest_first(items: Iterable[T], *, key: Callable[[T], str] = str,
                    size: Callable[[T], int | None] | None = None) -> list[T]:
    """The items, the costliest first (a stable sort: equal estimates keep their order).

    `key` gives an item's path or URL; `size` its size in bytes (None: unknown; by
    default the file's size on disk, unknown for a URL)."""
    return [item for item, _ in with_costs(items, key=key, size=size)]


def with_costs(items: Iterable[T], *, key: Callable[[T], str] = str,
               size: Callable[[T], int | None] | None = None) -> list[tuple[T, float]]:
    """`costliest_first`, each item with its estimate (milliseconds of one core)."""
    items = list(items)
    deadline = time.monotonic() + PEEK_BUDGET_S
    costs = {}
    for i, item in enumerate(items):
        path = key(item)
        nbytes = size(item) if size is not None else _size(path)
        costs[i] = estimated_ms(path, nbytes, peek=time.monotonic() < deadline)
    order = sorted(range(len(items)), key=lambda i: -costs[i])
    return [(items[i], costs[i]) for i in order]


def estimated_ms(path: str, nbytes: int | None, *, peek: bool = True) -> float:
    """Milliseconds of one core `path` is expected to take (see the module docstring)."""
    reader = READERS.get(PurePosixPath(path).suffix.lower())
    if reader is None:
        return 0.0
    base, per_kb = COST[reader]
    kb = (nbytes or 0) / 1024
    if reader != "pdf":
        return base + per_kb * kb
    pages = _pdf_pages(path) if peek and nbytes is not None else None
    if pages is None:  # unknown: a text PDF of ~50 KB a page
        return base + PDF_PAGE_MS * max(1.0, kb / 50)
    count, ocr = pages
    return base + PDF_PAGE_MS * count + (OCR_PAGE_MS * count if ocr else 0.0)


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return None


def _pdf_pages(path: str) -> tuple[int, bool] | None:
    """(pages, whether the first page looks like it needs OCR), or None when the PDF does not open."""
    import pypdfium2 as pdfium

    from vanban.extract.legacy import fix_legacy_text
    from vanban.extract.pdf import MIN_LETTERS, QUALITY_THRESHOLD, text_layer_quality

    try:
        doc = pdfium.PdfDocument(path)
    except Exception:  # noqa: BLE001 - the reader says what is wrong with it
        return None
    try:
        count = len(doc)
        if not count:
            return 0, False
        page = doc[0]
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range(0, min(textpage.count_chars(), PEEK_CHARS))
        finally:
            textpage.close()
            page.close()
        if sum(map(str.isalpha, text)) < MIN_LETTERS:
            return count, True
        if text_layer_quality(text) >= QUALITY_THRESHOLD:
            return count, False
        # a TCVN3/VNI text layer is decoded, not OCR'd
        return count, text_layer_quality(fix_legacy_text(text[:PEEK_CHARS])[0]) < QUALITY_THRESHOLD
    except Exception:  # noqa: BLE001
        return None
    finally:
        doc.close()
