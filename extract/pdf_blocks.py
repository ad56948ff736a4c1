"""A PDF's pages to blocks: page furniture dropped, lines joined into paragraphs, tables
continued across pages joined (`vanban.extract.pdf` reads the pages).

How lines become blocks:

- page numbers ("2", "- 3 -", "Trang 4") and headers/footers repeated at the same
  edge of at least three pages (and half the pages) are dropped, with a note;
- a line is joined to the previous one when the previous one runs to the right
  margin and this one starts back at the left margin (not indented, not centred,
  not a list or structure marker such as "Điều 2.", "a)", "- ", "Căn cứ"), and the
  previous one does not end a clause (";" or ":" before a capital; "." before a
  capital in documents whose paragraphs start indented, where the indent would
  have shown a new paragraph). Headers, centred titles and lists keep their lines;
- every page after the first starts with a `page_break` block whose page is the
  page that starts; a paragraph running over a page end is two blocks with the
  page break between them (each keeps its page);
- every block, row and cell has `loc.page` (1-based).

Tables:

- one `Cell` per cell that starts in a column: a cell spanning columns has
  `colspan` and the columns it covers have no `Cell` of their own; `col` is the
  column it starts in; a cell spanning rows has `rowspan`, and each row it covers
  below has a `Cell(merged_above=True, text="")` in that column (pdfplumber gives
  `None` there; an empty cell, `""`, stays an ordinary empty cell);
- cell text has its lines joined by spaces (`raw` keeps the lines);
- a table at the top of a page with the same columns (count and positions) as the
  table that ended the previous page continues it: one table block. Header rows
  repeated at the top of the continuation are dropped and the first rows of the
  table are marked `is_header`; the first row of each continuation is marked
  `after_break`. A row that the break split (the continuation starts with an
  empty STT cell) is NOT joined here: the appendix stage rejoins it, as it does
  for text sources, and `Task.joined_rows` records it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from vanban.extract.base import clean_text, join_lines
from vanban.extract.pdf_tables import TableFragment
from vanban.model import Block, Loc, Row


@dataclass(slots=True)
class Line:
    """One text line of a page with its box in points (top-left origin).

    `geometry` is false when the box is unknown (rotated pages), and `soft` is
    true when the text layer ended the line with a space (Word writes one before
    an automatic line wrap)."""

    text: str
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    geometry: bool = True
    soft: bool = False
    bold: bool = False
    runs: list[tuple[str, str]] | None = None  # (text, font) runs, kept for lines in legacy fonts
    raw: str | None = None  # the text as the text layer gave it, when it was decoded


@dataclass(slots=True)
class PageContent:
    """One page: its lines and table fragments in reading order, and how it was read."""

    number: int  # 1-based
    width: float
    height: float
    items: list[Line | TableFragment] = field(default_factory=list)
    text_quality: float | None = None
    needs_ocr: bool = False
    ocr: bool = False
    legacy: str | None = None  # the legacy encoding its text layer was decoded from

    @property
    def lines(self) -> list[Line]:
        return [it for it in self.items if isinstance(it, Line)]


# --------------------------------------------------------------------------- page furniture

_PAGE_NUMBER = re.compile(r"^(?:trang\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*/\s*\d{1,4})?$", re.I)
_EDGE = 0.12  # page numbers, headers and footers live in the top and bottom 12%


def _edge_lines(page: PageContent) -> list[Line]:
    """The first two and last two lines of a page, when they sit in its top or bottom margin zone."""
    out: list[Line] = []
    for item in page.items[:2] + page.items[-2:]:
        if not isinstance(item, Line) or any(item is seen for seen in out):
            continue
        if not item.geometry or item.top < page.height * _EDGE or item.bottom > page.height * (1 - _EDGE):
            out.append(item)
    return out


def drop_furniture(pages: list[PageContent]) -> list[str]:
    """Remove page numbers and running headers/footers in place; notes saying what went."""
    notes = []
    dropped_numbers = 0
    for page in pages:
        for line in _edge_lines(page):
            if _PAGE_NUMBER.match(line.text):
                page.items.remove(line)
                dropped_numbers += 1
    if dropped_numbers:
        notes.append(f"dropped {dropped_numbers} page numbers")
    keys: Counter[str] = Counter()
    per_page = []
    for page in pages:
        found = {re.sub(r"\d+", "#", ln.text.casefold()): ln for ln in _edge_lines(page)}
        per_page.append(found)
        keys.update(found.keys())
    with_text = sum(1 for p in pages if p.lines)
    running = {k for k, n in keys.items() if n >= 3 and n >= with_text / 2}
    if running:
        removed = 0
        for page, found in zip(pages, per_page):
            for key in running & found.keys():
                page.items.remove(found[key])
                removed += 1
        notes.append(f"dropped {removed} running header/footer lines: " + "; ".join(sorted(running)))
    return notes


# --------------------------------------------------------------------------- paragraphs

# A line that starts something new: structure, list items, the formulaic openings.
_NEW_ITEM = re.compile(
    r"""^(?:
        (?:Điều|ĐIỀU|Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN|Phụ\s+lục|PHỤ\s+LỤC)\s+[\dIVXLC]+\b
      | [IVXLC]+[.)]\s
      | \d{1,3}(?:\.\d{1,3})*[.)](?:\s|$)
      | [a-zđ]\)\s
      | [-–—+•*▪●◦]
      | (?:Căn\s+cứ|Theo\s+đề\s+nghị|Xét\s+đề\s+nghị|Nơi\s+nhận|QUYẾT\s+ĐỊNH|Kính\s+gửi)\b
    )""",
    re.X,
)
_UPPER_START = re.compile(r"^[\W\d_]*[^\W\d_]")


@dataclass(slots=True)
class _Margins:
    left: float
    right: float
    pitch: float  # usual distance between line tops

    def centred(self, line: Line) -> bool:
        middle = (self.left + self.right) / 2
        return line.x0 > self.left + 15 and abs((line.x0 + line.x1) / 2 - middle) < 12

    def full(self, line: Line) -> bool:
        return line.x1 >= self.right - 0.08 * (self.right - self.left)

    def at_left(self, line: Line) -> bool:
        return line.x0 <= self.left + 8


def _margins(lines: list[Line], fallback: _Margins | None) -> _Margins | None:
    body = [ln for ln in lines if ln.geometry and len(ln.text) >= 15]
    if len(body) < 6:
        return fallback
    left = min(ln.x0 for ln in body)
    right = max(ln.x1 for ln in body)
    pitches = [b.top - a.top for a, b in zip(body, body[1:]) if 0 < b.top - a.top < 60]
    pitch = statistics.median(pitches) if pitches else 14.0
    return _Margins(left, right, pitch)


def _starts_upper(text: str) -> bool:
    m = _UPPER_START.match(text)
    return bool(m) and m.group()[-1].isupper()


def _continues(prev: Line, cur: Line, prev_first: bool, m: _Margins | None, indented_style: bool) -> bool:
    """Whether `cur` is the next line of the paragraph `prev` is in (no hard break between)."""
    if _NEW_ITEM.match(cur.text):
        return False
    ends = prev.text[-1]
    if ends in ";:" and _starts_upper(cur.text):
        return False
    if m is None or not (prev.geometry and cur.geometry):
        return prev.soft and ends not in ".;:!?"
    if m.centred(prev) or m.centred(cur) or not m.full(prev):
        return False
    pitch = cur.top - prev.top
    if pitch <= 0 or pitch > 1.8 * m.pitch:
        return False  # a jump up (another column) or a gap (a new paragraph)
    same_indent = not prev_first and abs(cur.x0 - prev.x0) <= 3
    hanging = prev_first and _NEW_ITEM.match(prev.text) and prev.x0 - 3 <= cur.x0 <= prev.x0 + 20
    if not (m.at_left(cur) or same_indent or hanging):
        return False
    if ends == "." and _starts_upper(cur.text) and not indented_style:
        return False
    return True


def _indented_style(pages: list[PageContent], margins: list[_Margins | None]) -> bool:
    """Whether paragraphs start with a first-line indent (Word decisions do; many decrees don't)."""
    starts = indented = 0
    for page, m in zip(pages, margins):
        if m is None:
            continue
        lines = [ln for ln in page.lines if ln.geometry]
        for prev, cur in zip(lines, lines[1:]):
            if not m.full(prev) and not m.centred(cur) and not m.centred(prev) and len(cur.text) > 40:
                starts += 1
                indented += cur.x0 > m.left + 10
    return starts > 0 and indented / starts > 0.5


def paragraphs(lines: list[Line], page_number: int, m: _Margins | None, indented_style: bool) -> list[Block]:
    """Join a run of lines into paragraph blocks (see the module docstring for the rules)."""
    blocks: list[Block] = []
    group: list[Line] = []

    def flush() -> None:
        if not group:
            return
        text = group[0].text
        for line in group[1:]:
            text = join_lines(text, line.text)
        cleaned, raw = clean_text(text)
        if any(line.raw for line in group):  # decoded from a legacy font: keep what the text layer had
            raw = " ".join(line.raw or line.text for line in group)
        blocks.append(
            Block(kind="paragraph", text=cleaned, raw=raw, bold=all(ln.bold for ln in group), loc=Loc(page=page_number))
        )
        group.clear()

    for line in lines:
        if group and _continues(group[-1], line, len(group) == 1, m, indented_style):
            group.append(line)
            continue
        flush()
        group.append(line)
    flush()
    return blocks


# --------------------------------------------------------------------------- tables across pages


def _same_columns(a: TableFragment, b: TableFragment) -> bool:
    if len(a.columns) != len(b.columns):
        return False
    tolerance = max(4.0, 0.02 * (a.x1 - a.x0))
    return all(abs(x - y) <= tolerance for x, y in zip(a.columns, b.columns)) and abs(a.x1 - b.x1) <= tolerance


_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.?)$")


