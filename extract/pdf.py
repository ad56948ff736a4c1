"""The PDF reader: text-layer PDFs and ruled tables through pypdfium2, scans through OCR.

How a page is read:

- pypdfium2 gives every page's text as lines, and for each line the boxes of its
  first and last characters (two calls a line, so thousands of pages a second);
- a page is a table candidate when its path objects look like ruling (at least two
  thin horizontal and two thin vertical strokes, or boxes): pypdfium2 lists them in
  about a millisecond a page. On candidates, `pdf_tables` builds the grid from
  PDFium's path objects and characters and runs pdfplumber's table finder on them
  (ruling-line strategy; 10-20 times faster than pdfplumber's own parse, the same
  rows). Only a page whose facts PDFium cannot give as pdfminer would (turned text)
  is opened with pdfplumber, page by page, each closed after use to keep memory
  flat. Text lines inside a table's box are left to the table;
- a page whose text layer is missing (an image and no letters) or garbage
  (`text_layer_quality` below `QUALITY_THRESHOLD`, e.g. "Cdn c* Luqt ... QUYTTDINH")
  is read by OCR (`vanban.extract.ocr`), and the document says so (`ocr=True`, a note).

How lines become blocks, and tables continued across pages: `vanban.extract.pdf_blocks`.

Not handled (yet): tables without ruling lines (they come out as text lines),
rotated pages (read without geometry: one block per line), vertically merged
cells continued across a page break (the continuation is an empty cell), text in
several columns (read in the order of the text layer).

>>> doc = read(Path("corpus/samples/779qdubDLQUY KHUYEN HOC.signed.signed.kydauden.pdf"))  # doctest: +SKIP
>>> doc.pages, doc.blocks[4].text  # doctest: +SKIP
(13, 'Số: 779 /QĐ-UBND Bình Thuận, ngày 23 tháng 3 năm 2022')
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from vanban.extract.base import ReadError, build_source
from vanban.extract.pdf_blocks import Line, PageContent, drop_furniture, page_blocks
from vanban.extract.pdf_fonts import decode_legacy_lines, legacy_runs
from vanban.extract.pdf_tables import Plumber, page_tables, place_tables, table_fragments  # noqa: F401 - table_fragments is this module's API too
from vanban.extract.signatures import signature_fields, stamps_by_page
from vanban.extract.syllables import has_vowel, is_vietnamese_syllable
from vanban.model import SourceDocument
from vanban.profile import stage

#: Below this `text_layer_quality` a page's text layer is not trusted and the page is OCR'd.
QUALITY_THRESHOLD = 0.5
#: A page with fewer letters than this in its text layer has no usable text.
MIN_LETTERS = 30
#: How much of a page's text layer `text_layer_quality` looks at: enough for a verdict.
QUALITY_SAMPLE = 3000
#: How far into the file the "%PDF" header is looked for (mail and web dumps put headers before it).
HEADER_SEARCH = 64 * 1024


# --------------------------------------------------------------------------- text-layer quality

_WORD = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=1 << 16)
def _syllable_ok(token: str) -> bool:
    if not (token.islower() or token.isupper() or token.istitle()):
        return False  # "HQi", "ViQc": case flipping inside a word is OCR garbage
    return is_vietnamese_syllable(token)


def text_layer_quality(text: str) -> float:
    """How much a text layer looks like Vietnamese: 0.0 (garbage or nothing) to 1.0.

    The share of words that are valid Vietnamese syllables, scaled down when
    fewer than 30% of them carry Vietnamese letters (ă â đ ê ô ơ ư or a tone mark;
    real prose has 60-90%, a broken font mapping or a bad OCR layer almost none).
    Numbers are ignored, and so are short capital abbreviations ("UBND", "QĐ").

    >>> text_layer_quality("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015")
    1.0
    >>> text_layer_quality("Cdn c* Luqt TO ch*c chinh quyin dia phuong ngdy 16 thdng 6 ndm 2025")
    0.0
    >>> text_layer_quality("")
    0.0
    """
    valid = invalid = marked = 0
    for token in _WORD.findall(text):
        if token.isdigit():
            continue
        if any(ch.isdigit() for ch in token):
            invalid += 1  # "D6ng", "s6": digits inside a word
            continue
        if token.isupper() and (len(token) <= 5 or not has_vowel(token)):
            if not _syllable_ok(token):
                continue  # an abbreviation: UBND, HĐND, CCHC, VPCP
        elif len(token) == 1:
            continue
        if _syllable_ok(token):
            valid += 1
            if not token.isascii():
                marked += 1
        else:
            invalid += 1
    total = valid + invalid
    if total == 0:
        return 0.0
    return round((valid / total) * min(1.0, (marked / total) / 0.3), 3)


# --------------------------------------------------------------------------- reading the file


def pdf_bytes(path: Path) -> tuple[bytes, bytes, int]:
    """The file's bytes, the PDF part of them (from "%PDF"), and how many bytes came before it.

    Raises `ReadError` when there is no "%PDF" header in the first 64 KiB.
    """
    data = path.read_bytes()
    start = data.find(b"%PDF-", 0, HEADER_SEARCH)
    if start < 0:
        raise ReadError("not a PDF: no %PDF header in the file")
    return data, data[start:], start


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    """Open PDF bytes with pypdfium2, turning its errors into plain `ReadError`s."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ReadError("encrypted: the PDF needs a password to open") from exc
        if re.search(rb"/Count\s*0(?!\d)", data) and not re.search(rb"/Type\s*/Page(?![s\w])", data):
            # PDFium refuses a document whose page tree is empty, with a stale error code.
            raise ReadError("the PDF has no pages") from exc
        if not data.rstrip().endswith(b"%%EOF") and b"%%EOF" not in data[-2048:]:
            raise ReadError(f"truncated PDF: the file ends before its end marker (%%EOF); {message}") from exc
        raise ReadError(f"corrupt PDF: {message}") from exc
    if len(doc) == 0:
        doc.close()
        raise ReadError("the PDF has no pages")
    return doc


