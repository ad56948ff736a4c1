"""OCR for PDF pages whose text layer is missing or garbage: pypdfium2 renders, Tesseract reads.

Tesseract is the Debian binary (`tesseract-ocr` with the `tesseract-ocr-vie` model),
called once per page through `subprocess` with `OMP_THREAD_LIMIT=1` (its OpenMP
threads only slow a batch that already runs one document per core) and a timeout.
Its TSV output gives every word's box, so a page comes back as lines with their
geometry in PDF points (top-left origin), the same shape the PDF reader builds
from a text layer, and the same paragraph rules apply to both.

Measured on the 1716 scan (A4, 2 pages, one core each, on a shared 2-core machine),
render + OCR per page: 150 dpi 1.4 s, 200 dpi 1.6 s, 300 dpi 1.7-1.9 s (render
0.3 s), 400 dpi 2.7 s. 300 dpi is the default: 200 dpi misread "ngày 08" as
"ngày 06", 400 dpi lost a digit elsewhere, and 300 dpi is Tesseract's own
recommendation for print.

>>> page = pdfium.PdfDocument("corpus/samples/1716 QĐ thành lập HĐTĐ.pdf")[0]  # doctest: +SKIP
>>> [line.text for line in ocr_page(page).lines][8]  # doctest: +SKIP
'Căn cứ Luật Tổ chức chính quyên địa phương ngày 16 tháng 6 năm 2025;'
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from vanban.extract.base import ReadError

DEFAULT_DPI = 300
DEFAULT_TIMEOUT = 120.0  # seconds per page
LANG = "vie"
DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-vie"


@dataclass(slots=True)
class OcrLine:
    """One line Tesseract read: its text and box in PDF points, top-left origin."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class OcrPage:
    """What OCR gave for one page: lines, time taken, and why it failed if it did."""

    index: int  # 0-based page index
    lines: list[OcrLine] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@functools.lru_cache(maxsize=4)
def check_tesseract(lang: str = LANG) -> str:
    """The path of the `tesseract` binary, after checking it has the `lang` model.

    Raises `ReadError` naming the Debian packages to install when it does not.
    """
    binary = shutil.which("tesseract")
    if binary is None:
        raise ReadError(
            "this PDF needs OCR but the tesseract program is not installed "
            f"(Debian: apt-get install {DEBIAN_PACKAGES})"
        )
    try:
        out = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReadError(f"this PDF needs OCR but tesseract does not run: {exc}") from exc
    langs = {ln.strip() for ln in (out.stdout + out.stderr).splitlines()}
    if lang not in langs:
        raise ReadError(
            f"this PDF needs OCR but tesseract has no {lang!r} model "
            f"(Debian: apt-get install tesseract-ocr-{lang})"
        )
    return binary


def image_bytes(image) -> bytes:
    """A grayscale PIL image as Tesseract reads it fastest: uncompressed PGM (a header and the pixels).

    Tesseract reads the same pixels from PGM as from PNG (the same words, boxes and
    confidences on every scanned page of corpus-dev), and Pillow's PNG compression
    of an A4 page at 300 dpi took 0.3-1 s, a third as long as Tesseract's read of it.
    """
    buf = io.BytesIO()
    image.save(buf, format="PPM")  # a mode "L" image is written as PGM (P5)
    return buf.getvalue()


def render_image(page: pdfium.PdfPage, dpi: int = DEFAULT_DPI) -> bytes:
    """The page as a grayscale image at `dpi`, in the bytes `image_bytes` gives."""
    return image_bytes(page.render(scale=dpi / 72, grayscale=True).to_pil())


def lines_from_tsv(tsv: str, scale: float) -> list[OcrLine]:
    """Tesseract's TSV (one row per word) grouped into lines, in points.

    `scale` is pixels per point (dpi / 72). Words keep Tesseract's reading order;
    a line is the words sharing (block, paragraph, line) numbers.

    >>> tsv = ("level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n"
    ...        "5\\t1\\t1\\t1\\t1\\t1\\t100\\t50\\t40\\t20\\t95\\tĐiều\\n"
    ...        "5\\t1\\t1\\t1\\t1\\t2\\t150\\t50\\t10\\t20\\t96\\t1.\\n")
    >>> lines_from_tsv(tsv, 2.0)
    [OcrLine(text='Điều 1.', x0=50.0, top=25.0, x1=80.0, bottom=35.0)]
    """
    lines: dict[tuple[str, str, str], list[tuple[str, float, float, float, float]]] = {}
    reader = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if not header:
        return []
    col = {name: i for i, name in enumerate(header)}
    for rec in reader:
        if len(rec) < len(header) or rec[col["level"]] != "5":
            continue
        word = rec[col["text"]].strip()
        if not word:
            continue
        left, top = float(rec[col["left"]]), float(rec[col["top"]])
        width, height = float(rec[col["width"]]), float(rec[col["height"]])
        key = (rec[col["block_num"]], rec[col["par_num"]], rec[col["line_num"]])
        lines.setdefault(key, []).append((word, left, top, left + width, top + height))
    out = []
    for words in lines.values():
        out.append(
            OcrLine(
                text=" ".join(w[0] for w in words),
                x0=min(w[1] for w in words) / scale,
                top=min(w[2] for w in words) / scale,
                x1=max(w[3] for w in words) / scale,
                bottom=max(w[4] for w in words) / scale,
            )
        )
    return out


def ocr_page(
    page: pdfium.PdfPage,
    index: int = 0,
    *,
    dpi: int = DEFAULT_DPI,
    timeout: float = DEFAULT_TIMEOUT,
    lang: str = LANG,
) -> OcrPage:
    """OCR one page. A failure (timeout, crash) is returned in `error`, not raised,
    so one bad page does not lose the others; a missing Tesseract raises `ReadError`."""
    binary = check_tesseract(lang)
    started = time.perf_counter()
    image = render_image(page, dpi)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        proc = subprocess.run(
            [binary, "stdin", "stdout", "-l", lang, "--psm", "3", "tsv"],
            input=image,
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return OcrPage(index, seconds=time.perf_counter() - started, error=f"OCR timed out after {timeout:g} s")
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return OcrPage(index, seconds=seconds, error=f"tesseract failed: {message[-1] if message else proc.returncode}")
    lines = lines_from_tsv(proc.stdout.decode("utf-8", "replace"), dpi / 72)
    return OcrPage(index, lines=lines, seconds=seconds)
