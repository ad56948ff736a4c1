"""Task tables: the appendix "Nhiệm vụ cụ thể" tables, cleaned into one row per product.

What a rendering or a page does to a table, undone:
- tables that a page break cut in two (with the header repeated or not) are stitched;
- columns are mapped by their header text, not their position: the seed's order
  (TT | Nội dung, nhiệm vụ | Sản phẩm | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian
  hoàn thành), the Lâm Đồng one (STT | Nhiệm vụ | Sản phẩm | Thời gian hoàn thành |
  Chủ trì thực hiện | Phối hợp thực hiện | Theo dõi, kiểm tra, đôn đốc: the last is
  `monitor`) and a procedure's (TT | Nội dung các bước công việc | Thời hạn | Đơn vị, cá
  nhân thực hiện) all work, and unknown columns are kept in `Task.extra`;
- columns are grid columns: a cell spanning several (Word `gridSpan`, a PDF cell over
  two rulings) is found under each of them. Its text belongs to each agency or deadline
  column it spans (one cell over "Chủ trì" and "Phối hợp" is both the lead and the
  partners); between the task and the product column it is the task's only;
- a header over two rows keeps each column's meaning: "Cơ quan thực hiện" over
  "Chủ trì" | "Phối hợp" gives lead and partners; "Thời gian" over "Bắt đầu" | "Hoàn
  thành" gives one deadline "start – end". A row of column numbers ("1 | 2 | 3 ...")
  under the header is not a task;
- a section header row ("I. CẢI CÁCH THỂ CHẾ" and empty cells) becomes the
  `section`/`section_title` of the rows under it; a table with none takes the roman
  heading written just above it ("I. Đánh giá cấp cơ sở");
- a row split by a page break (after the break: no TT, the task cell going on
  mid-phrase) is joined back to the row above;
- a row with no TT and no task (or with them merged from above) is another product of
  the task above. What its empty cells mean depends on the reader: Word, PDF and HTML
  tell a merged cell (`Cell.merged_above`) from an empty one, so only merged cells take
  the text above and an empty one stays empty; a text rendering cannot tell, so its empty
  lead, partners, deadline and monitor cells are read as the merged cells they usually are.
  The first row after a page break is read as a text rendering would be: a PDF cannot
  show a merge continued across the break;
- a task of its own under a cell merged from above (a deadline shared by several steps
  of a procedure) takes the merged cell's text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from vanban.model import Block, Cell, Loc, Row, SourceDocument, Task
from vanban.normalize.fold import join_lines, match_key
from vanban.normalize.numerals import ROMAN

#: field -> header words (folded) that name it, best first
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "task_no": ("tt", "stt", "so tt", "so thu tu"),
    "task": ("noi dung, nhiem vu", "noi dung nhiem vu", "nhiem vu", "noi dung", "ten nhiem vu", "noi dung cong viec", "cong viec",
             "nhiem vu, giai phap", "cac buoc cong viec", "hoat dong"),
    "product": ("san pham", "ket qua", "san pham dau ra", "hinh thuc san pham", "ket qua/san pham"),
    "lead": ("co quan chu tri", "chu tri thuc hien", "don vi chu tri", "chu tri", "co quan thuc hien", "don vi thuc hien",
             "trach nhiem thuc hien", "co quan, don vi chu tri", "don vi, ca nhan thuc hien", "don vi/ca nhan thuc hien",
             "co quan, don vi thuc hien", "don vi, ca nhan chu tri", "ca nhan thuc hien", "nguoi thuc hien", "bo phan thuc hien",
             "co quan tham muu", "don vi tham muu", "trach nhiem"),
    "partners": ("co quan phoi hop", "phoi hop thuc hien", "don vi phoi hop", "phoi hop", "co quan, don vi phoi hop"),
    "deadline": ("thoi gian hoan thanh", "thoi gian thuc hien", "thoi han hoan thanh", "thoi gian", "thoi han", "tien do",
                 "tien do thuc hien", "thoi gian trinh", "thoi diem"),
    "monitor": ("theo doi, kiem tra, don doc", "theo doi, don doc, kiem tra", "theo doi, don doc", "theo doi, kiem tra",
                "co quan theo doi", "don vi theo doi", "theo doi", "kiem tra, don doc", "don doc"),
}

#: the fields a task row has, in table order of the seed
FIELDS: tuple[str, ...] = ("task_no", "task", "product", "lead", "partners", "deadline", "monitor")
#: fields whose cells merged from above carry over to the rows they cover
_CARRIED = ("product", "lead", "partners", "deadline", "monitor")
#: how the texts of several grid columns of one field are joined (a two-row header's children)
_JOINERS = {"lead": "; ", "partners": "; ", "monitor": "; ", "deadline": " – "}
#: fields that a cell spanning their columns and an earlier field's does not give its text to
_FIRST_ONLY = {"product"}

_ROMAN_HEADER = re.compile(rf"^(?P<num>{ROMAN})(?P<sep>\s*[.)]\s*|\s+|$)(?P<title>.*)$")
_TASK_NO = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?$")


@dataclass
class TaskTable:
    """A logical task table: one or more table blocks stitched, with its column map.

    `columns` maps a field to the grid columns it reads (several under a two-row header);
    `knows_merges` is whether the reader told merged cells from empty ones."""

    header: Row
    columns: dict[str, list[int]]  # field -> grid columns
    extra_columns: dict[str, list[int]]  # header text -> grid columns of unmapped columns
    rows: list[Row] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    knows_merges: bool = False
    header_rows: list[Row] = field(default_factory=list)  # the header, with its second row and column numbers
    section: tuple[str, str] | None = None  # the roman heading written just above the table

    @property
    def header_texts(self) -> list[str]:
        return [c.text for c in self.header.cells]

    @property
    def has_merged_cells(self) -> bool:
        return any(c.merged_above for r in self.rows for c in r.cells)


# --------------------------------------------------------------------------- columns


@functools.lru_cache(maxsize=4096)  # a table's header words come back on every row looked at, and in every plan
def _name_rank(key: str, fname: str) -> int | None:
    for rank, name in enumerate(COLUMN_NAMES[fname]):
        if key == name or (len(name) > 3 and key.startswith(name)):
            return rank
    return None


def _header_key(text: str) -> str:
    return match_key(text).strip(" :.")


def names_field(text: str) -> str | None:
    """The field a header text names on its own, if any.

    >>> names_field("Đơn vị, cá nhân\\nthực hiện"), names_field("Theo dõi, kiểm tra, đôn đốc"), names_field("Ghi chú")
    ('lead', 'monitor', None)
    """
    key = _header_key(text)
    ranks = [(r, f) for f in COLUMN_NAMES if (r := _name_rank(key, f)) is not None]
    return min(ranks)[1] if ranks else None


def _map_groups(labels: list[tuple[str, list[int]]]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Map header labels (each with the grid columns it covers) to fields, left to right: a
    label takes the best-ranked field no earlier label took; unmapped labels are returned apart."""
    columns: dict[str, list[int]] = {}
    taken: set[int] = set()
    for i, (text, _cols) in enumerate(labels):
        key = _header_key(text)
        best: tuple[int, str] | None = None
        for fname in COLUMN_NAMES:
            if fname in columns:
                continue
            rank = _name_rank(key, fname)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, fname)
        if best is not None:
            columns[best[1]] = list(_cols)
            taken.add(i)
    extra: dict[str, list[int]] = {}
    for i, (text, cols) in enumerate(labels):
        if i not in taken and text.strip():
            extra.setdefault(text, []).extend(cols)
    return columns, extra


