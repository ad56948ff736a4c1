"""Ruled tables of a PDF page from PDFium's page objects (issue 21).

pdfplumber's table finder is sound but slow where its time goes: pdfminer parses
every page in Python before the finder sees a line. PDFium (C) has the same
facts at once: the path objects (the rulings) and the characters with their
boxes. So the edges and characters are built here from PDFium, in the form
pdfplumber's finder takes them, and pdfplumber's own finder steps (snap and join
the edges, cross them, build and group the cells, read each cell's characters
into lines and words) turn them into tables: one algorithm, two sources of facts.

The facts match pdfminer's: a path is cut into subpaths at each move; a subpath's
points are its segments' end points (Bézier control points are not points of the
path) plus its start when it is closed; each pair of consecutive points that are
level or plumb is an edge (a rectangle gives its four sides). Objects inside form
XObjects are placed by the forms' matrices. Characters are the text layer's
own with their loose boxes' widths and pdfminer's heights (the font size over the
baseline), and the spaces PDFium puts back where the text had them
(it drops drawn space glyphs), not the line ends it adds.

`find_tables` returns None where these facts cannot be trusted to match
(text drawn turned on the page: pdfplumber reads it in its own directions),
and `vanban.extract.pdf` then asks pdfplumber, as before.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import io
import itertools
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table, TableSettings, cells_to_tables, edges_to_intersections, merge_edges
from pdfplumber.utils import filter_edges, obj_to_bbox
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES

from vanban.extract import tablecost
from vanban.extract.pdfium_calls import bare
from vanban.extract.base import clean_text, join_lines
from vanban.model import Cell, Loc, Row

if TYPE_CHECKING:
    import pypdfium2 as pdfium

    from vanban.extract.pdf_blocks import Line

_TOLERANCE = DEFAULT_X_TOLERANCE
assert DEFAULT_X_TOLERANCE == DEFAULT_Y_TOLERANCE
_SETTINGS = TableSettings.resolve(None)  # pdfplumber's defaults: what `page.find_tables()` uses
_BEZIER = pdfium_c.FPDF_SEGMENT_BEZIERTO
_MOVE = pdfium_c.FPDF_SEGMENT_MOVETO
_FORM = pdfium_c.FPDF_PAGEOBJ_FORM
_PATH = pdfium_c.FPDF_PAGEOBJ_PATH
_TEXT = pdfium_c.FPDF_PAGEOBJ_TEXT
# the functions called once per page object, path segment or character (`pdfium_calls`)
_GET_TYPE, _GET_MATRIX = bare("FPDFPageObj_GetType"), bare("FPDFPageObj_GetMatrix")
_PAGE_OBJECT = bare("FPDFPage_GetObject")
_COUNT_SEGMENTS, _GET_SEGMENT = bare("FPDFPath_CountSegments"), bare("FPDFPath_GetPathSegment")
_SEGMENT_TYPE, _SEGMENT_POINT, _SEGMENT_CLOSE = (bare("FPDFPathSegment_GetType"), bare("FPDFPathSegment_GetPoint"),
                                                 bare("FPDFPathSegment_GetClose"))
_LOOSE_BOX, _ORIGIN, _FONT_SIZE = bare("FPDFText_GetLooseCharBox"), bare("FPDFText_GetCharOrigin"), bare("FPDFText_GetFontSize")
_GENERATED = bare("FPDFText_IsGenerated")


def _clusters(items: list[dict], key: str) -> list[list[dict]]:
    """`pdfplumber.utils.cluster_objects(items, key, 3)`: groups of items whose `key` values chain
    within 3 points, in the order of those values, each group in the items' order."""
    index: dict[float, int] = {}
    group, last = -1, None
    for value in sorted({item[key] for item in items}):
        if last is None or value > last + _TOLERANCE:
            group += 1
        index[value] = group
        last = value
    ordered = sorted(items, key=lambda item: index[item[key]])
    return [list(g) for _, g in itertools.groupby(ordered, key=lambda item: index[item[key]])]


def cell_text(chars: list[dict]) -> str:
    """`pdfplumber.utils.extract_text(chars)` with its default settings, for upright characters:
    lines by top (3 points), words split at spaces and at gaps over 3 points, ligatures expanded."""
    if len({c["top"] for c in chars}) == 1:  # one line (most cells): both clusterings are the identity
        return " ".join("".join(LIGATURES.get(c["text"], c["text"]) for c in w) for w in _words([chars]))
    merged = [{"top": min(c["top"] for c in w), "text": "".join(LIGATURES.get(c["text"], c["text"]) for c in w)}
              for w in _words(_clusters(chars, "top"))]
    return "\n".join(" ".join(w["text"] for w in line) for line in _clusters(merged, "top"))


