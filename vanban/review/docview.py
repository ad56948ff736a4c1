"""A document as the review page shows it: its text line by line (a tab-separated line is a
table row), every finding's evidence marked on the exact words, each finding anchored beside
the line it is about, and the stretches nobody flagged folded away.

Nothing here writes HTML: the templates do, with autoescaping. A `Seg` is a piece of text
with the findings whose evidence covers it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vanban.model import SEVERITIES

_SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}
#: characters of context kept on each side of the evidence in an excerpt (report, list of all findings)
CONTEXT_CHARS = 160


@dataclass
class Seg:
    text: str
    fps: tuple[str, ...] = ()  # findings whose evidence covers this piece
    sev: str = ""  # the most severe of them
    anchor: str = ""  # "e-<fingerprint>-<n>" where a piece of evidence starts
    absent: bool = False  # evidence that is not in the text ("(không có dòng Số: ...)")
    done: bool = False  # every finding over it has a decision


@dataclass
class Unit:
    """One line of the text: a paragraph (one cell) or a table row (several)."""

    line: int
    cells: list[list[Seg]]
    table: int | None = None  # index into DocView.tables
    span_last: int = 1  # columns the last cell spans (a short row in a wider table)

    @property
    def blank(self) -> bool:
        return all(not s.text.strip() and not s.absent for c in self.cells for s in c)


@dataclass
class Table:
    ncols: int
    widths: list[int]  # percent of the width, per column
    header: list[str]  # labels of the columns for a narrow screen ([] when the first row is no header)
    first_line: int


@dataclass
class Ref:
    """A pointer, beside a line, to the card of a finding whose evidence is also there (its k-th of n)."""

    card: Any
    k: int
    n: int
    up: bool  # the card stands above


@dataclass
class Row:
    """What the page shows on one level: shown lines with the findings anchored to them, or a fold."""

    pieces: list[tuple[Table | None, list[Unit]]]  # runs of paragraph lines or of rows of one table
    cards: list[Any] = field(default_factory=list)
    folded: bool = False
    first: int = 0
    last: int = 0
    lines: int = 0  # non-blank lines folded
    refs: list[Ref] = field(default_factory=list)  # pointers to cards that stand beside other lines


@dataclass
class Located:
    """A piece of a finding's evidence as found in the text."""

    fp: str
    index: int
    start: int
    end: int
    sev: str
    line: int | None = None  # for evidence that is not in the text: the line it belongs to
    text: str = ""


# --------------------------------------------------------------------------- finding the evidence


def locate(text: str, ev: dict[str, Any]) -> tuple[int, int] | None:
    """Where the evidence is: its offsets when they are sound, narrowed to the evidence's own words
    when the offsets cover more (an agency name in a cell of several agencies), else its text searched for."""
    start, end, needle = ev.get("start"), ev.get("end"), (ev.get("text") or "").strip()
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        covered = text[start:end]
        if needle and needle != covered and len(needle) < len(covered):
            at = covered.find(needle)
            if at >= 0:
                return start + at, start + at + len(needle)
        return start, end
    if not needle:
        return None
    line = ev.get("line")
    if isinstance(line, int) and line >= 1:
        lines = text.split("\n")
        if line <= len(lines):
            at = lines[line - 1].find(needle)
            if at >= 0:
                off = sum(len(x) + 1 for x in lines[: line - 1])
                return off + at, off + at + len(needle)
    at = text.find(needle)
    return (at, at + len(needle)) if at >= 0 else None


def locate_all(text: str, findings: Iterable[Any]) -> dict[str, list[Located]]:
    """fingerprint -> its evidence located (in its order); evidence not in the text keeps its line."""
    out: dict[str, list[Located]] = {}
    for f in findings:
        got = []
        for i, ev in enumerate(f.evidence):
            span = locate(text, ev)
            if span is not None:
                got.append(Located(f.fingerprint, i, span[0], span[1], f.severity))
            else:
                line = ev.get("line") if isinstance(ev.get("line"), int) else None
                got.append(Located(f.fingerprint, i, -1, -1, f.severity, line, ev.get("text") or ""))
        out[f.fingerprint] = got
    return out


# --------------------------------------------------------------------------- segments


def segments(text: str, a: int, b: int, spans: list[Located]) -> list[Seg]:
    """text[a:b] cut where evidence starts and ends; each piece knows the findings over it."""
    if not any(s.start < b and s.end > a for s in spans):
        return [Seg(text[a:b])]
    cuts = {a, b}
    for s in spans:
        if s.start < b and s.end > a:
            cuts.update(x for x in (s.start, s.end) if a < x < b)
    points = sorted(cuts)
    out = []
    for x, y in zip(points, points[1:]):
        over = [s for s in spans if s.start <= x and s.end >= y and s.start < s.end]
        anchors = [f"e-{s.fp}-{s.index}" for s in over if s.start == x]
        fps = tuple(dict.fromkeys(s.fp for s in over))
        sev = min((s.sev for s in over), key=lambda v: _SEV_RANK.get(v, 9), default="")
        out.append(Seg(text[x:y], fps, sev, anchors[0] if anchors else ""))
    return out or [Seg("")]