def map_columns(header: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Map header texts to task fields; unknown headers are returned apart.

    >>> map_columns(["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì thực hiện"])[0]
    {'task_no': 0, 'task': 1, 'product': 2, 'deadline': 3, 'lead': 4}
    """
    columns, extra = _map_groups([(h, [i]) for i, h in enumerate(header)])
    return {f: c[0] for f, c in columns.items()}, {h: c[0] for h, c in extra.items()}


def is_task_header(row: Row) -> bool:
    columns, _ = map_columns(row.texts)
    return "task" in columns and ("lead" in columns or "deadline" in columns)


def grid(row: Row) -> dict[int, Cell]:
    """Grid column -> the cell that covers it (a cell spanning columns covers each)."""
    out: dict[int, Cell] = {}
    for c in row.cells:
        for g in range(c.col, c.col + max(1, c.colspan)):
            out.setdefault(g, c)
    return out


def _width(row: Row) -> int:
    return max((c.col + max(1, c.colspan) for c in row.cells), default=0)


def _is_column_numbers(row: Row) -> bool:
    """'1 | 2 | 3 | 4 | 5' or '(1) | (2) | ...' under a header: the columns' numbers, not a task."""
    nums = [m.group(1) for c in row.cells if c.text.strip() and (m := _COLUMN_NUMBER.match(c.text.strip()))]
    filled = [c for c in row.cells if c.text.strip()]
    return len(filled) >= 3 and len(nums) == len(filled) and [int(n) for n in nums] == list(range(int(nums[0]), int(nums[0]) + len(nums)))


def _is_sub_header(top: Row, sub: Row) -> bool:
    """Whether `sub` is the second row of a header over two rows: it names columns under a
    cell of `top` that spans them (or, in a text rendering, under an empty cell of `top`)."""
    filled = [c for c in sub.cells if c.text.strip() and not c.merged_above]
    if not filled or (len(filled) == len(sub.cells) and not sub.is_header):
        return False
    first = sub.cells[0].text.strip()
    if (first and _TASK_NO.match(first)) or _section_header(sub) or _is_column_numbers(sub):
        return False
    tg = grid(top)
    owners = _owners(top, sub)
    for c in filled:
        over = tg.get(c.col)
        # a top cell spans the columns under it: colspan, or (a text rendering) empty cells on its right
        spans = over is not None and (over.colspan > 1 or not over.text.strip()
                                      or sum(o is owners.get(c.col) for o in owners.values()) > 1)
        if len(c.text) > 80 or not (spans or names_field(c.text)):
            return False
    return True


def _owners(top: Row, sub: Row | None) -> dict[int, Cell]:
    """Grid column -> the top header cell that names it: its own, or, under a header over
    two rows in a text rendering, the nearest named cell on its left (one that spanned there)."""
    tg = grid(top)
    owners: dict[int, Cell] = {}
    last: Cell | None = None
    for g in sorted(tg):
        c = tg[g]
        if c.text.strip() or last is None or sub is None:
            last = c
        owners[g] = last
    return owners


def header_labels(top: Row, sub: Row | None) -> list[tuple[str, list[int]]]:
    """The header's labels, each with the grid columns it names, left to right.

    With a second row: a child that names a field ("Chủ trì") is a label of its own; the
    children that do not ("Bắt đầu", "Hoàn thành") share their parent's label when it names
    a field ("Thời gian"), else are labelled "parent – child"."""
    owners = _owners(top, sub)
    sg = grid(sub) if sub is not None else {}
    labels: list[tuple[str, list[int]]] = []
    index: dict[tuple[int, int], int] = {}  # (id of the parent or child cell, kind) -> label index
    for g in sorted(owners):
        parent = owners[g]
        child = sg.get(g)
        child_text = child.text.strip() if child is not None and not child.merged_above else ""
        if child_text and child_text != parent.text.strip():
            if names_field(child_text) or not names_field(parent.text):
                key, text = (id(child), 1), (child_text if names_field(child_text) or not parent.text.strip()
                                              else f"{parent.text.strip()} – {child_text}")
            else:
                key, text = (id(parent), 0), parent.text
        else:
            key, text = (id(parent), 0), parent.text
        if key in index:
            labels[index[key]][1].append(g)
        else:
            index[key] = len(labels)
            labels.append((text, [g]))
    return labels


# --------------------------------------------------------------------------- finding tables


def _header_at(rows: list[Row]) -> int | None:
    return next((i for i, r in enumerate(rows[:3]) if is_task_header(r)), None)


def _header_rows(rows: list[Row], idx: int) -> list[Row]:
    """The rows of the header starting at `idx`: the header, its second row, a row of column numbers."""
    out = [rows[idx]]
    j = idx + 1
    if j < len(rows) and _is_sub_header(rows[idx], rows[j]):
        out.append(rows[j])
        j += 1
    if j < len(rows) and _is_column_numbers(rows[j]):
        out.append(rows[j])
    return out


def _repeated_header(rows: list[Row], table: TaskTable) -> int:
    """How many of `rows` repeat the table's header rows (a header Word or a page repeats)."""
    header = [[match_key(t) for t in r.texts] for r in table.header_rows]
    n = 0
    while n < min(len(rows), len(header)) and [match_key(t) for t in rows[n].texts] == header[n]:
        n += 1
    if n == 0:
        idx = _header_at(rows)
        if idx is not None and [match_key(t) for t in rows[idx].texts] == header[0]:
            n = idx + len(_header_rows(rows, idx))
    return n


def _heading_above(blocks: list[Block], i: int) -> tuple[str, str] | None:
    """A roman heading ("I. Đánh giá cấp cơ sở") written just above the table at blocks[i]."""
    for b in reversed(blocks[max(0, i - 3) : i]):
        if b.kind in ("blank", "page_break"):
            continue
        if b.kind != "paragraph":
            return None
        m = _ROMAN_HEADER.match(" ".join(b.text.split()))
        if m and m.group("sep").strip() and m.group("title").strip() and len(b.text) < 150:
            return m.group("num"), m.group("title").strip()
        return None
    return None


def _new_table(rows: list[Row], idx: int, block: Block, knows: bool, section: tuple[str, str] | None) -> TaskTable:
    head = _header_rows(rows, idx)
    sub = head[1] if len(head) > 1 and not _is_column_numbers(head[1]) else None
    columns, extra = _map_groups(header_labels(rows[idx], sub))
    return TaskTable(rows[idx], columns, extra, list(rows[idx + len(head) :]), [block], knows_merges=knows,
                     header_rows=head, section=section)


def find_task_tables(src: SourceDocument) -> list[TaskTable]:
    """The task tables of a document, each stitched across page breaks."""
    knows = src.format != "text"  # Word, PDF (ruled), HTML and converted files mark merged cells
    tables: list[TaskTable] = []
    current: TaskTable | None = None
    for i, block in enumerate(src.blocks):
        if block.kind in ("blank", "page_break"):
            continue
        if block.kind != "table" or not block.rows:
            current = None
            continue
        rows = block.rows
        if current is not None and _width(rows[0]) == _width(current.header):
            # a continuation: drop a repeated header, keep the rest
            current.rows.extend(rows[_repeated_header(rows, current) :])
            current.blocks.append(block)
            continue
        idx = _header_at(rows)
        if idx is None:
            current = None
            continue
        current = _new_table(rows, idx, block, knows, _heading_above(src.blocks, i))
        tables.append(current)
    return tables


# --------------------------------------------------------------------------- rows


@dataclass
class _RowValues:
    """What one row says for each field: text, the cells it came from, whether they are merged."""

    text: dict[str, str]
    cells: dict[str, list[Cell]]
    merged: dict[str, bool]


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _cells_under(g: dict[int, Cell], cols: list[int]) -> list[Cell]:
    """The cells covering some grid columns, each once, left to right."""
    return list({id(c): c for x in cols if (c := g.get(x)) is not None}.values())


def _row_values(row: Row, table: TaskTable) -> _RowValues:
    g = grid(row)
    claimed: set[int] = set()  # cells the task_no, task or product field already read
    v = _RowValues({}, {}, {})
    for f in FIELDS:
        found = _cells_under(g, table.columns.get(f, []))
        if f in _FIRST_ONLY:
            found = [c for c in found if id(c) not in claimed]
        if f in ("task_no", "task", "product"):
            claimed.update(id(c) for c in found)
        texts = dict.fromkeys(_tidy(c.text) for c in found if c.text.strip())
        v.text[f] = _JOINERS.get(f, " ").join(texts)
        v.cells[f] = found
        v.merged[f] = bool(found) and all(c.merged_above for c in found)
    return v


def _extra_values(row: Row, table: TaskTable) -> dict[str, str]:
    g = grid(row)
    return {name: " – ".join(dict.fromkeys(t for c in _cells_under(g, cols) if (t := _tidy(c.text))))
            for name, cols in table.extra_columns.items()}


def _cell_loc(cells: list[Cell]) -> Loc | None:
    if not cells:
        return None
    a, b = cells[0].loc, cells[-1].loc
    return Loc(a.start, max(a.end, b.end), a.line, a.page)


def _section_header(row: Row) -> tuple[str, str] | None:
    """'I. CẢI CÁCH THỂ CHẾ' with empty cells, or 'I' | 'CẢI CÁCH THỂ CHẾ'."""
    texts = [" ".join(t.split()) for t in row.texts]
    filled = [(i, t) for i, t in enumerate(texts) if t]
    if not filled:
        return None
    first_i, first = filled[0]
    m = _ROMAN_HEADER.match(first)
    if not m:
        return None
    num, title = m.group("num"), m.group("title").strip()
    if not title and len(filled) >= 2:
        title = filled[1][1]
        if len(filled) > 2:
            return None
    elif len(filled) > 1:
        return None
    if not title or not any(ch.isalpha() for ch in title):
        return None
    if m.group("title") and not m.group("sep").strip() and not _is_upper(title):
        return None  # "CP ngày ..." or "I want": a numeral and a title need a dot, or capitals
    return num, title


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _join_text(text: str, more: str) -> str:
    """Two halves of a cell a page break split: 'Nghị định số 107/2020/NĐ-' + 'CP ...' has no space."""
    return join_lines(text, more) if text else more


def _continues_mid_phrase(text: str) -> bool:
    t = text.strip()
    return bool(t) and (t[0].islower() or t[0] in ",;)")


def _is_split_rest(v: _RowValues, row: Row, table: TaskTable) -> bool:
    """The part of the row above that a page break pushed onto the next page: no TT after
    the break, and either the reader marks merges (so an empty TT is not a merged one: the
    row goes on) or the text goes on mid-phrase."""
    t = v.text
    return (
        row.after_break
        and not t["task_no"]
        and not v.merged["task_no"]
        and (table.knows_merges or table.has_merged_cells or _continues_mid_phrase(t["task"])
             or (not t["task"] and _continues_mid_phrase(t["product"])))
    )


def _join_split_rest(tasks: list[Task], v: _RowValues, extra: dict[str, str]) -> None:
    prev = tasks[-1]
    for f in ("task", *_CARRIED):
        if not v.text[f]:
            continue
        old = getattr(prev, f)
        new = _join_text(old, v.text[f])
        # the rest of a merged cell (the task over its products, an inherited deadline)
        # belongs to every row that shares it
        shared = [t for t in tasks if t.table == prev.table and (t.section, t.task_no) == (prev.section, prev.task_no)
                  and getattr(t, f) == old] if (f == "task" or f in prev.inherited) else [prev]
        for t in shared:
            setattr(t, f, new)
        loc = _cell_loc(v.cells[f])
        if loc is not None:
            if f in prev.cell_locs:
                prev.cell_locs[f].end = loc.end
            else:
                prev.cell_locs[f] = loc
    for name, text in extra.items():
        if text:
            prev.extra[name] = (prev.extra.get(name, "") + " " + text).strip()
    prev.joined_rows += 1


def _inherit(task: Task, prev: Task, f: str) -> None:
    setattr(task, f, getattr(prev, f))
    task.inherited.append(f)
    if f in prev.cell_locs:
        task.cell_locs[f] = prev.cell_locs[f]


def _fill_from_above(task: Task, prev: Task, v: _RowValues, product_row: bool, knows: bool) -> None:
    """The cells of a row that continue the row above: those merged from above always; in a
    product row of a rendering that cannot mark merges, its empty agency and deadline cells too."""
    if product_row:
        task.task_no, task.task = prev.task_no, prev.task
        task.cell_locs["task"] = prev.cell_locs.get("task", prev.loc)
    for f in _CARRIED:
        if getattr(task, f) or not getattr(prev, f):
            continue
        if v.merged[f] or (product_row and not knows and f != "product"):
            _inherit(task, prev, f)


def table_tasks(table: TaskTable, table_no: int = 0) -> list[Task]:
    """The rows of one task table as Tasks, one per product."""
    tasks: list[Task] = []
    section, section_title = table.section or ("", "")
    for row in table.rows:
        if not any(t.strip() for t in row.texts) or row.is_header or _is_column_numbers(row):
            continue
        sec = _section_header(row)
        if sec:
            section, section_title = sec
            continue
        v = _row_values(row, table)
        extra = _extra_values(row, table)
        prev = tasks[-1] if tasks else None
        if prev is not None and _is_split_rest(v, row, table):
            _join_split_rest(tasks, v, extra)
            continue
        t = v.text
        if not any(t[f] for f in FIELDS) and len(extra) == 1:
            section_title = " ".join(next(iter(extra.values())).split())  # "Đề tài nghiên cứu khoa học": a group's label
            continue
        task = Task(section=section, section_title=section_title, task_no=t["task_no"].rstrip("."), task=t["task"],
                    product=t["product"], lead=t["lead"], partners=t["partners"], deadline=t["deadline"], monitor=t["monitor"],
                    extra=extra, table=table_no, loc=Loc(row.loc.start, row.loc.end, row.loc.line, row.loc.page))
        for f in FIELDS:
            loc = _cell_loc(v.cells[f])
            if loc is not None:
                task.cell_locs[f] = loc
        if prev is not None:
            # another product of the task above: no TT and no task, or cells merged from above
            product_row = (not task.task_no and not task.task) or v.merged["task_no"] or v.merged["task"]
            _fill_from_above(task, prev, v, product_row, table.knows_merges and not row.after_break)
        tasks.append(task)
    return tasks


def extract_tasks(src: SourceDocument) -> tuple[list[Task], list[TaskTable]]:
    """All tasks of all task tables of a document, and the tables they came from."""
    tables = find_task_tables(src)
    tasks: list[Task] = []
    for n, table in enumerate(tables):
        tasks.extend(table_tasks(table, n))
    return tasks, tables