def _words(lines: list[list[dict]]) -> list[list[dict]]:
    """The words of `extract_text`: each line's characters left to right, split at spaces and gaps."""
    words = []
    tolerance = _TOLERANCE
    for line in lines:
        word: list[dict] = []
        px0 = px1 = ptop = 0.0  # the word's last character's
        for char in sorted(line, key=_X0):
            if char["text"].isspace():
                if word:
                    words.append(word)
                word = []
                continue
            x0, top = char["x0"], char["top"]
            if word and (x0 < px0 or x0 > px1 + tolerance or abs(top - ptop) > tolerance):
                words.append(word)
                word = []
            word.append(char)
            px0, px1, ptop = x0, char["x1"], top
        if word:
            words.append(word)
    return words


_X0 = operator.itemgetter("x0")


class _Table(Table):
    """pdfplumber's `Table` whose `extract` finds each row's characters by bisection over the
    characters sorted by their middle height, not by testing every character against every row
    (the same characters, in the same order, hence the same text)."""

    def __init__(self, cells: list[tuple], chars: list[dict], middles: tuple[list[float], list[float]],
                 order: list[int], mids: list[float]):
        super().__init__(None, cells)
        self._chars, self._middles, self._order, self._mids = chars, middles, order, mids
        self._rows: list | None = None

    @property
    def rows(self) -> list:  # pdfplumber builds them anew at each use
        if self._rows is None:
            self._rows = super().rows
        return self._rows

    def extract(self, **kwargs) -> list[list[str | None]]:
        chars, out = self._chars, []
        xmid, ymid = self._middles  # each character's middle, across and down
        for row in self.rows:
            x0, top, x1, bottom = row.bbox
            found = self._order[bisect.bisect_left(self._mids, top):bisect.bisect_left(self._mids, bottom)]
            in_row = [i for i in sorted(found) if x0 <= xmid[i] < x1]
            # the row's characters by their middle from left to right: a cell's are a stretch of them, put
            # back in the text layer's order
            by_x = sorted(in_row, key=xmid.__getitem__)
            xs = [xmid[i] for i in by_x]
            texts: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                cx0, ctop, cx1, cbottom = cell
                stretch = sorted(by_x[bisect.bisect_left(xs, cx0):bisect.bisect_left(xs, cx1)])
                inside = [chars[i] for i in stretch if ctop <= ymid[i] < cbottom]
                texts.append(cell_text(inside) if inside else "")
            out.append(texts)
        return out


def cells_of(intersections: dict) -> list[tuple]:
    """`pdfplumber.table.intersections_to_cells`, the same cells in the same order, without its
    quadratic scans: each point's points below and to the right come from its column and its row,
    and each point's edges are made a set once (tests/test_pdf_tables.py compares the two)."""
    vertical = {p: set(map(obj_to_bbox, d["v"])) for p, d in intersections.items()}
    horizontal = {p: set(map(obj_to_bbox, d["h"])) for p, d in intersections.items()}
    points = sorted(intersections)
    columns: dict[float, list] = {}
    rows: dict[float, list] = {}
    for p in points:  # sorted by x then y: a column's points go down, a row's go right
        columns.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)
    cells = []
    for pt in points:
        cell = _smallest_cell(pt, columns[pt[0]], rows[pt[1]], vertical, horizontal)
        if cell:
            cells.append(cell)
    return cells


