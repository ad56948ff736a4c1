"""The presentation of a PDF, where the file records it: page sizes and the fonts of its text.

`read_layout(doc)` gives a `Layout` whose `pages` are runs of consecutive pages of one size
(in mm, as pdfium gives a page's size: its crop box turned by its rotation), and whose `fonts` count the characters
of the text objects in each font on the first `FONT_PAGES` pages, by the font's base name
without its subset tag ("ABCDEF+TimesNewRomanPSMT" -> "TimesNewRomanPSMT"). A scanned page
has no text objects: its fonts are unknown, not absent. Margins, styles and page numbers are
not read from a PDF (the text's extent is not the margin).
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from vanban.model import Layout, PageSetup

MM_PER_POINT = 25.4 / 72
#: fonts are counted on this many first pages (the rules read the first page's header and the body)
FONT_PAGES = 10


def _font_name(font) -> str | None:
    n = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    if n <= 1:
        return None
    buf = ctypes.create_string_buffer(n)
    pdfium_c.FPDFFont_GetBaseFontName(font, buf, n)
    name = buf.value.decode("latin-1", "replace")
    if len(name) > 7 and name[6] == "+" and name[:6].isupper():
        name = name[7:]  # the subset tag
    return name or None


def _page_fonts(page: pdfium.PdfPage, fonts: dict[str, int]) -> None:
    textpage = page.get_textpage()
    try:
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_TEXT,), max_depth=4):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            name = _font_name(font) if font else None
            if not name:
                continue
            size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            chars = max(0, (size - 2) // 2)  # UTF-16 bytes with a terminator
            if chars:
                fonts[name] = fonts.get(name, 0) + chars
    finally:
        textpage.close()


def read_layout(doc: pdfium.PdfDocument) -> Layout:
    """Page sizes and fonts of an open PDF. A page's size is read without loading the page
    (pdfium's size by index: the crop box, turned by the page's rotation); only the first
    `FONT_PAGES` pages are loaded, for their fonts."""
    pages: list[PageSetup] = []
    fonts: dict[str, int] = {}
    for i in range(len(doc)):
        width, height = doc.get_page_size(i)
        width, height = round(width * MM_PER_POINT, 1), round(height * MM_PER_POINT, 1)
        last = pages[-1] if pages else None
        if last is not None and (last.width_mm, last.height_mm) == (width, height):
            last.last_page = i + 1
        else:
            pages.append(PageSetup(width_mm=width, height_mm=height, first_page=i + 1, last_page=i + 1))
    for i in range(min(len(doc), FONT_PAGES)):
        page = doc[i]
        try:
            _page_fonts(page, fonts)
        finally:
            page.close()
    return Layout(pages=pages, fonts=fonts, page_count=len(doc))
