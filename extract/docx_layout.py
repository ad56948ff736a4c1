"""The presentation of a Word file, from its XML: what the thể thức rules need.

`read_layout` gives a `Layout`:

- `pages`: one `PageSetup` per section (`w:sectPr`): the page size (`w:pgSz`, twips to mm),
  the margins (`w:pgMar`; a negative top or bottom margin is Word's "exactly" and counts by
  its size), the gutter, and where the section's page numbers stand: a `PAGE` field (simple
  or complex, also inside content controls and frames) in the section's header or footer
  ("header center"), whether the first page shows it (`w:titlePg` and the first-page header),
  headers and footers inherited from the section before as Word does;
- `styles`: for each paragraph with text (body paragraphs and the paragraphs of table
  cells, nested tables included, in document order), the font, size, bold, italic, colour
  and alignment of its letters, each run's properties resolved as Word does: document
  defaults, then the paragraph style and the styles it is based on, then the character
  style, then the run's own properties; theme fonts (`w:asciiTheme="minorHAnsi"`) through
  the theme part. Letters below U+0080 are in the run's `ascii` font, others in its `hAnsi`
  font. Only letters and digits count (the looks of a colon or a rule of underscores are not the
  line's). Adjacent paragraphs that look the same are one `TextStyle`;
- `fonts` and `colors`: letters per font, and per colour that is not black (a colour whose
  channels are all at most 0x40 is black to the eye), over the same paragraphs;
- `page_count`: the `<Pages>` of `docProps/app.xml` (the pages as the saving program last
  laid them out).

Table styles' run properties and hidden text are not counted. Each paragraph is placed in
the document's text (`place`) by finding its text there in order, so a `TextStyle` has the
`Loc` of the line it presents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from vanban.extract import docx as D
from vanban.extract.base import clean_text
from vanban.model import Layout, Loc, PageSetup, SourceDocument, TextStyle

w = D.w
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
TWIPS_PER_MM = 1440 / 25.4

_ALIGN = {"left": "left", "start": "left", "center": "center", "right": "right", "end": "right",
          "both": "justify", "distribute": "justify", "mediumKashida": "justify", "highKashida": "justify",
          "lowKashida": "justify", "thaiDistribute": "justify"}


def _mm(twips: str | None) -> float | None:
    if twips is None:
        return None
    try:
        return round(abs(int(float(twips))) / TWIPS_PER_MM, 1)
    except ValueError:
        return None


# --------------------------------------------------------------------------- run properties


def _theme_fonts(root: etree._Element | None) -> dict[str, str]:
    """'minor' and 'major' -> the theme's Latin typeface."""
    out: dict[str, str] = {}
    if root is None:
        return out
    for kind in ("minor", "major"):
        latin = root.find(f".//{{{A_NS}}}{kind}Font/{{{A_NS}}}latin")
        if latin is not None and latin.get("typeface"):
            out[kind] = latin.get("typeface")
    return out


_T_RFONTS, _T_SZ, _T_COLOR = w("rFonts"), w("sz"), w("color")
_T_TOGGLES = {w("b"): "bold", w("i"): "italic", w("caps"): "caps"}
_A_VAL = w("val")
_A_FONTS = ((("ascii", w("ascii"), w("asciiTheme")), ("hansi", w("hAnsi"), w("hAnsiTheme"))))


def _rpr_props(rpr: etree._Element | None, theme: dict[str, str]) -> dict[str, Any]:
    """The run properties `rpr` sets (only those it sets)."""
    out: dict[str, Any] = {}
    if rpr is None:
        return out
    for el in rpr:
        tag = el.tag
        if tag == _T_RFONTS:
            for key, attr, theme_attr in _A_FONTS:
                th = el.get(theme_attr)
                font = theme.get("major" if th.startswith("major") else "minor") if th else None
                font = font or el.get(attr)
                if font:
                    out[key] = font
        elif tag == _T_SZ:
            try:
                out["size"] = int(el.get(_A_VAL) or "") / 2
            except ValueError:
                pass
        elif tag in _T_TOGGLES:
            out[_T_TOGGLES[tag]] = el.get(_A_VAL) not in ("0", "false", "off", "none")
        elif tag == _T_COLOR:
            color = el.get(_A_VAL)
            if color:
                out["color"] = color.upper()
    return out


@dataclass(slots=True)
class _StyleDef:
    based_on: str | None
    run: dict[str, Any]
    jc: str | None
    center_tab: bool