# --------------------------------------------------------------------------- page contents

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def _line_text(segment: str) -> str:
    # PDFium marks a hyphen at a line end (where it glues the two lines) as \x02,
    # which its text range gives as U+FFFE: "2764/QĐ\ufffeTTg" is "2764/QĐ-TTg".
    segment = segment.replace("\x02", "-").replace("\ufffe", "-").replace("\t", " ")
    return _CONTROL.sub("", segment).strip()


def text_layer_lines(page: pdfium.PdfPage, stamps: list | None = None, textpage=None) -> list[Line]:
    """The page's text layer as lines, each with the box of its first and last characters.

    `stamps` are the short texts that signature widgets draw on this page
    (`vanban.extract.signatures.StampRun`): each one that stands on a line is put
    into it where it stands ("Số: /TTr-SNV" -> "Số: 108 /TTr-SNV") and removed from the list.
    `textpage` is the page's text page when the caller has it open (and closes it).
    """
    own = textpage is None
    textpage = page.get_textpage() if own else textpage
    try:
        n = textpage.count_chars()
        if n <= 0:
            return []
        text = textpage.get_text_range(0, n)
        # Offsets in the text are character indexes only when nothing was dropped.
        geometry = len(text) == n and page.get_rotation() == 0
        top_edge = page.get_mediabox()[3]
        lines: list[Line] = []
        aligned = len(text) == n
        for m in re.finditer(r"[^\r\n]+", text):
            segment = m.group()
            if not _line_text(segment):
                continue
            line = Line(text="", geometry=geometry, soft=segment.endswith(" "))
            if aligned:
                line.runs = legacy_runs(textpage, m.start(), segment)
            if geometry:
                first = m.start() + len(segment) - len(segment.lstrip())
                last = m.start() + len(segment.rstrip()) - 1
                l0, b0, _, t0 = textpage.get_charbox(first, loose=True)
                _, b1, r1, t1 = textpage.get_charbox(last, loose=True)
                line.x0, line.x1 = l0, r1
                line.top, line.bottom = top_edge - max(t0, t1), top_edge - min(b0, b1)
                line.bold = all(pdfium_c.FPDFText_GetFontWeight(textpage.raw, i) >= 600 for i in (first, last))
                if stamps:
                    from vanban.extract.signatures import splice_stamps

                    box = (line.x0, line.top, line.x1, line.bottom)
                    segment = splice_stamps(segment, m.start(), box, top_edge, textpage.get_charbox, stamps)
            line.text = _line_text(segment)
            lines.append(line)
        return lines
    finally:
        if own:
            textpage.close()


