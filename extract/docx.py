"""The Word reader: a `.docx` file to a SourceDocument, read from its XML.

python-docx opens the package, but the text is taken from the WordprocessingML
elements themselves, because `paragraph.text`, `cell.text` and `row.cells` drop
tracked insertions (`w:ins`) and content controls (`w:sdt`) and repeat the text
of a vertically merged cell in every row it spans. What comes out:

- body paragraphs and tables in document order (also inside block-level
  content controls); empty paragraphs are left out;
- text of `w:ins` and `w:sdt` content is kept, `w:del` text, field codes
  (`w:instrText`) and hidden text (`w:vanish`) are not; `w:tab` is a tab and a
  line break (`w:br`) a newline (a space inside a table cell);
- tables: one `Row` per `w:tr`, one `Cell` per `w:tc` at its grid column;
  `gridSpan` gives `colspan`; a `vMerge` continue cell is `merged_above=True`
  with empty text and the restart cell above it gets the `rowspan`; rows marked
  `w:tblHeader` (repeated on every page) are `is_header`. A cell's paragraphs
  are joined by a space (a cell is one line of the document's text).
- nested tables are flattened into their cell: each nested row's cells joined
  by " | ", after the cell's own paragraphs; the document notes it;
- page breaks: `w:br w:type="page"` and section breaks that start a new page
  become `page_break` blocks (adjacent ones collapse into one);
  `w:lastRenderedPageBreak` is only where Word last laid a page out and is ignored;
- `Block.style` is the paragraph style's name; `Block.bold` is true when every
  run with text is bold (directly or through its styles);
- Word auto-numbering (`w:numPr`) is written out as the visible prefix ("1. ",
  "a) ", "II. ", "- ") for decimal, letter and roman formats and bullets, the
  counters kept per list (numId); other formats are noted, not synthesised;
- footnotes and endnotes follow the body as paragraphs with the style
  "footnote N" / "endnote N" and the text prefixed "[N] "; the body keeps no
  reference marks (so "107/2020/NĐ-CP¹ ngày" stays a clean citation);
- runs in legacy fonts (".VnTime", ".VnTimeH": TCVN3; "VNI-Times": VNI) are
  decoded to Unicode when the text confirms what the font claims (fonts lie),
  upper-cased for ".VnTimeH"-style fonts; text in no legacy font that still
  reads as TCVN3 or VNI is decoded too. The legacy form stays in `raw`.

Headers, footers, comments, drawings and text boxes are not read.

The XML is parsed without DTDs, network access or entity resolution (python-docx's
own parser sets `resolve_entities=False`; the parts this module parses itself use
`SAFE_PARSER`), so a document declaring an external entity cannot make the reader
fetch anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from vanban.extract import legacy
from vanban.extract.base import build_source, clean_text, sha256_of
from vanban.extract.docx_package import (  # noqa: F401 - SAFE_PARSER, W_NS: docx_layout and tests use them from here
    M_NS,
    MC_NS,
    SAFE_PARSER,
    W_NS,
    _on,
    _related_xml,
    _wattr,
    open_package,
    w,
)
from vanban.extract.docx_styles import _fonts_of, _Numbering, _Styles
from vanban.model import Block, Cell, Row, SourceDocument


# --------------------------------------------------------------------------- runs


@dataclass(slots=True)
class _Piece:
    """Text of one run (or a break): what the file says before any decoding."""

    text: str
    font: str | None = None
    bold: bool = False
    caps: bool = False
    page_break: bool = False


@dataclass
class _Context:
    styles: _Styles
    numbering: _Numbering
    plan: dict[str, str] = field(default_factory=dict)  # legacy font encoding -> encoding to decode with
    fallback: str | None = None  # encoding for text in no legacy font
    decoded: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    nested_tables: int = 0
    footnote_numbers: dict[str, int] = field(default_factory=dict)


_SKIP = {w("del"), w("moveFrom"), w("pPr"), w("rPr"), w("sdtPr"), w("sdtEndPr"), w("customXmlPr"),
         w("proofErr"), w("bookmarkStart"), w("bookmarkEnd"), w("commentRangeStart"), w("commentRangeEnd")}


def _run_props(r: etree._Element, p_style: str | None, ctx: _Context) -> tuple[str | None, bool, bool, bool]:
    """(font, bold, caps, hidden) of a run, through its character and paragraph styles."""
    rpr = r.find(w("rPr"))
    r_style = _wattr(rpr.find(w("rStyle"))) if rpr is not None else None
    styles = [r_style, p_style or ctx.styles.default_para]
    font = _fonts_of(rpr) or ctx.styles.first(styles, "font") or ctx.styles.default_font
    bold = _on(rpr.find(w("b"))) if rpr is not None else None
    if bold is None:
        bold = ctx.styles.first(styles, "bold")
    caps = _on(rpr.find(w("caps"))) if rpr is not None else None
    if caps is None:
        caps = ctx.styles.first(styles, "caps")
    hidden = bool(_on(rpr.find(w("vanish")))) if rpr is not None else False
    return font, bool(bold), bool(caps), hidden


def _run_text(r: etree._Element, in_cell: bool) -> list[str | None]:
    """The text pieces of a run; None stands for a page break."""
    out: list[str | None] = []
    for ch in r:
        tag = ch.tag
        if tag == w("t"):
            # children of w:t can only be unresolved entity references: keep the text around them
            out.append((ch.text or "") + "".join(e.tail or "" for e in ch))
        elif tag == w("tab") or tag == w("ptab"):
            out.append(" " if in_cell else "\t")
        elif tag == w("br"):
            kind = ch.get(w("type"))
            if kind == "page":
                out.append(None)
            elif kind != "column":
                out.append(" " if in_cell else "\n")
        elif tag == w("cr"):
            out.append(" " if in_cell else "\n")
        elif tag == w("softHyphen"):
            out.append("\u00ad")  # TCVN3 "ư" when the run is in a .Vn font; else removed by clean_text
        elif tag == w("noBreakHyphen"):
            out.append("-")
        elif tag == w("sym"):
            code = ch.get(w("char")) or ""
            try:
                c = chr(int(code, 16))
            except ValueError:
                continue
            if not 0xF000 <= ord(c) <= 0xF0FF:  # symbol-font private-use glyphs have no text
                out.append(c)
    return out


def _pieces(el: etree._Element, p_style: str | None, ctx: _Context, in_cell: bool) -> list[_Piece]:
    """Every text piece under a paragraph (or a run container), in order."""
    out: list[_Piece] = []
    for ch in el:
        tag = ch.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == w("r"):
            font, bold, caps, hidden = _run_props(ch, p_style, ctx)
            if hidden:
                continue
            for t in _run_text(ch, in_cell):
                if t is None:
                    out.append(_Piece("", page_break=True))
                else:
                    out.append(_Piece(t, font, bold, caps))
        elif tag == f"{{{M_NS}}}oMath" or tag == f"{{{M_NS}}}oMathPara":
            out.append(_Piece("".join(t.text or "" for t in ch.iter(f"{{{M_NS}}}t"))))
        elif tag == f"{{{MC_NS}}}AlternateContent":
            continue  # drawings and text boxes are not read
        else:  # w:ins, w:moveTo, w:hyperlink, w:smartTag, w:sdt/w:sdtContent, w:fldSimple, w:customXml ...
            out.extend(_pieces(ch, p_style, ctx, in_cell))
    return out


def _render(pieces: list[_Piece], ctx: _Context) -> tuple[str, str, bool]:
    """(decoded text, text as written, all runs bold) of a list of pieces."""
    decoded: list[str] = []
    written: list[str] = []
    bold_all = True
    seen_text = False
    for pc in pieces:
        written.append(pc.text)
        enc_font = legacy.font_encoding(pc.font)
        enc = ctx.plan.get(enc_font) if enc_font else ctx.fallback
        text = pc.text
        if enc:
            text = legacy.decode(text, enc)
            if text != pc.text:
                ctx.decoded.add(enc)
            if enc == "tcvn3" and legacy.font_is_upper(pc.font):
                text = text.upper()
        if pc.caps:
            text = text.upper()
        decoded.append(text)
        if text.strip():
            seen_text = True
            bold_all = bold_all and pc.bold
    return "".join(decoded), "".join(written), bold_all and seen_text


def _split_breaks(pieces: list[_Piece]) -> list[list[_Piece] | None]:
    """Pieces cut at page breaks: lists of pieces with None where a break was."""
    out: list[list[_Piece] | None] = [[]]
    for pc in pieces:
        if pc.page_break:
            out.append(None)
            out.append([])
        else:
            out[-1].append(pc)  # type: ignore[union-attr]
    return out


# --------------------------------------------------------------------------- paragraphs


def _paragraph_style(p: etree._Element) -> str | None:
    ppr = p.find(w("pPr"))
    return _wattr(ppr.find(w("pStyle"))) if ppr is not None else None


def _number_prefix(p: etree._Element, p_style: str | None, ctx: _Context) -> str:
    ppr = p.find(w("pPr"))
    num = None
    np_ = ppr.find(w("numPr")) if ppr is not None else None
    if np_ is not None:
        nid = _wattr(np_.find(w("numId")))
        if nid is not None:
            num = (nid, int(_wattr(np_.find(w("ilvl"))) or 0))
    if num is None:
        num = ctx.styles.first([p_style], "num")
    return ctx.numbering.prefix(*num) if num else ""


def _section_breaks_page(p: etree._Element) -> bool:
    ppr = p.find(w("pPr"))
    sect = ppr.find(w("sectPr")) if ppr is not None else None
    if sect is None:
        return False
    return (_wattr(sect.find(w("type"))) or "nextPage") != "continuous"


def _clean(text: str, written: str) -> tuple[str, str | None]:
    cleaned, _ = clean_text(text)
    cleaned = cleaned.strip(" ")
    written = written.strip(" ")
    return cleaned, (written if cleaned != written else None)


def _paragraph_blocks(p: etree._Element, ctx: _Context, style_override: str | None = None,
                      prefix: str = "") -> list[Block]:
    p_style = _paragraph_style(p)
    pieces = _pieces(p, p_style, ctx, in_cell=False)
    has_text = any(pc.text.strip() for pc in pieces)
    number = _number_prefix(p, p_style, ctx) if has_text else ""
    style = style_override or ctx.styles.name(p_style or ctx.styles.default_para)
    blocks: list[Block] = []
    first = True
    for part in _split_breaks(pieces):
        if part is None:
            blocks.append(Block(kind="page_break"))
            continue
        text, written, bold = _render(part, ctx)
        if not text.strip():
            continue
        lead = (prefix + number) if first else ""
        first = False
        text, raw = _clean(lead + text, written)
        blocks.append(Block(kind="paragraph", text=text, raw=raw, bold=bold, style=style))
    if _section_breaks_page(p):
        blocks.append(Block(kind="page_break"))
    return blocks


def _cell_text(tc: etree._Element, ctx: _Context) -> tuple[str, str]:
    """(text, written) of a table cell: paragraphs one per line, nested tables flattened."""
    texts: list[str] = []
    written: list[str] = []
    for el in _block_children(tc):
        if el.tag == w("p"):
            p_style = _paragraph_style(el)
            pieces = [pc for pc in _pieces(el, p_style, ctx, in_cell=True) if not pc.page_break]
            if not any(pc.text.strip() for pc in pieces):
                continue
            number = _number_prefix(el, p_style, ctx)
            t, wr, _ = _render(pieces, ctx)
            texts.append(number + t.strip())
            written.append(wr.strip())
        elif el.tag == w("tbl"):
            ctx.nested_tables += 1
            for row in _table_rows(el, ctx):
                cells = [c.text for c in row.cells if c.text]
                if cells:
                    texts.append(" | ".join(cells))
                    written.append(" | ".join(c.raw or c.text for c in row.cells if c.text))
    return "\n".join(texts), "\n".join(written)


# --------------------------------------------------------------------------- tables


def _block_children(container: etree._Element):
    """The w:p and w:tbl of a body or cell, looking through content controls and custom XML."""
    for el in container:
        if el.tag in (w("p"), w("tbl")):
            yield el
        elif el.tag == w("sdt"):
            content = el.find(w("sdtContent"))
            if content is not None:
                yield from _block_children(content)
        elif el.tag in (w("customXml"), w("ins"), w("moveTo")):
            yield from _block_children(el)
        elif el.tag == w("altChunk"):
            yield el


def _children(container: etree._Element, tag: str):
    """The `tag` children of a table or row, looking through content controls and custom XML."""
    for el in container:
        if el.tag == w(tag):
            yield el
        elif el.tag == w("sdt"):
            content = el.find(w("sdtContent"))
            if content is not None:
                yield from _children(content, tag)
        elif el.tag == w("customXml"):
            yield from _children(el, tag)


def _table_rows(tbl: etree._Element, ctx: _Context) -> list[Row]:
    rows: list[Row] = []
    restarts: dict[int, Cell] = {}  # grid column -> the vMerge restart cell above
    for tr in _children(tbl, "tr"):
        trpr = tr.find(w("trPr"))
        is_header = bool(trpr is not None and _on(trpr.find(w("tblHeader"))))
        col = int(_wattr(trpr.find(w("gridBefore"))) or 0) if trpr is not None else 0
        cells: list[Cell] = []
        for tc in _children(tr, "tc"):
            tcpr = tc.find(w("tcPr"))
            span = int(_wattr(tcpr.find(w("gridSpan"))) or 1) if tcpr is not None else 1
            vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
            if vmerge is not None and (_wattr(vmerge) or "continue") == "continue":
                cell = Cell(text="", col=col, colspan=span, merged_above=True)
                above = restarts.get(col)
                if above is not None:
                    above.rowspan += 1
            else:
                text, written = _cell_text(tc, ctx)
                clean, raw = _clean(text, written)
                cell = Cell(text=clean, col=col, colspan=span, raw=raw)
                if vmerge is not None:  # restart
                    restarts[col] = cell
                else:
                    restarts.pop(col, None)
            cells.append(cell)
            col += span
        rows.append(Row(cells=cells, is_header=is_header))
    return rows


# --------------------------------------------------------------------------- document


def _notes_blocks(root: etree._Element | None, kind: str, ctx: _Context) -> list[Block]:
    """Footnotes or endnotes as paragraphs "[N] text" with the style "footnote N"."""
    if root is None:
        return []
    blocks: list[Block] = []
    for note in root.findall(w(kind)):
        if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        nid = note.get(w("id")) or "0"
        n = ctx.footnote_numbers.get(f"{kind}:{nid}", int(nid) if nid.isdigit() else 0)
        texts, written = [], []
        for p in note.iter(w("p")):
            t, wr, _ = _render([pc for pc in _pieces(p, _paragraph_style(p), ctx, True) if not pc.page_break], ctx)
            if t.strip():
                texts.append(t.strip())
                written.append(wr.strip())
        if not texts:
            continue
        text, raw = _clean(f"[{n}] " + " ".join(texts), " ".join(written))
        blocks.append(Block(kind="paragraph", text=text, raw=raw, style=f"{kind} {n}"))
    return blocks


def _plan_legacy(body: etree._Element, extra: list[etree._Element], ctx: _Context) -> None:
    """Decide which runs to decode as TCVN3 or VNI, from the fonts and from the text itself."""
    by_font: dict[str, list[str]] = {}
    fonts: dict[str, set[str]] = {}
    plain: list[str] = []
    for root in [body, *extra]:
        for r in root.iter(w("r")):
            p = next((a for a in r.iterancestors(w("p"))), None)
            font, _, _, _ = _run_props(r, _paragraph_style(p) if p is not None else None, ctx)
            text = "".join(t for t in _run_text(r, False) if t)
            enc = legacy.font_encoding(font)
            if enc:
                by_font.setdefault(enc, []).append(text)
                fonts.setdefault(enc, set()).add(font or "")
            else:
                plain.append(text)
    for enc_font, texts in by_font.items():
        text = " ".join(texts)
        gains = {enc: legacy.legacy_gain(text, enc) for enc in legacy.ENCODINGS}
        best = max(gains, key=lambda e: (gains[e], e == enc_font))
        names = ", ".join(sorted(fonts[enc_font]))
        if gains[best] > 0:
            ctx.plan[enc_font] = best
            lie = "" if best == enc_font else f" (the fonts claim {enc_font})"
            ctx.notes.append(f"runs in legacy fonts ({names}) decoded as {best}{lie}")
        else:
            ctx.notes.append(f"runs in legacy fonts ({names}) hold no {enc_font} text; kept as written")
    ctx.fallback = legacy.detect_legacy(" ".join(plain))
    if ctx.fallback:
        ctx.notes.append(f"text in non-legacy fonts reads as {ctx.fallback}; decoded")


@dataclass(slots=True)
class DocxContent:
    """What the .docx reader found, before it is laid out as a SourceDocument."""

    blocks: list[Block]
    notes: list[str]
    encoding: str | None
    layout: object | None = None  # docx_layout.DocxLayout: the presentation, placed by `docx_layout.place`


def read_content(path: Path) -> DocxContent:
    """Blocks, notes and legacy encoding of a .docx (used by the .doc/.rtf/.odt reader too)."""
    document = open_package(path)
    body = document.element.body
    ctx = _Context(styles=_Styles(_related_xml(document, "styles")),
                   numbering=_Numbering(_related_xml(document, "numbering")))
    footnotes = _related_xml(document, "footnotes")
    endnotes = _related_xml(document, "endnotes")
    _plan_legacy(body, [x for x in (footnotes, endnotes) if x is not None], ctx)
    for kind in ("footnote", "endnote"):
        seen = 0
        for ref in body.iter(w(f"{kind}Reference")):
            key = f"{kind}:{ref.get(w('id'))}"
            if key not in ctx.footnote_numbers:
                seen += 1
                ctx.footnote_numbers[key] = seen

    blocks: list[Block] = []
    alt_chunks = 0
    for el in _block_children(body):
        if el.tag == w("p"):
            blocks.extend(_paragraph_blocks(el, ctx))
        elif el.tag == w("tbl"):
            rows = _table_rows(el, ctx)
            if rows:
                if blocks and blocks[-1].kind == "page_break":
                    rows[0].after_break = True
                blocks.append(Block(kind="table", rows=rows))
        else:
            alt_chunks += 1
    # the final w:sectPr of the body ends the document: no break after it
    while blocks and blocks[-1].kind == "page_break":
        blocks.pop()
    blocks = [b for i, b in enumerate(blocks)
              if not (b.kind == "page_break" and (i == 0 or blocks[i - 1].kind == "page_break"))]
    notes_blocks = _notes_blocks(footnotes, "footnote", ctx) + _notes_blocks(endnotes, "endnote", ctx)
    blocks.extend(notes_blocks)

    notes = list(ctx.notes)
    if notes_blocks:
        notes.append(f"{len(notes_blocks)} footnote(s)/endnote(s) appended at the end as '[N] ...' paragraphs")
    if ctx.nested_tables:
        notes.append(f"{ctx.nested_tables} nested table(s) flattened into their cells (cells joined by ' | ')")
    if ctx.numbering.synthesised:
        notes.append(f"Word auto-numbering written out for {ctx.numbering.synthesised} paragraph(s)")
    if ctx.numbering.unsupported:
        notes.append("numbering formats not synthesised: " + ", ".join(sorted(ctx.numbering.unsupported)))
    if alt_chunks:
        notes.append(f"{alt_chunks} embedded chunk(s) (altChunk) not read")
    encoding = "+".join(sorted(ctx.decoded)) or None
    return DocxContent(blocks=blocks, notes=notes, encoding=encoding, layout=_layout(document, ctx, notes))


def _layout(document, ctx: _Context, notes: list[str]):
    """The presentation (sections, fonts, sizes, ...): `vanban.extract.docx_layout`. A part it
    cannot read loses the layout, never the text."""
    from vanban.extract import docx_layout

    try:
        return docx_layout.read_layout(document, ctx)
    except Exception as e:  # noqa: BLE001
        notes.append(f"the presentation (fonts, margins) could not be read ({type(e).__name__}: {e})")
        return None


def read(path: Path) -> SourceDocument:
    """Read a .docx file.

    >>> doc = read(Path("corpus/samples/Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx"))  # doctest: +SKIP
    >>> [b.kind for b in doc.blocks].count("table")  # doctest: +SKIP
    3
    """
    content = read_content(Path(path))
    src = build_source(path, "docx", content.blocks, sha256=sha256_of(path),
                       encoding=content.encoding, notes=content.notes)
    return with_layout(src, content)


def with_layout(src: SourceDocument, content: DocxContent) -> SourceDocument:
    """The SourceDocument with its Word layout placed in its text (`docx_layout.place`)."""
    if content.layout is not None:
        from vanban.extract import docx_layout

        src.layout = docx_layout.place(src, content.layout)
    return src