def _cells(text: str, a: int, b: int, spans: list[Located]) -> list[list[Seg]]:
    cells, x = [], a
    while True:
        tab = text.find("\t", x, b)
        end = b if tab < 0 else tab
        cells.append(segments(text, x, end, spans))
        if tab < 0:
            return cells
        x = tab + 1


# --------------------------------------------------------------------------- the document


@dataclass
class DocView:
    units: list[Unit]
    tables: list[Table]
    anchors: dict[str, int]  # fingerprint -> index of the unit its card stands beside (-1: the whole document)


def build(text: str, findings: list[Any]) -> DocView:
    """The text as units, with the findings' evidence marked and each finding given its line."""
    located = locate_all(text, findings)
    lines = text.split("\n")
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)
    by_line: dict[int, list[Located]] = {}
    absent: dict[int, list[Located]] = {}
    for locs in located.values():
        for s in locs:
            if s.start >= 0:
                first = bisect.bisect_right(starts, s.start) - 1
                last = bisect.bisect_right(starts, max(s.start, s.end - 1)) - 1
                for i in range(first, last + 1):
                    by_line.setdefault(i, []).append(s)
            elif s.line is not None and 1 <= s.line <= len(lines):
                absent.setdefault(s.line - 1, []).append(s)
    units = []
    for i, ln in enumerate(lines):
        a = starts[i]
        cells = _cells(text, a, a + len(ln), by_line.get(i, []))
        for s in absent.get(i, []):
            cells[-1].append(Seg(s.text, (s.fp,), s.sev, f"e-{s.fp}-{s.index}", absent=True))
        units.append(Unit(i + 1, cells))
    tables = _tables(units)
    anchors = {}
    for fp, locs in located.items():
        anchors[fp] = _anchor_line(locs, starts, len(lines))
    return DocView(units, tables, anchors)


def mark_done(view: DocView, decided: set[str]) -> None:
    """Set `done` on the pieces of text whose findings all have a decision."""
    for u in view.units:
        for c in u.cells:
            for s in c:
                s.done = bool(s.fps) and all(fp in decided for fp in s.fps)


def _anchor_line(locs: list[Located], starts: list[int], n: int) -> int:
    """The unit a finding's card stands beside: where its first piece of evidence is."""
    for s in locs:
        if s.start >= 0:
            return bisect.bisect_right(starts, s.start) - 1
        if s.line is not None and 1 <= s.line <= n:
            return s.line - 1
    return -1


def _tables(units: list[Unit]) -> list[Table]:
    """Runs of table rows become tables (a blank line, where a page broke the table, does not end
    one); their columns get widths from what they hold."""
    tables: list[Table] = []
    i = 0
    while i < len(units):
        if len(units[i].cells) < 2:
            i += 1
            continue
        rows, j = [], i
        while j < len(units) and (len(units[j].cells) >= 2 or units[j].blank and _row_follows(units, j)):
            if len(units[j].cells) >= 2:
                rows.append(units[j])
            j += 1
        ncols = max(len(u.cells) for u in rows)
        for u in rows:
            u.table = len(tables)
            filled = [k for k, c in enumerate(u.cells) if _text_of(c).strip() or any(s.absent for s in c)]
            if len(filled) == 1 and filled[0] == 0:  # a section's title in its first cell: across the row
                del u.cells[1:]
            u.span_last = ncols - len(u.cells) + 1
        tables.append(Table(ncols, _widths(rows, ncols), _header(rows[0], ncols, len(rows)), rows[0].line))
        i = j
    return tables


def _row_follows(units: list[Unit], j: int) -> bool:
    """Whether a table row comes after the blank lines from j on."""
    while j < len(units) and units[j].blank:
        j += 1
    return j < len(units) and len(units[j].cells) >= 2


def _text_of(cell: list[Seg]) -> str:
    return "".join(s.text for s in cell if not s.absent)


def _widths(rows: list[Unit], ncols: int) -> list[int]:
    """Column widths in percent, by the mean length of what each column holds (at least 5%)."""
    total = [0] * ncols
    count = [0] * ncols
    for u in rows:
        if len(u.cells) != ncols:  # a section's title, a short row: not what the columns hold
            continue
        for k, c in enumerate(u.cells):
            n = len(_text_of(c))
            if n:
                total[k] += min(n, 300)
                count[k] += 1
    mean = [max(3.0, total[k] / count[k]) if count[k] else 3.0 for k in range(ncols)]
    raw = [m**0.7 for m in mean]  # long columns get more room, short ones still readable
    share = [max(5.0, 100 * r / sum(raw)) for r in raw]
    scale = 100 / sum(share)
    widths = [max(1, int(w * scale)) for w in share]
    widths[max(range(ncols), key=lambda k: widths[k])] += 100 - sum(widths)
    return widths


