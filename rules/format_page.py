"""Format rules on the page and the type: paper, margins, font, colour, page numbers
(Nghị định 30/2020/NĐ-CP Phụ lục I, Phần I, Mục I; Hướng dẫn 36-HD/VPTW mục II.4 for Party
documents). The facts are `corpus/format_rules.tsv`; what the file records is `Decision.layout`
(Word: sections, runs and styles; PDF: page sizes and embedded fonts). Which rules govern a
document is `format_parts.form_of`: never Nghị định 30 for a Party document, nor the reverse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vanban.extract.legacy import font_encoding
from vanban.model import Decision, Finding, Loc, PageSetup
from vanban.rules.engine import make_finding, rule
from vanban.rules.format_parts import Form, facts, form_of, source, span

#: fonts that draw symbols (bullets, check boxes, math), not the text's letters
SYMBOL_FONTS = frozenset({"symbol", "wingdings", "wingdings2", "wingdings3", "webdings", "zapfdingbats", "mtextra",
                          "cambriamath", "marlett"})
#: what a PDF converter writes for Times New Roman when the machine lacks it (metric-compatible
#: clones: Liberation Serif, Tinos) or the PDF base font Times: the document's own font is then
#: Times New Roman as far as the PDF can tell
_TIMES_FAMILY = ("timesnewroman", "times", "liberationserif", "tinos", "nimbusroman")
#: PDF fonts named by the producer, not by their family ("CIDFont+F1", "F3", "T1_0"): nothing to judge
_ANONYMOUS = re.compile(r"^(?:CIDFont\+?F?\d*|[A-Z]{1,2}\d+(?:_\d+)?)$")
_KNOWN_PAPER = {(210.0, 297.0): "A4", (215.9, 279.4): "Letter", (215.9, 355.6): "Legal", (148.0, 210.0): "A5",
                (297.0, 420.0): "A3", (182.0, 257.0): "B5", (176.0, 250.0): "B5 ISO", (210.0, 330.0): "F4"}
#: sizes and margins are compared to the half millimetre (Word stores twips; "1 inch" is 25.4 mm)
TOLERANCE_MM = 0.5


def applies(dec: Decision, regimes: tuple[str, ...] = ("nd30", "hd36")) -> Form | None:
    """The document's form when one of `regimes` governs it and its text is not OCR'd."""
    form = form_of(dec)
    if form.regime not in regimes or dec.ocr:
        return None
    return form


def family(font: str) -> str:
    """'TimesNewRomanPS-BoldMT' -> 'timesnewroman'; 'Arial-BoldMT' -> 'arial'; '.VnTime' -> '.vntime'."""
    f = re.sub(r"(?i)(PS)?[-,](Bold|Italic|BoldItalic|Regular|Oblique)?(MT)?$|PSMT$|MT$", "", font.strip())
    return re.sub(r"[\s_-]", "", f).lower()


def is_times(font: str) -> bool:
    return family(font).startswith(_TIMES_FAMILY)


def _mm(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _paper(page: PageSetup) -> str:
    short, long_ = sorted((page.width_mm, page.height_mm))
    for (a, b), name in _KNOWN_PAPER.items():
        if abs(short - a) <= 1.5 and abs(long_ - b) <= 1.5:
            return name
    return ""


def _where(page: PageSetup) -> Loc | None:
    if page.first_page is not None:
        return Loc(page=page.first_page)
    return page.loc if page.loc.line else None


@rule("format_paper", "format", "info", "paper other than A4 (210 x 297 mm)")
def format_paper(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục I, khoản 1) and Hướng dẫn 36-HD/VPTW (mục II.4.2)
    set the paper to A4, 210 x 297 mm, upright or turned for a wide table. A Word section or PDF
    pages on Letter (215.9 x 279.4 mm) or any other size is a departure. Sizes as the file
    declares them (Word: `w:pgSz`; PDF: the crop box), to 1.5 mm."""
    form = applies(dec)
    if form is None or dec.layout is None:
        return
    want = tuple(float(x) for x in facts(form.regime)[("page", "paper")].split("x"))
    bad: dict[tuple[float, float], PageSetup] = {}
    for page in dec.layout.pages:
        short, long_ = sorted((page.width_mm, page.height_mm))
        if abs(short - want[0]) > 1.5 or abs(long_ - want[1]) > 1.5:
            bad.setdefault((page.width_mm, page.height_mm), page)
    if not bad:
        return
    sizes = "; ".join(f"{_mm(w)} x {_mm(h)} mm" + (f" ({_paper(p)})" if _paper(p) else "") for (w, h), p in bad.items())
    sizes_en = "; ".join(f"{w:g} x {h:g} mm" + (f" ({_paper(p)})" if _paper(p) else "") for (w, h), p in bad.items())
    src = source(form.regime, "page", "paper")
    yield make_finding(
        dec, "format_paper",
        f"Khổ giấy {sizes}, không phải A4 ({_mm(want[0])} x {_mm(want[1])} mm) theo {src}.",
        f"Paper {sizes_en}, not A4 ({want[0]:g} x {want[1]:g} mm) as {src} sets it.",
        [(f"khổ giấy {_mm(w)} x {_mm(h)} mm", _where(p)) for (w, h), p in bad.items()],
    )