def _smallest_cell(pt, column, row, vertical, horizontal):
    right = [q for q in row if q[0] > pt[0]]
    for below in (q for q in column if q[1] > pt[1]):
        if not vertical[pt] & vertical[below]:
            continue
        for r in right:
            if not horizontal[pt] & horizontal[r]:
                continue
            corner = (r[0], below[1])
            if corner in vertical and vertical[corner] & vertical[r] and horizontal[corner] & horizontal[below]:
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def _compose(outer: tuple, inner: tuple) -> tuple:
    """The matrix applying `inner` then `outer` (PDF matrices a b c d e f)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _objects(page_raw, rotated: list, depth: int = 4):
    """(path object, its matrix to page space) for every path of the page, forms included;
    `rotated` gets True appended for each text object drawn turned (its characters are not upright)."""
    matrix = (ctypes.c_float * 6)()  # FS_MATRIX's a b c d e f, read in one slice
    get_type, get_matrix = _GET_TYPE, _GET_MATRIX

    def walk(count, get, outer, level):
        for i in range(count):
            obj = get(i)
            kind = get_type(obj)
            if kind not in (_PATH, _FORM, _TEXT) or not get_matrix(obj, matrix):
                continue
            m = matrix[:]
            if outer is not None:
                m = _compose(outer, m)
            if kind == _PATH:
                yield obj, m
            elif kind == _TEXT:
                if abs(m[1]) > 1e-6 or abs(m[2]) > 1e-6 or m[0] <= 0 or m[3] <= 0:
                    rotated.append(True)
            elif level < depth:
                yield from walk(pdfium_c.FPDFFormObj_CountObjects(obj), functools.partial(pdfium_c.FPDFFormObj_GetObject, obj),
                                m, level + 1)

    yield from walk(pdfium_c.FPDFPage_CountObjects(page_raw), functools.partial(_PAGE_OBJECT, page_raw), None, 0)


def _subpaths(obj, m: tuple, top_edge: float, count: int, point: tuple) -> list[list[tuple[float, float]]]:
    """The subpaths of a path object of `count` segments as lists of points in page space (top-left origin);
    `point` is (x, y, byref(x), byref(y)), made once a page: ctypes' dearest step."""
    found = []
    a, b, c, d, e, f = m
    x, y, px, py = point
    get_segment, get_type, get_point, get_close = _GET_SEGMENT, _SEGMENT_TYPE, _SEGMENT_POINT, _SEGMENT_CLOSE
    points: list[tuple[float, float]] = []
    bezier = 0
    for i in range(count):
        seg = get_segment(obj, i)
        kind = get_type(seg)
        if kind == _MOVE:
            if len(points) > 1:
                found.append(points)
            points, bezier = [], 0
        if kind == _BEZIER:
            bezier += 1
            if bezier % 3:  # the two control points of a curve are not points of the path
                continue
        else:
            bezier = 0
        get_point(seg, px, py)
        xv, yv = x.value, y.value
        points.append((a * xv + c * yv + e, top_edge - (b * xv + d * yv + f)))
        if get_close(seg) and points:
            points.append(points[0])
    if len(points) > 1:
        found.append(points)
    return found


class OverBudget(Exception):
    """The page draws more segments than table detection may look at (`tablecost.MAX_SEGMENTS`)."""


def page_edges(page, top_edge: float, rotated: list | None = None) -> list[dict]:
    """The page's level and plumb path pieces as pdfplumber edges (see `_objects` for `rotated`).

    Raises `OverBudget` past `tablecost.MAX_SEGMENTS` drawn segments (counted as
    `tablecost.segments_over_budget` counts them, in the same walk)."""
    edges = []
    segments = 0
    count_segments = _COUNT_SEGMENTS
    x, y = ctypes.c_float(), ctypes.c_float()
    point = (x, y, ctypes.byref(x), ctypes.byref(y))
    for obj, m in _objects(page.raw, [] if rotated is None else rotated):
        count = count_segments(obj)
        segments += max(1, count)
        if segments > tablecost.MAX_SEGMENTS:
            raise OverBudget(tablecost.segments_message())
        for pts in _subpaths(obj, m, top_edge, count, point):
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                if x0 == x1:
                    orientation = "v"
                elif y0 == y1:
                    orientation = "h"
                else:
                    continue
                left, right, top, bottom = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
                edges.append({"object_type": "curve_edge", "x0": left, "x1": right, "top": top, "bottom": bottom,
                              "doctop": top, "width": right - left, "height": bottom - top, "orientation": orientation})
    return edges


def _codes(textpage_raw, n: int) -> list[int]:
    """The characters' code points, in one call when the text layer gives one UTF-16 unit a character."""
    buffer = (ctypes.c_ushort * (n + 1))()
    got = pdfium_c.FPDFText_GetText(textpage_raw, 0, n, buffer)
    codes = list(buffer[: max(0, got - 1)])
    if len(codes) != n or any(0xD800 <= c < 0xE000 for c in codes):
        return [pdfium_c.FPDFText_GetUnicode(textpage_raw, i) for i in range(n)]
    return codes