def _header(first: Unit, ncols: int, nrows: int) -> list[str]:
    """The first row's cells when it reads as a header (every cell short and filled, more rows below)."""
    cells = [_text_of(c).strip() for c in first.cells]
    if nrows < 3 or len(cells) != ncols or any(not c or len(c) > 60 for c in cells):
        return []
    return cells


# --------------------------------------------------------------------------- what is shown, what is folded


def rows(view: DocView, cards: dict[str, Any], order: list[str], *, fold: bool = True) -> tuple[list[Any], list[Row]]:
    """The page's rows: each line with findings (and the header row of its table) shown with its cards,
    the lines between folded. Returns the cards about the whole document and the rows."""
    at: dict[int, list[Any]] = {}
    top = []
    for fp in order:
        i = view.anchors.get(fp, -1)
        (top if i < 0 else at.setdefault(i, [])).append(cards[fp])
    flagged = {i for i, u in enumerate(view.units) if any(s.fps for c in u.cells for s in c)} | set(at)
    shown = set(flagged)
    for i in flagged:
        t = view.units[i].table
        if t is not None and view.tables[t].header:
            shown.add(next(k for k, u in enumerate(view.units) if u.line == view.tables[t].first_line))
    if not fold or not at and not top:
        shown = set(range(len(view.units)))
    refs = _refs(view, cards, at)
    out: list[Row] = []
    pending: list[Unit] = []
    for i, u in enumerate(view.units):
        if i in shown:
            _flush(out, pending, view)
            pending = []
            if not u.blank or i in at:
                out.append(Row(_pieces([u], view), at.get(i, []), first=u.line, last=u.line, lines=1, refs=refs.get(i, [])))
        else:
            pending.append(u)
    _flush(out, pending, view)
    return top, out


def _refs(view: DocView, cards: dict[str, Any], at: dict[int, list[Any]]) -> dict[int, list[Ref]]:
    """For each line with evidence of a finding whose card stands beside another line: a pointer to it."""
    lines_of: dict[str, list[int]] = {}
    for i, u in enumerate(view.units):
        for fp in dict.fromkeys(fp for c in u.cells for s in c for fp in s.fps):
            lines_of.setdefault(fp, []).append(i)
    out: dict[int, list[Ref]] = {}
    for fp, lines in lines_of.items():
        home = view.anchors.get(fp, -1)
        if fp not in cards or len(lines) < 2 and home in lines:
            continue
        for k, i in enumerate(lines, 1):
            if i != home and cards[fp] not in at.get(i, []):
                out.setdefault(i, []).append(Ref(cards[fp], k, len(lines), up=home < i))
    return out


#: a single line this short is shown rather than folded (a fold's summary takes as much room)
SHORT_LINE = 110


def _flush(out: list[Row], pending: list[Unit], view: DocView) -> None:
    units = [u for u in pending if not u.blank]
    if len(units) == 1 and sum(len(_text_of(c)) for c in units[0].cells) <= SHORT_LINE:
        out.append(Row(_pieces(units, view), first=units[0].line, last=units[0].line, lines=1))
    elif units:
        out.append(Row(_pieces(units, view), folded=True, first=units[0].line, last=units[-1].line, lines=len(units)))


def _pieces(units: list[Unit], view: DocView) -> list[tuple[Table | None, list[Unit]]]:
    pieces: list[tuple[Table | None, list[Unit]]] = []
    for u in units:
        t = view.tables[u.table] if u.table is not None else None
        if pieces and pieces[-1][0] is t:
            pieces[-1][1].append(u)
        else:
            pieces.append((t, [u]))
    return pieces


# --------------------------------------------------------------------------- excerpts (report, list of findings)


@dataclass
class Excerpt:
    line: int | None
    page: int | None
    part: str | None
    cells: list[list[Seg]]  # one cell for a paragraph; the row's cells for a table row
    before: bool = False  # text cut before
    after: bool = False  # text cut after
    absent: str | None = None  # evidence that is not in the text

    @property
    def row(self) -> bool:
        return len(self.cells) > 1


def excerpt(text: str | None, f: Any, index: int, ev: dict[str, Any], context: int = CONTEXT_CHARS) -> Excerpt:
    """One piece of evidence in its paragraph or table row, cut to `context` characters on each side."""
    where = (ev.get("line") if isinstance(ev.get("line"), int) else None, ev.get("page"), ev.get("part"))
    span = locate(text, ev) if text else None
    if span is None:
        return Excerpt(*where, cells=[], absent=ev.get("text") or "")
    start, end = span
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    b = len(text) if b < 0 else b
    cut_a, cut_b = max(a, start - context), min(b, end + context)
    spans = [Located(f.fingerprint, index, start, end, f.severity)]
    return Excerpt(*where, cells=_cells(text, cut_a, cut_b, spans), before=cut_a > a, after=cut_b < b)