def looks_ruled(page: pdfium.PdfPage) -> bool:
    """Whether the page draws something like a table grid (cheap: path objects only).

    False positives cost one pdfplumber pass; pdfplumber decides whether there is a table.
    """
    thin_h = thin_v = boxes = 0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height < 3 and width > 10:
            thin_h += 1
        elif width < 3 and height > 10:
            thin_v += 1
        elif width > 10 and height > 10:
            boxes += 1
            if width > 100 and height > 30:
                return True  # a whole grid drawn as one path
        if (thin_h >= 2 and thin_v >= 2) or boxes >= 2:
            return True
    return False


def has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4))


# --------------------------------------------------------------------------- the reader


def _read_pages(doc: pdfium.PdfDocument, pdf_data: bytes, notes: list[str], stamps: dict | None = None) -> list[PageContent]:
    pages: list[PageContent] = []
    plumber = Plumber(pdf_data)
    try:
        for index in range(len(doc)):
            page = doc[index]
            textpage = None
            try:
                width, height = page.get_size()
                content = PageContent(index + 1, width, height)
                textpage = page.get_textpage()
                lines = text_layer_lines(page, (stamps or {}).get(index), textpage)
                content.legacy = decode_legacy_lines(lines, _line_text)
                letters = sum(map(str.isalpha, "".join(ln.text for ln in lines)))
                if letters < MIN_LETTERS and has_image(page):
                    content.needs_ocr = True  # a scan, or a page of pictures
                elif letters >= MIN_LETTERS:
                    content.text_quality = text_layer_quality("\n".join(ln.text for ln in lines)[:QUALITY_SAMPLE])
                    content.needs_ocr = content.text_quality < QUALITY_THRESHOLD
                if content.needs_ocr or not lines:
                    pages.append(content)
                    continue
                tables = []
                if lines[0].geometry and looks_ruled(page):
                    with stage("tables"):
                        tables = page_tables(page, textpage, index, plumber, notes)
                content.items = place_tables(lines, tables)
                pages.append(content)
            finally:
                if textpage is not None:
                    textpage.close()
                page.close()
    finally:
        plumber.close()
    return pages