class _Resolver:
    """Word's property inheritance: defaults, paragraph style chain, character style chain, run."""

    def __init__(self, styles: etree._Element | None, theme: etree._Element | None):
        self.theme = _theme_fonts(theme)
        self.defs: dict[str, _StyleDef] = {}
        self.defaults: dict[str, Any] = {}
        self.default_jc: str | None = None
        self.default_para: str | None = None
        self._chain_cache: dict[str | None, tuple[dict[str, Any], str | None, bool]] = {}
        if styles is None:
            # no styles part: Word's built-in defaults (Times New Roman, 10 pt)
            self.defaults = {"ascii": "Times New Roman", "hansi": "Times New Roman", "size": 10.0}
            return
        dflt = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self.defaults = {"size": 10.0, **_rpr_props(dflt, self.theme)}
        ppr = styles.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
        self.default_jc = _jc(ppr)
        for st in styles.iter(w("style")):
            sid = st.get(w("styleId"))
            if not sid:
                continue
            ppr = st.find(w("pPr"))
            self.defs[sid] = _StyleDef(D._wattr(st.find(w("basedOn"))), _rpr_props(st.find(w("rPr")), self.theme),
                                       _jc(ppr), _has_center_tab(ppr))
            if st.get(w("type")) == "paragraph" and st.get(w("default")) in ("1", "true"):
                self.default_para = sid

    def chain(self, sid: str | None) -> tuple[dict[str, Any], str | None, bool]:
        """(run properties, alignment, a center tab stop) a style gives, through its bases."""
        if sid in self._chain_cache:
            return self._chain_cache[sid]
        seq: list[_StyleDef] = []
        seen: set[str] = set()
        cur = sid
        while cur and cur in self.defs and cur not in seen:
            seen.add(cur)
            seq.append(self.defs[cur])
            cur = self.defs[cur].based_on
        run: dict[str, Any] = {}
        jc = None
        tab = False
        for d in reversed(seq):  # the base first, the style itself last
            run.update(d.run)
            jc = d.jc or jc
            tab = tab or d.center_tab
        self._chain_cache[sid] = (run, jc, tab)
        return run, jc, tab

    def paragraph(self, p: etree._Element) -> tuple[dict[str, Any], str | None, bool]:
        """(run properties of the paragraph's style over the defaults, alignment, center tab)."""
        ppr = p.find(w("pPr"))
        sid = D._wattr(ppr.find(w("pStyle"))) if ppr is not None else None
        run, jc, tab = self.chain(sid or self.default_para)
        return {**self.defaults, **run}, _jc(ppr) or jc or self.default_jc, tab or _has_center_tab(ppr)

    def run(self, r: etree._Element, base: dict[str, Any]) -> dict[str, Any]:
        rpr = r.find(w("rPr"))
        if rpr is None:
            return base
        rsid = D._wattr(rpr.find(w("rStyle")))
        out = dict(base)
        if rsid:
            out.update(self.chain(rsid)[0])
        out.update(_rpr_props(rpr, self.theme))
        return out


def _jc(ppr: etree._Element | None) -> str | None:
    if ppr is None:
        return None
    v = D._wattr(ppr.find(w("jc")))
    return _ALIGN.get(v or "", None)


def _has_center_tab(ppr: etree._Element | None) -> bool:
    if ppr is None:
        return False
    return any(t.get(w("val")) == "center" for t in ppr.iterfind(f"{w('tabs')}/{w('tab')}"))


_HEX = re.compile(r"[0-9A-F]{6}")
_ALNUM = re.compile(r"[^\W_]")


def is_black(color: str | None) -> bool:
    """'auto', '000000' and near-blacks ('1F1F1F') are black; '0000FF' is not."""
    if not color or color == "AUTO" or len(color) != 6 or not _HEX.fullmatch(color):
        return True
    return all(int(color[i : i + 2], 16) <= 0x40 for i in (0, 2, 4))


# --------------------------------------------------------------------------- paragraphs


def _runs(el: etree._Element):
    """The visible runs of a paragraph, looking through insertions, links, fields and controls."""
    for ch in el:
        tag = ch.tag
        if not isinstance(tag, str) or tag in D._SKIP or tag == f"{{{D.MC_NS}}}AlternateContent":
            continue
        if tag == w("r"):
            rpr = ch.find(w("rPr"))
            if rpr is None or not D._on(rpr.find(w("vanish"))):
                yield ch
        elif tag != f"{{{D.M_NS}}}oMath":
            yield from _runs(ch)


@dataclass(slots=True)
class _Para:
    text: str  # the paragraph's text as the reader renders it (for placing it in the document's text)
    props: tuple[Any, ...]  # (font, size, bold, italic, color, align)
    section: int
    letters: dict[str, int]  # font -> letters
    colors: dict[str, int]  # non-black colour -> letters


