"""The HTML reader: a page saved from vbpl.vn (the national legal database) to a SourceDocument.

Only the document is read: the page's title heading (the catalogue title,
"Nghị định số 07/2025/NĐ-CP Sửa đổi, ...") as the first paragraph with the style
"vbpl title", then the body container's paragraphs and tables in order. Scripts,
styles, navigation, forms, the site header and footer are dropped; the
catalogue status and dates ("Còn hiệu lực", "Ngày có hiệu lực: 09/01/2025") go to
the notes, not the text, since "Ngày cập nhật" is the website's date, not the
document's.

- `<p>`, headings and list items are paragraphs; `<br>` is a newline inside a
  paragraph (a space inside a table cell); a block that is all `<b>`/`<strong>`
  is bold;
- `<table>` is a table block with `colspan`/`rowspan` from the cells' attributes;
  the positions a rowspan covers in later rows get a `merged_above` cell, as the
  .docx reader does; rows of `<thead>` or of `<th>` cells are `is_header`;
- text is NFC (some pages are NFD) with odd spaces made plain; `raw` keeps the
  form as written when that changed it;
- look-alike letters (Cyrillic "С", "Р" in "NĐ-СР") stay in the text as written
  (folding happens when matching); the notes say where they are.

The page is parsed with lxml.html from the bytes on disk: no network access, no
external entities, no scripts.

>>> doc = read(Path("tests/data/html/doc_000030.html"))  # doctest: +SKIP
>>> doc.blocks[0].text.startswith("Nghị định số 07/2025/NĐ-СР")  # doctest: +SKIP
True
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from vanban.extract.base import ReadError, build_source, clean_text, sha256_of
from vanban.model import Block, Cell, Row, SourceDocument
from vanban.normalize.fold import fold_homoglyphs

#: Body containers, most specific first: the vbpl.vn React page, then older vbpl layouts.
BODY_XPATHS = (
    '//div[contains(concat(" ", normalize-space(@class), " "), " preview-content ")]',
    '//*[@id="toanvancontent"]',
    '//*[contains(@class, "toanvancontent")]',
    '//*[@id="divContentDoc"]',
    '//*[contains(@class, "fulltext")]',
    "//article",
    "//main",
)
TITLE_XPATH = '//h1[contains(@class, "lawDocumentHeader_title")]'
HEADER_XPATH = '//div[contains(@class, "lawDocumentHeader_statusAndDateContainer")]'

_DROP = ("script", "style", "noscript", "nav", "header", "footer", "form", "button", "svg",
         "iframe", "object", "embed", "template", "select", "input", "textarea", "link", "meta")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote", "caption"}
_CONTAINER_TAGS = {"div", "section", "article", "main", "ul", "ol", "dl", "center", "font", "span", "body",
                   "tbody", "thead", "tfoot", "form", "figure"}
_BOLD_TAGS = {"b", "strong"}
_BR = "\x00"  # stands for <br> until source whitespace is collapsed
_LOOKALIKE = re.compile(r"\S*[\u0370-\u03ff\u0400-\u04ff\u00d0\u00f0]\S*")


def _parse(data: bytes) -> etree._Element:
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  encoding=_encoding_of(data))
    try:
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise ReadError(f"not an HTML page ({e})") from None
    return root


def _encoding_of(data: bytes) -> str | None:
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return None  # let lxml read the page's <meta charset>


def find_body(root: etree._Element) -> etree._Element:
    """The element holding the document text: a known vbpl.vn container, else the
    element with the most paragraph text directly inside it."""
    for xp in BODY_XPATHS:
        found = root.xpath(xp)
        if found:
            return max(found, key=lambda e: len(e.text_content()))
    best, best_len = None, 0
    for el in root.iter("div", "td", "section", "body"):
        n = sum(len(p.text_content()) for p in el.findall("p"))
        if n > best_len:
            best, best_len = el, n
    if best is None:
        body = root.find("body")
        if body is None:
            raise ReadError("the HTML page has no body")
        return body
    return best


def _inline_text(el: etree._Element, in_cell: bool) -> tuple[str, bool]:
    """(text, all bold) of an element's inline content; <br> is a newline (a space in a cell)."""
    parts: list[str] = []
    bold_chars = 0
    total_chars = 0

    def walk(node: etree._Element, bold: bool) -> None:
        nonlocal bold_chars, total_chars
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP:
            return  # its tail is added by the caller
        b = bold or tag in _BOLD_TAGS
        if tag in _BLOCK_TAGS or tag in ("div", "tr", "table"):
            parts.append(" ")  # paragraphs inside a cell run on, separated by a space
        if tag == "br":
            parts.append(" " if in_cell else _BR)
        elif node.text:
            add(node.text, b)
        for ch in node:
            walk_child(ch, b)

    def walk_child(ch: etree._Element, b: bool) -> None:
        walk(ch, b)
        if ch.tail:
            add(ch.tail, b)

    def add(text: str, bold: bool) -> None:
        nonlocal bold_chars, total_chars
        parts.append(text)
        n = len(text.strip())
        total_chars += n
        bold_chars += n if bold else 0

    walk(el, el.tag in _BOLD_TAGS if isinstance(el.tag, str) else False)
    text = "".join(parts)
    # HTML source line breaks and runs of spaces are not text; <br> newlines are.
    text = "\n".join(re.sub(r"[ \t\r\n\f]+", " ", line).strip() for line in text.split(_BR))
    return text.strip("\n"), total_chars > 0 and bold_chars == total_chars