def _ocr_pages(doc: pdfium.PdfDocument, pages: list[PageContent], max_pages: int | None, notes: list[str]) -> dict:
    """OCR the pages that need it; what a second, digits-only read of the header's number and day gave."""
    checked: dict[str, str | None] = {}
    wanted = [p for p in pages if p.needs_ocr]
    if not wanted:
        return checked
    from vanban.extract import ocr
    from vanban.extract.ocr_lexicon import correct_lines

    ocr.check_tesseract()
    garbage = [p.number for p in wanted if p.text_quality is not None]
    if garbage:
        notes.append(
            "text layer not trusted (garbage) on pages " + ", ".join(map(str, garbage))
            + f" (quality {min(p.text_quality or 0 for p in wanted):.2f} < {QUALITY_THRESHOLD})"
        )
    done = wanted if max_pages is None else wanted[:max_pages]
    if len(done) < len(wanted):
        notes.append(f"OCR limited to {len(done)} pages: pages {', '.join(str(p.number) for p in wanted[len(done):])} have no text")
    seconds = 0.0
    corrected = 0
    for content in done:
        page = doc[content.number - 1]
        try:
            result = ocr.ocr_page(page, content.number - 1)
            if not result.error and content.number <= 2 and not {"number", "day"} <= checked.keys():
                from vanban.extract.ocr_header import confirm_header_digits

                for key, value in confirm_header_digits(page, result.lines).items():
                    checked.setdefault(key, value)
        finally:
            page.close()
        seconds += result.seconds
        if result.error:
            notes.append(f"page {content.number}: {result.error}")
            continue
        content.ocr = True
        content.items = [Line(ln.text, ln.x0, ln.top, ln.x1, ln.bottom) for ln in result.lines if ln.text.strip()]
        corrected += correct_lines(content.items)
    if done:
        notes.append(
            f"OCR (tesseract {ocr.LANG}, {ocr.DEFAULT_DPI} dpi) on pages {', '.join(str(p.number) for p in done)}: "
            f"{seconds / len(done):.1f} s/page"
        )
    if corrected:
        notes.append(f"OCR text corrected against the lexicon (places, agencies, document words, symbol codes): "
                     f"{corrected} changes; the raw OCR text is kept")
    for key in ("number", "day"):
        if key in checked:
            verdict = f"read as {checked[key]!r}" if checked[key] else "unreadable"
            notes.append(f"the {key} of the scanned header, read again digits only: {verdict} ({checked.get(key + '_how')})")
    return checked


def read(path: Path, *, max_ocr_pages: int | None = None) -> SourceDocument:
    """Read a PDF as a SourceDocument (see the module docstring for what it does).

    `max_ocr_pages` caps how many pages are OCR'd (None: all); pages past the cap
    are left without text and a note says which. Raises `ReadError` for a file
    that is not a PDF, encrypted, truncated or corrupt, has no pages or no text,
    or needs OCR when Tesseract or its Vietnamese model is missing.
    """
    path = Path(path)
    data, pdf_data, skipped = pdf_bytes(path)
    notes: list[str] = []
    if skipped:
        notes.append(f"skipped {skipped} bytes before the %PDF header")
    doc = open_pdf(pdf_data)
    try:
        fields = signature_fields(doc, pdf_data, notes)
        pages = _read_pages(doc, pdf_data, notes, stamps_by_page(fields))
        checked = {}
        if any(p.needs_ocr for p in pages):
            with stage("ocr"):
                checked = _ocr_pages(doc, pages, max_ocr_pages, notes)
        layout = _layout(doc, notes)
    finally:
        doc.close()
    if not any(p.items for p in pages):
        raise ReadError(f"the PDF has no readable text on any of its {len(pages)} pages")
    notes.extend(drop_furniture(pages))
    blocks = page_blocks(pages, notes)
    legacy = sorted({p.legacy for p in pages if p.legacy})
    if legacy:
        decoded = [p.number for p in pages if p.legacy and not p.ocr]
        notes.append(f"text layer in legacy fonts decoded from {', '.join(legacy)} on {len(decoded)} of {len(pages)} pages (no OCR)")
    return build_source(
        path,
        "pdf",
        blocks,
        encoding=legacy[0] if legacy else None,
        sha256=hashlib.sha256(data).hexdigest(),
        ocr=any(p.ocr for p in pages),
        pages=len(pages),
        notes=notes,
        layout=layout,
        signatures=[f.signature for f in fields],
        ocr_checked={k: v for k, v in checked.items() if k in ("number", "day")},
    )


def _layout(doc: pdfium.PdfDocument, notes: list[str]):
    """Page sizes and fonts (`vanban.extract.pdf_layout`); a failure there loses them, not the text."""
    from vanban.extract import pdf_layout

    try:
        return pdf_layout.read_layout(doc)
    except Exception as e:  # noqa: BLE001
        notes.append(f"page sizes and fonts could not be read ({type(e).__name__}: {e})")
        return None