def _majority(counts: dict[Any, int]) -> Any:
    return max(counts.items(), key=lambda kv: kv[1])[0] if counts else None


def _tri(yes: int, total: int) -> bool | None:
    return True if yes == total else False if yes == 0 else None


def _paragraph(p: etree._Element, res: _Resolver, ctx: Any, in_cell: bool, section: int) -> _Para | None:
    base, align, _ = res.paragraph(p)
    fonts: dict[str, int] = {}
    sizes: dict[float, int] = {}
    colors: dict[str, int] = {}
    bold = italic = total = 0
    written: list[str] = []
    for r in _runs(p):
        text = "".join(t for t in D._run_text(r, in_cell) if t)
        props = res.run(r, base)
        written.append(text.upper() if props.get("caps") else text)
        letters = "".join(_ALNUM.findall(text))  # letters and digits: a colon's looks are not the line's
        n = len(letters)
        if not n:
            continue
        ascii_n = len(letters.encode("ascii", "ignore"))
        for font, k in ((props.get("ascii") or props.get("hansi"), ascii_n), (props.get("hansi") or props.get("ascii"), n - ascii_n)):
            if k and font:
                fonts[font] = fonts.get(font, 0) + k
        size = props.get("size")
        if size:
            sizes[size] = sizes.get(size, 0) + n
        color = props.get("color")
        if color and not is_black(color):
            colors[color] = colors.get(color, 0) + n
        bold += n if props.get("bold") else 0
        italic += n if props.get("italic") else 0
        total += n
    if not total:
        return None
    if ctx.plan or ctx.fallback:  # legacy-encoded runs: the text as the reader decodes it
        pieces = [pc for pc in D._pieces(p, D._paragraph_style(p), ctx, in_cell) if not pc.page_break]
        text = D._render(pieces, ctx)[0]
    else:
        text = "".join(written)
    text = clean_text(text)[0].strip()
    color = _majority(colors) if sum(colors.values()) * 2 > total else None
    props_t = (_majority(fonts), _majority(sizes), _tri(bold, total), _tri(italic, total), color, align)
    return _Para(text, props_t, section, fonts, colors)


def _walk(container: etree._Element, res: _Resolver, ctx: Any, out: list[_Para], in_cell: bool, section: list[int]) -> None:
    for el in D._block_children(container):
        if el.tag == w("p"):
            para = _paragraph(el, res, ctx, in_cell, section[0])
            if para is not None:
                out.append(para)
            ppr = el.find(w("pPr"))
            if not in_cell and ppr is not None and ppr.find(w("sectPr")) is not None:
                section[0] += 1
        elif el.tag == w("tbl"):
            for tr in D._children(el, "tr"):
                for tc in D._children(tr, "tc"):
                    _walk(tc, res, ctx, out, True, section)


# --------------------------------------------------------------------------- sections


_FIELD = re.compile(r"^\s*PAGE\b", re.IGNORECASE)


def _page_field_align(root: etree._Element, res: _Resolver) -> str | None:
    """Where a PAGE field stands in a header or footer: 'center', 'right', ... or None (no field)."""
    for p in root.iter(w("p")):
        has = any(_FIELD.match(f.get(w("instr")) or "") for f in p.iter(w("fldSimple")))
        has = has or any(_FIELD.match(t.text or "") for t in p.iter(w("instrText")))
        if not has:
            continue
        _, jc, center_tab = res.paragraph(p)
        ppr = p.find(w("pPr"))
        frame = ppr.find(w("framePr")) if ppr is not None else None
        if frame is not None and frame.get(w("xAlign")):
            return _ALIGN.get(frame.get(w("xAlign")), frame.get(w("xAlign")))
        tabs_before = 0
        for el in p.iter(w("tab"), w("instrText"), w("fldSimple")):
            if el.tag != w("tab"):
                break
            if el.getparent() is not None and el.getparent().tag == w("r"):
                tabs_before += 1  # a tab character (w:tabs/w:tab are tab stops)
        if tabs_before == 1 and center_tab and (jc or "left") == "left":
            return "center"
        return jc or "left"
    return None


def _part_root(document, rid: str | None) -> etree._Element | None:
    if not rid:
        return None
    try:
        part = document.part.related_parts[rid]
        return etree.fromstring(part.blob, D.SAFE_PARSER)
    except (KeyError, etree.XMLSyntaxError, AttributeError):
        return None