def page_chars(textpage_raw, top_edge: float) -> list[dict]:
    """The text layer's characters as pdfplumber chars (upright: `find_tables` checked)."""
    n = pdfium_c.FPDFText_CountChars(textpage_raw)
    box = pdfium_c.FS_RECTF()
    chars = []
    generated, loose, origin, font_size = _GENERATED, _LOOSE_BOX, _ORIGIN, _FONT_SIZE
    ox, oy = ctypes.c_double(), ctypes.c_double()
    pbox, pox, poy = ctypes.byref(box), ctypes.byref(ox), ctypes.byref(oy)  # made once: ctypes' dearest step
    sizes: dict[float, float] = {}  # loose-box height -> font size: one call a font and size, not a character
    last_span: tuple[float, float] | None = None  # the heights of the last character whose origin was read
    for i, code in enumerate(_codes(textpage_raw, n)):
        if code in (10, 13):
            continue
        if code == 32 and generated(textpage_raw, i) == 1:
            # PDFium drops the space glyphs a producer drew and puts its own spaces back: one
            # where the text had a space stands for it (pdfminer keeps the glyph), at the end of
            # the character before it, so that the cell it falls in is that character's
            if code == 32 and chars:
                last = chars[-1]
                chars.append({**last, "text": " ", "x0": last["x1"]})
            continue
        # the origin of each character (a loose box falls back to the glyph's own box in some fonts: its
        # bottom is no baseline), but of one whose box spans the same heights as the character before it:
        # the same font and size on the same line, the same baseline (one call fewer for most characters)
        if not loose(textpage_raw, i, pbox):
            continue
        span = (box.top, box.bottom)
        if span != last_span:
            if not origin(textpage_raw, i, pox, poy):
                last_span = None
                continue
            last_span = span
        # Heights as pdfminer's: the font size from the baseline down by the usual descent, the same
        # for every letter of a line (PDFium's loose box rises over a capital's accent)
        height = box.top - box.bottom
        size = sizes.get(height)
        if size is None:
            size = sizes[height] = font_size(textpage_raw, i)
        base = top_edge - oy.value
        text = "-" if code in (2, 0xFFFE) else chr(code)  # PDFium's mark for a hyphen that ends a line
        chars.append({"text": text, "x0": box.left, "x1": box.right, "top": base - 0.8 * size,
                      "bottom": base + 0.2 * size, "doctop": base - 0.8 * size, "upright": True, "size": size})
    return chars


def find_tables(page, textpage, top_edge: float) -> tuple[list[Table] | None, str | None]:
    """The page's ruled tables as pdfplumber `Table`s, and why they were not read (over the grid budget).

    None for the tables when PDFium's facts cannot stand in for pdfminer's here (see the module docstring).
    """
    s = _SETTINGS
    rotated: list = []
    try:
        edges = filter_edges(page_edges(page, top_edge, rotated), min_length=s.edge_min_length_prefilter)
    except OverBudget as exc:
        return [], str(exc)
    merged = merge_edges(edges, s.snap_x_tolerance, s.snap_y_tolerance, s.join_x_tolerance, s.join_y_tolerance)
    merged = filter_edges(merged, min_length=s.edge_min_length)
    over = tablecost.crossings_over_budget(merged)
    if over:
        return [], over
    cells = cells_of(edges_to_intersections(merged, s.intersection_x_tolerance, s.intersection_y_tolerance))
    groups = cells_to_tables(cells)
    if not groups:
        return [], None
    if rotated:
        return None, None
    chars = page_chars(textpage.raw, top_edge)
    middles = ([(c["x0"] + c["x1"]) / 2 for c in chars], [(c["top"] + c["bottom"]) / 2 for c in chars])
    order = sorted(range(len(chars)), key=middles[1].__getitem__)
    mids = [middles[1][i] for i in order]
    return [_Table(group, chars, middles, order, mids) for group in groups], None


# --------------------------------------------------------------------------- fragments of a page


@dataclass(slots=True)
class TableFragment:
    """The part of a ruled table on one page, as rows of cells."""

    rows: list[Row]
    top: float
    bottom: float
    x0: float
    x1: float
    columns: list[float]  # x of each column's left edge


def _cell_text(value: str) -> tuple[str, str | None]:
    text = ""
    for part in (part.strip() for part in value.split("\n")):
        if part:
            text = join_lines(text, part) if text else part
    text, _ = clean_text(text)
    return text, (value if value != text else None)


def _count_in(edges: list[float], low: float, high: float) -> int:
    """How many of the sorted `edges` are in [low - 0.5, high - 0.5)."""
    return max(0, bisect.bisect_left(edges, high - 0.5) - bisect.bisect_left(edges, low - 0.5))


