"""Planted variants of the Lâm Đồng 2026 plans: the real Word files with merges and empty cells
planted into their task tables, as an author could have written them.

What is planted (`PLANTS`, by section and TT of the row):
- one cell spanning "Chủ trì" and "Phối hợp" (Word `gridSpan`), keeping the lead's text;
- one cell spanning "Phối hợp" and "Theo dõi, kiểm tra, đôn đốc", keeping the partners' text;
- one cell spanning all three agency columns;
- empty cells that are not merged (one empty paragraph, as Word writes an empty cell) under
  filled ones, in task rows and in a product row;
- cells merged from above (`vMerge` continue): a product row's lead, and a task row's
  deadline shared with the task above (a deadline written once for two steps);
- optionally the header over two rows: "Cơ quan thực hiện" spanning "Chủ trì thực hiện |
  Phối hợp thực hiện | Theo dõi, kiểm tra, đôn đốc", the other header cells merged down.

The expected reading of every row is taken from python-docx, an independent reader: its
`row.cells` repeats a merged cell's text in each grid column the cell spans and in each
row a vertical merge covers, and gives an empty cell as empty, which is what the issue asks
of a clean task table.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CCHC = ROOT / "corpus" / "samples" / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx"
TUYEN_TRUYEN = ROOT / "tests" / "data" / "planted" / "Ke hoach tuyen truyen CCHC tinh Lam Dong nam 2026.docx"

# grid columns of the CCHC appendix: STT, Nhiệm vụ, Sản phẩm, Thời gian, Chủ trì, Phối hợp, Theo dõi
TT, TASK, PRODUCT, DEADLINE, LEAD, PARTNERS, MONITOR = range(7)

#: (section, TT, which product of the task (0 first), what, grid column, how many columns)
CCHC_PLANTS: list[tuple[str, str, int, str, int, int]] = [
    ("I", "2", 0, "span", LEAD, 2),  # "Sở Tư pháp; UBND các xã, ..." over Chủ trì and Phối hợp
    ("II", "9", 0, "span", LEAD, 2),
    ("IV", "3", 0, "span", LEAD, 2),
    ("I", "4", 0, "span", PARTNERS, 2),  # "Sở Khoa học và Công nghệ" over Phối hợp and Theo dõi
    ("V", "2", 0, "span", PARTNERS, 2),
    ("VI", "8", 0, "span", PARTNERS, 2),
    ("III", "4", 0, "span", LEAD, 3),  # one cell over the three agency columns
    ("I", "3", 0, "clear", PARTNERS, 1),  # empty, under a filled cell
    ("II", "3", 0, "clear", LEAD, 1),
    ("V", "4", 0, "clear", MONITOR, 1),
    ("VI", "10", 0, "clear", DEADLINE, 1),
    ("VII", "5", 1, "clear", LEAD, 1),  # a product row's empty lead: not the lead of the product above
    ("VII", "3", 1, "continue", LEAD, 1),  # a product row's lead merged from above: the lead above
    ("IV", "4", 0, "continue", DEADLINE, 1),  # a task's deadline merged with the task above's
]

# grid columns of the tuyên truyền tables: TT, Nội dung, Trách nhiệm thực hiện, Thời gian (Năm 2026)
TUYEN_TRUYEN_PLANTS: list[tuple[str, str, int, str, int, int]] = [
    ("", "3", 0, "clear", 2, 1),  # an empty lead under "Lãnh đạo Sở Giáo dục và Đào tạo"
    ("", "5", 0, "continue", 2, 1),  # a lead merged with the row above's
    ("", "7", 0, "clear", 3, 1),  # an empty date under a filled one
]


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _grid_cells(tr) -> list[tuple[int, object]]:
    """(grid column, w:tc) of a row."""
    out = []
    col = 0
    for tc in tr.iter(_w("tc")):
        if tc.getparent() is not tr:
            continue
        out.append((col, tc))
        span = tc.find(f"{_w('tcPr')}/{_w('gridSpan')}")
        col += int(span.get(_w("val"))) if span is not None else 1
    return out


def _tc_at(tr, col: int):
    return next(tc for c, tc in _grid_cells(tr) if c == col)


def _tcpr(tc):
    from docx.oxml import OxmlElement

    pr = tc.find(_w("tcPr"))
    if pr is None:
        pr = OxmlElement("w:tcPr")
        tc.insert(0, pr)
    return pr


def _set_child(pr, tag: str, **attrs: str) -> None:
    from docx.oxml import OxmlElement

    old = pr.find(_w(tag))
    if old is not None:
        pr.remove(old)
    el = OxmlElement(f"w:{tag}")
    for k, v in attrs.items():
        el.set(_w(k), v)
    # schema order of tcPr: tcW, gridSpan, vMerge, tcBorders, ...
    anchor = pr.find(_w("tcW"))
    if tag == "vMerge" and pr.find(_w("gridSpan")) is not None:
        anchor = pr.find(_w("gridSpan"))
    if anchor is not None:
        anchor.addnext(el)
    else:
        pr.insert(0, el)


def _empty(tc) -> None:
    """The cell as Word writes an empty one: one paragraph, no runs (its paragraph properties kept)."""
    paras = [p for p in tc if p.tag == _w("p")]
    for p in paras[1:]:
        tc.remove(p)
    for r in [r for r in paras[0] if r.tag != _w("pPr")]:
        paras[0].remove(r)


def _span(tr, col: int, n: int) -> None:
    tc = _tc_at(tr, col)
    covered = [t for c, t in _grid_cells(tr) if col < c < col + n]
    width = 0
    for t in [tc, *covered]:
        w = t.find(f"{_w('tcPr')}/{_w('tcW')}")
        width += int(w.get(_w("w"))) if w is not None else 0
    for t in covered:
        tr.remove(t)
    pr = _tcpr(tc)
    _set_child(pr, "gridSpan", val=str(n))
    if width and pr.find(_w("tcW")) is not None:
        pr.find(_w("tcW")).set(_w("w"), str(width))


def _continue(table_rows, i: int, col: int) -> None:
    """Row i's cell at `col` continues the cell above (vMerge), the one above restarting it."""
    above = _tc_at(table_rows[i - 1], col)
    pr_above = _tcpr(above)
    if pr_above.find(_w("vMerge")) is None:
        _set_child(pr_above, "vMerge", val="restart")
    tc = _tc_at(table_rows[i], col)
    _empty(tc)
    _set_child(_tcpr(tc), "vMerge")