_SIDES = (("top", "trên", "top_mm"), ("bottom", "dưới", "bottom_mm"), ("left", "trái", "left_mm"), ("right", "phải", "right_mm"))


def _margin_departures(page: PageSetup, regime: str) -> list[tuple[str, str]]:
    out = []
    f = facts(regime)
    for side, vi, attr in _SIDES:
        value = getattr(page, attr)
        if value is None:
            continue
        if side == "left" and page.gutter_mm:
            value += page.gutter_mm  # the gutter is added to the left margin
        lo, hi = span(f[("page", side)])
        if value < lo - TOLERANCE_MM or value > hi + TOLERANCE_MM:
            want = _mm(lo) if lo == hi else f"{_mm(lo)}-{_mm(hi)}"
            out.append((f"lề {vi} {_mm(value)} mm (quy định {want} mm)", f"{side} margin {value:g} mm (the rule: {want.replace(',', '.')} mm)"))
    return out


@rule("format_margins", "format", "info", "page margins outside top/bottom 20-25, left 30-35, right 15-20 mm")
def format_margins(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục I, khoản 3): top and bottom 20-25 mm, left 30-35 mm,
    right 15-20 mm (Party documents, Hướng dẫn 36-HD/VPTW mục II.4.3: 20, 20, 30, 15 mm). Read from
    each upright section of a Word file (`w:pgMar`, the gutter added to the left); a section turned
    for a wide table has no rule of its own and is left alone; PDFs do not record margins."""
    form = applies(dec)
    if form is None or dec.layout is None:
        return
    seen: dict[str, tuple[str, Loc | None]] = {}
    for page in dec.layout.pages:
        if page.width_mm > page.height_mm:
            continue
        for vi, en in _margin_departures(page, form.regime):
            seen.setdefault(vi, (en, page.loc))
    if not seen:
        return
    src = source(form.regime, "page", "top")
    vi = "; ".join(seen)
    en = "; ".join(e for e, _ in seen.values())
    yield make_finding(dec, "format_margins", f"Định lề trang khác quy định ({src}): {vi}.",
                       f"Page margins differ from the rule ({src}): {en}.", [(k, loc) for k, (_, loc) in seen.items()])


def _font_summary(fonts: dict[str, int], regime: str) -> tuple[list[tuple[str, int]], set[str], int, bool]:
    """(fonts that depart by the name a reader knows, with their letters; their names as the file
    writes them; all letters; whether any is a legacy 8-bit font)."""
    total = sum(n for f, n in fonts.items() if family(f) not in SYMBOL_FONTS)
    bad: dict[str, int] = {}
    raw: set[str] = set()
    legacy = False
    for f, n in fonts.items():
        if family(f) in SYMBOL_FONTS or _ANONYMOUS.match(f):
            continue
        if font_encoding(f):
            legacy = True
        elif regime == "hd36" or is_times(f):
            continue  # HD 36 names the character set (Unicode), not a typeface
        name = display_font(f)
        bad[name] = bad.get(name, 0) + n
        raw.add(f)
    return sorted(bad.items(), key=lambda kv: -kv[1]), raw, total, legacy


def display_font(font: str) -> str:
    """A PDF base font name as a family a reader knows: 'Arial-BoldMT' -> 'Arial'."""
    m = re.match(r"^([A-Za-z]+?)(?:PS)?(?:[-,].*|MT)?$", font)
    return m.group(1) if m and font[:1].isupper() and " " not in font else font


@rule("format_font", "format", "info", "text in a font other than Times New Roman (Unicode)")
def format_font(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục I, khoản 4): "Phông chữ tiếng Việt Times New Roman,
    bộ mã ký tự Unicode theo TCVN 6909:2001". Letters in Arial, Calibri, ... or in a legacy 8-bit
    font (.VnTime: TCVN3; VNI-Times: VNI) are a departure, once they are 20 letters or more. Party
    documents (Hướng dẫn 36-HD/VPTW mục II.4.1) must be in Unicode: only legacy fonts count there.
    Word: each run's font resolved through its styles and the theme; PDF: the embedded fonts of
    the first pages (a PDF converter's stand-ins for Times New Roman, such as Liberation Serif,
    count as Times New Roman). Symbol fonts (bullets) are left out."""
    form = applies(dec)
    if form is None or dec.layout is None or not dec.layout.fonts:
        return
    bad, names, total, legacy = _font_summary(dec.layout.fonts, form.regime)
    letters = sum(n for _, n in bad)
    if letters < 20:
        return
    listed = ", ".join(f"{name} ({n} ký tự)" for name, n in bad[:5])
    listed_en = ", ".join(f"{name} ({n} letters)" for name, n in bad[:5])
    small = letters * 100 < max(total, 1)
    share, share_en = ("Dưới 1%", "Under 1%") if small else (f"{letters * 100 / max(total, 1):.0f}%",) * 2
    what = "phông chữ không phải Unicode (TCVN3/VNI) và khác Times New Roman" if legacy else "phông chữ khác Times New Roman"
    what_en = "fonts that are not Unicode (TCVN3/VNI) nor Times New Roman" if legacy else "fonts other than Times New Roman"
    spans: list[tuple[str, Loc | None]] = []
    for st in dec.layout.styles:
        if st.font and st.font in names and len(spans) < 6:
            spans.append((dec.text[st.loc.start : st.loc.end].split("\n")[0][:120], Loc(st.loc.start, st.loc.end, st.loc.line)))
    if not spans:
        spans = [(listed, None)]
    src = source(form.regime, "text", "font")
    yield make_finding(
        dec, "format_font",
        f"{share} chữ của văn bản dùng {what}: {listed} ({src}).",
        f"{share_en} of the letters are in {what_en}: {listed_en} ({src}).",
        spans,
    )