def table_fragments(tables, page_number: int) -> list[TableFragment]:
    """A page's ruled tables (pdfplumber `Table`s, from `pdf_tables` or pdfplumber) with their spans and merges resolved.

    A table of one row or one column (a frame round a paragraph) is not a table.
    """
    fragments = []
    for table in tables:
        texts = table.extract()
        boxes = [row.cells for row in table.rows]
        if len(texts) < 2 or max(len(r) for r in texts) < 2:
            continue
        columns = sorted({round(b[0], 1) for row in boxes for b in row if b})
        row_tops = sorted({round(b[1], 1) for row in boxes for b in row if b})
        covered: dict[tuple[int, int], tuple[str, int]] = {}  # (row, col) -> ("v"|"h", colspan)
        rows: list[Row] = []
        for r, (row_boxes, row_texts) in enumerate(zip(boxes, texts)):
            cells: list[Cell] = []
            for c, (box, value) in enumerate(zip(row_boxes, row_texts)):
                if box is None or value is None:
                    how = covered.get((r, c))
                    if how and how[0] == "v":
                        cells.append(Cell(text="", col=c, colspan=how[1], merged_above=True, loc=Loc(page=page_number)))
                    continue  # covered by a cell spanning columns, or by the cell above's span
                colspan = max(1, _count_in(columns, box[0], box[2]))
                rowspan = max(1, _count_in(row_tops, box[1], box[3]))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        if dr or dc:
                            covered[(r + dr, c + dc)] = ("v" if dr and not dc else "h", colspan)
                text, raw = _cell_text(value)
                cells.append(Cell(text=text, col=c, colspan=colspan, rowspan=rowspan, raw=raw, loc=Loc(page=page_number)))
            rows.append(Row(cells=cells, loc=Loc(page=page_number)))
        x0, top, x1, bottom = table.bbox
        fragments.append(TableFragment(rows, top, bottom, x0, x1, columns))
    return fragments


def place_tables(lines: list[Line], tables: list[TableFragment]) -> list[Line | TableFragment]:
    """Lines outside the tables, with each table put before the first line below its top."""
    def inside(line: Line, t: TableFragment) -> bool:
        middle = (line.top + line.bottom) / 2
        return t.top - 1 <= middle <= t.bottom + 1 and line.x1 > t.x0 and line.x0 < t.x1

    items: list[Line | TableFragment] = [ln for ln in lines if not any(inside(ln, t) for t in tables)]
    for t in sorted(tables, key=lambda t: t.top):
        at = next((i for i, it in enumerate(items) if not isinstance(it, TableFragment) and it.top >= t.top), len(items))
        items.insert(at, t)
    return items


class Plumber:
    """pdfplumber on the same PDF, opened on the first page PDFium's facts cannot read the tables of."""

    def __init__(self, pdf_data: bytes):
        self.data, self.pdf = pdf_data, None

    def tables(self, index: int, notes: list[str]) -> list[TableFragment]:
        if self.pdf is None:
            import pdfplumber

            self.pdf = pdfplumber.open(io.BytesIO(self.data))
        plumber_page = self.pdf.pages[index]
        try:
            over = tablecost.grid_over_budget(plumber_page)
            if over:
                notes.append(f"page {index + 1}: {over}")
                return []
            return table_fragments(plumber_page.find_tables(), index + 1)
        except Exception as exc:  # pdfminer errors on odd pages: keep the text
            notes.append(f"page {index + 1}: tables not read ({type(exc).__name__}: {exc})")
            return []
        finally:
            plumber_page.close()

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def page_tables(page: pdfium.PdfPage, textpage, index: int, plumber: Plumber, notes: list[str]) -> list[TableFragment]:
    """The ruled tables of a page that looks ruled: from PDFium's objects (`pdf_tables`), or
    from pdfplumber where those cannot stand in; none when the page is over the work budget
    (issue 14: the drawn segments and the rule crossings are bounded, `tablecost`)."""
    try:
        tables, over = find_tables(page, textpage, page.get_mediabox()[3])
    except Exception:  # noqa: BLE001 - an odd page object: pdfplumber reads the page as before
        tables, over = None, None
    if over:
        notes.append(f"page {index + 1}: {over}")
        return []
    if tables is not None:
        try:
            return table_fragments(tables, index + 1)
        except Exception:  # noqa: BLE001 - pdfplumber reads the page as before
            pass
    over = tablecost.segments_over_budget(page)
    if over:
        notes.append(f"page {index + 1}: {over}")
        return []
    return plumber.tables(index, notes)