def _table_rows(table: etree._Element) -> list[Row]:
    rows: list[Row] = []
    pending: dict[int, int] = {}  # grid column -> rows still covered by a rowspan from above
    pending_span: dict[int, int] = {}
    trs = [tr for tr in table.iter("tr") if _owning_table(tr) is table]
    for tr in trs:
        cells: list[Cell] = []
        col = 0
        in_head = tr.getparent() is not None and tr.getparent().tag == "thead"
        tds = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        all_th = bool(tds) and all(c.tag == "th" for c in tds)

        def fill_merged() -> None:
            nonlocal col
            while pending.get(col, 0) > 0:
                span = pending_span.get(col, 1)
                cells.append(Cell(text="", col=col, colspan=span, merged_above=True))
                pending[col] -= 1
                col += span

        for td in tds:
            fill_merged()
            colspan = _int_attr(td, "colspan")
            rowspan = _int_attr(td, "rowspan")
            text, _ = _cell_text(td)
            clean, raw = clean_text(text)
            cells.append(Cell(text=clean, col=col, colspan=colspan, rowspan=rowspan, raw=raw))
            if rowspan > 1:
                pending[col] = rowspan - 1
                pending_span[col] = colspan
            col += colspan
        fill_merged()
        rows.append(Row(cells=cells, is_header=in_head or all_th))
    return rows


def _owning_table(el: etree._Element) -> etree._Element | None:
    for a in el.iterancestors("table"):
        return a
    return None


def _cell_text(td: etree._Element) -> tuple[str, bool]:
    """A cell's text on one line: its paragraphs (and any nested table's text) joined by spaces."""
    return _inline_text(td, in_cell=True)


def _int_attr(el: etree._Element, name: str) -> int:
    try:
        return max(1, int((el.get(name) or "1").strip()))
    except ValueError:
        return 1


def _blocks(container: etree._Element, out: list[Block]) -> None:
    """Paragraph and table blocks of a container, in document order."""
    loose: list[str] = []

    def flush_loose() -> None:
        text = " ".join(t for t in loose if t.strip())
        loose.clear()
        if text.strip():
            _add_paragraph(text, False, None, out)

    if container.text and container.text.strip():
        loose.append(container.text)
    for el in container:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP or not tag:
            pass
        elif tag == "table":
            flush_loose()
            rows = _table_rows(el)
            if any(c.text for r in rows for c in r.cells):
                out.append(Block(kind="table", rows=rows))
        elif tag in _BLOCK_TAGS and not el.xpath(".//table|.//p|.//div"):
            flush_loose()
            text, bold = _inline_text(el, in_cell=False)
            _add_paragraph(text, bold, tag if tag.startswith("h") else None, out)
        elif tag in _CONTAINER_TAGS or tag in _BLOCK_TAGS:
            if tag == "span" and not el.xpath(".//table|.//p|.//div"):
                loose.append(_inline_text(el, False)[0])
            else:
                flush_loose()
                _blocks(el, out)
        else:  # inline element directly in a container: part of a loose paragraph
            loose.append(_inline_text(el, False)[0])
        if el.tail and el.tail.strip():
            loose.append(el.tail)
    flush_loose()


def _add_paragraph(text: str, bold: bool, style: str | None, out: list[Block]) -> None:
    clean, raw = clean_text(text)
    if clean.strip():
        out.append(Block(kind="paragraph", text=clean, raw=raw, bold=bold, style=style))


def read(path: Path) -> SourceDocument:
    """Read a saved vbpl.vn page (or any HTML page: its largest text container)."""
    data = Path(path).read_bytes()
    if not data.strip():
        raise ReadError("the file holds no text")
    root = _parse(data)
    notes: list[str] = []
    blocks: list[Block] = []
    title = root.xpath(TITLE_XPATH)
    if title:
        text, _ = _inline_text(title[0], in_cell=True)
        _add_paragraph(text, True, "vbpl title", blocks)
    header = root.xpath(HEADER_XPATH)
    if header:
        bits = [re.sub(r"\s+", " ", t).strip() for t in header[0].itertext()]
        notes.append("vbpl.vn catalogue: " + " ".join(b for b in bits if b))
    body = find_body(root)
    for bad in body.xpath(".//script|.//style|.//noscript|.//nav|.//form|.//button|.//svg|.//iframe"):
        bad.drop_tree()
    _blocks(body, blocks)
    if not any(b.text or b.rows for b in blocks):
        raise ReadError("the HTML page holds no document text")
    not_nfc = sum(1 for b in blocks if b.raw and not unicodedata.is_normalized("NFC", b.raw))
    if not_nfc:
        notes.append(f"{not_nfc} block(s) were not NFC (decomposed accents); normalized, raw kept")
    lookalikes = sorted({m.group(0) for b in blocks for t in [b.text, *(c.text for r in b.rows for c in r.cells)]
                         for m in _LOOKALIKE.finditer(t) if fold_homoglyphs(m.group(0))[1]})
    if lookalikes:
        kinds = sorted({k for w in lookalikes for k in fold_homoglyphs(w)[1]})
        notes.append(f"look-alike letters ({', '.join(kinds)}) kept as written in: " + ", ".join(lookalikes[:10]))
    return build_source(path, "html", blocks, sha256=sha256_of(path), encoding="utf-8", notes=notes)