@rule("format_color", "format", "info", "text in a colour other than black")
def format_color(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục I, khoản 4): the text is black ("màu đen"). Word
    runs in red, blue, ... (20 letters or more; near-blacks such as 1F1F1F count as black;
    hyperlinks too) are a departure."""
    form = applies(dec, ("nd30",))
    if form is None or dec.layout is None or sum(dec.layout.colors.values()) < 20:
        return
    colors = sorted(dec.layout.colors.items(), key=lambda kv: -kv[1])
    listed = ", ".join(f"#{c} ({n} ký tự)" for c, n in colors[:4])
    listed_en = ", ".join(f"#{c} ({n} letters)" for c, n in colors[:4])
    spans: list[tuple[str, Loc | None]] = [
        (dec.text[st.loc.start : st.loc.end].split("\n")[0][:120], Loc(st.loc.start, st.loc.end, st.loc.line))
        for st in dec.layout.styles if st.color][:6] or [(listed, None)]
    yield make_finding(
        dec, "format_color",
        f"Chữ màu khác màu đen: {listed} ({source('nd30', 'text', 'color')} quy định màu đen).",
        f"Text in colours other than black: {listed_en} (the rule, {source('nd30', 'text', 'color')}: black).",
        spans,
    )


#: a paragraph's alignment (w:jc) as a clerk says it
_ALIGN_VI = {"left": "canh trái", "start": "canh trái", "right": "canh phải", "end": "canh phải", "both": "canh đều hai bên",
             "distribute": "canh đều hai bên", "inside": "canh phía trong", "outside": "canh phía ngoài",
             "": "không canh lề"}


def _where_vi(part: str, align: str) -> str:
    """'footer right' -> 'chân trang, canh phải'."""
    return f"{'đầu trang' if part == 'header' else 'chân trang'}, {'canh giữa' if align == 'center' else _ALIGN_VI.get(align, align)}"


def _pages(dec: Decision) -> int | None:
    if dec.layout and dec.layout.page_count:
        return dec.layout.page_count
    return 3 if len(dec.text) > 9000 else None  # a page of A4 at 13-14 pt holds about 3,000 characters


@rule("format_page_numbers", "format", "info", "page numbers missing, at the bottom, not centred, or shown on page 1")
def format_page_numbers(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục I, khoản 7) and Hướng dẫn 36-HD/VPTW (mục II.4.4):
    pages are numbered in the top margin, centred, and the first page shows no number. Read from
    the Word file's first section: a PAGE field in the footer, off centre, on page 1 (no "different
    first page"), or none at all in a document of two pages or more (the page count the file records)."""
    form = applies(dec)
    if form is None or dec.layout is None or not dec.layout.pages or dec.layout.pages[0].page_numbers is None:
        return
    first = dec.layout.pages[0]
    where = first.page_numbers or ""
    pages = _pages(dec)
    problems: list[tuple[str, str]] = []
    part, _, align = where.partition(" ")
    if not where:
        if pages and pages >= 2:
            problems.append((f"văn bản {pages} trang không đánh số trang", f"a {pages}-page document has no page numbers"))
    else:
        if part != "header":
            problems.append(("số trang đặt ở chân trang", "the page numbers are in the footer"))
        if align != "center":
            problems.append((f"số trang không canh giữa ({_ALIGN_VI.get(align, align)})", f"the page numbers are not centred ({align or 'no alignment'})"))
        if first.first_page_numbered:
            problems.append(("trang thứ nhất hiển thị số trang", "the first page shows its number"))
    if not problems:
        return
    src = source(form.regime, "page_number", "position")
    yield make_finding(
        dec, "format_page_numbers",
        f"Số trang: {'; '.join(p[0] for p in problems)} (quy định: canh giữa trong lề trên, không hiển thị ở trang đầu; {src}).",
        f"Page numbers: {'; '.join(p[1] for p in problems)} (the rule: centred in the top margin, none on page 1; {src}).",
        [(f"số trang: {_where_vi(part, align) if where else 'không có'}", first.loc if first.loc.line else None)],
    )