def _row_index(document, table, section: str, tt: str, nth: int) -> int:
    """The index of the nth row of task (section, TT), reading STT as python-docx shows it."""
    current = ""
    seen = 0
    for i, row in enumerate(table.rows):
        first = row.cells[0].text.strip()
        if re.fullmatch(r"[IVX]+", first):
            current = first
            continue
        if current == section and first == tt:
            if seen == nth:
                return i
            seen += 1
    raise LookupError(f"no row {section}.{tt} #{nth}")


def task_table(document):
    """The plan's task table: the one whose header names a task and a lead column."""
    for t in document.tables:
        head = " ".join(c.text for r in list(t.rows)[:2] for c in r.cells)
        if ("Nhiệm vụ" in head or "Nội dung" in head) and ("Chủ trì" in head or "Trách nhiệm" in head):
            return t
    raise LookupError("no task table")


def _two_row_header(table) -> None:
    """Put a "Cơ quan thực hiện" row over the agency columns' names; the other header cells merge down."""
    top = table.rows[0]._tr
    sub = copy.deepcopy(top)
    top.addnext(sub)
    for col, tc in _grid_cells(top):
        if col < LEAD:
            _set_child(_tcpr(tc), "vMerge", val="restart")
    for col, tc in _grid_cells(sub):
        if col < LEAD:
            _empty(tc)
            _set_child(_tcpr(tc), "vMerge")
    lead_tc = _tc_at(top, LEAD)
    _span(top, LEAD, 3)
    for t in lead_tc.iter(_w("t")):
        t.text = ""
    next(lead_tc.iter(_w("t"))).text = "Cơ quan thực hiện"


def plant(src: Path, out: Path, plants: list[tuple[str, str, int, str, int, int]], two_row_header: bool = False) -> Path:
    """Write `src` with `plants` applied to its task table (and its header over two rows) as `out`."""
    import docx

    document = docx.Document(str(src))
    table = task_table(document)
    steps = [(_row_index(document, table, s, tt, nth), what, col, n) for s, tt, nth, what, col, n in plants]
    rows = [r._tr for r in table.rows]
    for i, what, col, n in steps:
        if what == "span":
            _span(rows[i], col, n)
        elif what == "clear":
            _empty(_tc_at(rows[i], col))
        elif what == "continue":
            _continue(rows, i, col)
    if two_row_header:
        _two_row_header(table)
    document.save(str(out))
    return out


def expected_rows(docx_path: Path, header_rows: int = 1) -> list[dict[str, str]]:
    """The task rows as python-docx reads the table: each grid column's text, a merged cell's
    text in each column and row it covers, roman section rows skipped."""
    import docx

    table = task_table(docx.Document(str(docx_path)))
    names = ["task_no", "task", "product", "deadline", "lead", "partners", "monitor"]
    if len(table.columns) == 4:
        names = ["task_no", "task", "lead", "deadline"]
    out = []
    for row in list(table.rows)[header_rows:]:
        texts = [" ".join(c.text.split()) for c in row.cells]
        if re.fullmatch(r"[IVX]+", texts[0]):
            continue
        out.append(dict(zip(names, texts)))
    return out