def _mark_header(rows: list[Row]) -> None:
    """Mark the first row a header when it reads like one: no number in its first
    cell while a later row has one ("STT" over 1, 2, 3)."""
    if not rows or rows[0].is_header or not rows[0].cells:
        return
    first = rows[0].cells[0].text
    if first and not _NUMBER.match(first) and any(r.cells and _NUMBER.match(r.cells[0].text) for r in rows[1:]):
        rows[0].is_header = True


def _continue_table(block: Block, fragment: TableFragment) -> int:
    """Append a continuation fragment to a table block; the number of repeated header rows dropped."""
    repeated = 0
    while (
        repeated < min(3, len(fragment.rows) - 1, len(block.rows))
        and fragment.rows[repeated].texts == block.rows[repeated].texts
        and not (block.rows[repeated].cells and _NUMBER.match(block.rows[repeated].cells[0].text))
    ):
        repeated += 1
    for row in block.rows[:repeated]:
        row.is_header = True
    rest = fragment.rows[repeated:]
    if rest:
        rest[0].after_break = True
    block.rows.extend(rest)
    return repeated




# --------------------------------------------------------------------------- pages to blocks


def page_blocks(pages: list[PageContent], notes: list[str]) -> list[Block]:
    """The pages' lines and table fragments as blocks, with a page break before each page after the first."""
    margins: list[_Margins | None] = []
    fallback = None
    for page in pages:
        m = _margins(page.lines, None)
        margins.append(m)
        fallback = fallback or m
    margins = [m or fallback for m in margins]
    indented = _indented_style(pages, margins)
    blocks: list[Block] = []
    open_table: tuple[Block, TableFragment] | None = None
    stitched = dropped_headers = 0
    for page, m in zip(pages, margins):
        if page.number > 1:
            blocks.append(Block(kind="page_break", loc=Loc(page=page.number)))
        run: list[Line] = []
        for i, item in enumerate(page.items):
            if isinstance(item, Line):
                run.append(item)
                continue
            blocks.extend(paragraphs(run, page.number, m, indented))
            run = []
            if i == 0 and open_table is not None and _same_columns(open_table[1], item):
                dropped_headers += _continue_table(open_table[0], item)
                stitched += 1
                block = open_table[0]
            else:
                block = Block(kind="table", rows=item.rows, loc=Loc(page=page.number))
                _mark_header(block.rows)
                blocks.append(block)
            open_table = (block, item) if i == len(page.items) - 1 else None
        if run:
            blocks.extend(paragraphs(run, page.number, m, indented))
            open_table = None
    if stitched:
        notes.append(f"joined {stitched} table parts continued on the next page; dropped {dropped_headers} repeated header rows")
    return blocks