def _sections(document, res: _Resolver) -> list[PageSetup]:
    body = document.element.body
    sects = [s for s in body.iter(w("sectPr")) if s.getparent() is not None and s.getparent().tag in (w("pPr"), w("body"))]
    refs: dict[tuple[str, str], str] = {}  # (header|footer, default|first|even) -> rId, inherited
    cache: dict[str, str | None] = {}
    out: list[PageSetup] = []
    for s in sects:
        for kind in ("header", "footer"):
            for ref in s.iter(w(kind + "Reference")):
                refs[(kind, ref.get(w("type")) or "default")] = ref.get(f"{{{R_NS}}}id")

        def where(variant: str) -> str:
            for kind in ("header", "footer"):
                rid = refs.get((kind, variant))
                if rid not in cache:
                    root = _part_root(document, rid)
                    cache[rid] = _page_field_align(root, res) if root is not None else None
                if cache[rid]:
                    return f"{kind} {cache[rid]}"
            return ""

        title_pg = bool(D._on(s.find(w("titlePg"))))
        default = where("default")
        first = where("first") if title_pg else default
        sz = s.find(w("pgSz"))
        mar = s.find(w("pgMar"))
        width, height = _mm(D._wattr(sz, "w")) if sz is not None else None, _mm(D._wattr(sz, "h")) if sz is not None else None
        if width is None or height is None:  # no pgSz: Word's default, US Letter
            width, height = 215.9, 279.4
        out.append(PageSetup(
            width_mm=width, height_mm=height,
            top_mm=_mm(D._wattr(mar, "top")) if mar is not None else None,
            bottom_mm=_mm(D._wattr(mar, "bottom")) if mar is not None else None,
            left_mm=_mm(D._wattr(mar, "left")) if mar is not None else None,
            right_mm=_mm(D._wattr(mar, "right")) if mar is not None else None,
            gutter_mm=_mm(D._wattr(mar, "gutter")) if mar is not None else None,
            page_numbers=default or first, first_page_numbered=bool(first),
        ))
    return out


def _page_count(document) -> int | None:
    try:
        for part in document.part.package.iter_parts():
            if str(part.partname) == "/docProps/app.xml":
                m = re.search(rb"<(?:\w+:)?Pages>(\d+)</", part.blob)
                return int(m.group(1)) if m else None
    except Exception:  # noqa: BLE001 - a missing or odd app.xml only loses the page count
        return None
    return None


# --------------------------------------------------------------------------- layout


@dataclass(slots=True)
class DocxLayout:
    """The layout before it is placed in the document's text: the paragraphs keep their text."""

    pages: list[PageSetup]
    paragraphs: list[_Para]
    page_count: int | None


def read_layout(document, ctx: Any) -> DocxLayout:
    """The sections, the paragraphs' looks and the page count of an open python-docx Document.
    `ctx` is the reader's context (styles, legacy decoding plan), so that each paragraph's text
    is the text the reader gives it."""
    res = _Resolver(D._related_xml(document, "styles"), D._related_xml(document, "theme"))
    paragraphs: list[_Para] = []
    _walk(document.element.body, res, ctx, paragraphs, False, [0])
    return DocxLayout(_sections(document, res), paragraphs, _page_count(document))


#: how far past the last placed paragraph the next one may start (numbering, tabs, empty lines)
_PLACE_WINDOW = 400


def place(src: SourceDocument, found: DocxLayout) -> Layout:
    """The layout with each paragraph placed in the document's text, adjacent look-alikes joined."""
    text = src.text
    cursor = 0
    styles: list[TextStyle] = []
    fonts: dict[str, int] = {}
    colors: dict[str, int] = {}
    section_start: dict[int, Loc] = {}
    for para in found.paragraphs:
        for f, n in para.letters.items():
            fonts[f] = fonts.get(f, 0) + n
        for c, n in para.colors.items():
            colors[c] = colors.get(c, 0) + n
        if not para.text:
            continue
        at = text.find(para.text, cursor, cursor + _PLACE_WINDOW + len(para.text))
        if at < 0:
            continue
        end = at + len(para.text)
        line = text.count("\n", 0, at) + 1
        loc = Loc(at, end, line)
        section_start.setdefault(para.section, loc)
        cursor = end
        font, size, bold, italic, color, align = para.props
        last = styles[-1] if styles else None
        gap = text[last.loc.end : at] if last is not None else ""
        if last is not None and (last.font, last.size, last.bold, last.italic, last.color, last.align) == para.props \
                and gap.count("\n") <= 1 and len(gap.strip()) <= 6:
            last.loc.end = end
            continue
        styles.append(TextStyle(loc, font, size, bold, italic, color, align))
    pages = found.pages
    for i, page in enumerate(pages):
        page.loc = section_start.get(i, Loc(len(text), len(text), text.count("\n") + 1))
    return Layout(pages=pages, styles=styles, fonts=fonts, colors=colors, page_count=found.page_count)
