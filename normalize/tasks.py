"""Task tables: the appendix "Nhiệm vụ cụ thể" tables, cleaned into one row per product.

What a rendering or a page does to a table, undone:
- tables that a page break cut in two (with the header repeated or not) are stitched;
- columns are mapped by their header text, not their position: the seed's order
  (TT | Nội dung, nhiệm vụ | Sản phẩm | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian
  hoàn thành) and the Lâm Đồng one (STT | Nhiệm vụ | Sản phẩm | Thời gian hoàn thành |
  Chủ trì thực hiện | Phối hợp thực hiện | Theo dõi, kiểm tra, đôn đốc) both work, and
  unknown columns are kept in `Task.extra`;
- a section header row ("I. CẢI CÁCH THỂ CHẾ" and empty cells) becomes the
  `section`/`section_title` of the rows under it;
- a row split by a page break (after the break: no TT, the task cell going on
  mid-phrase) is joined back to the row above;
- a row with no TT and no task is another product of the task above; its empty
  cells are the vertically merged cells of the row above, and inherit them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vanban.model import Block, Cell, Loc, Row, SourceDocument, Task
from vanban.normalize.fold import match_key

#: field -> header words (folded) that name it, best first
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "task_no": ("tt", "stt", "so tt", "so thu tu"),
    "task": ("noi dung, nhiem vu", "noi dung nhiem vu", "nhiem vu", "noi dung", "ten nhiem vu", "noi dung cong viec", "cong viec", "nhiem vu, giai phap"),
    "product": ("san pham", "ket qua", "san pham dau ra", "hinh thuc san pham", "ket qua/san pham"),
    "lead": ("co quan chu tri", "chu tri thuc hien", "don vi chu tri", "chu tri", "co quan thuc hien", "don vi thuc hien", "trach nhiem thuc hien", "co quan, don vi chu tri"),
    "partners": ("co quan phoi hop", "phoi hop thuc hien", "don vi phoi hop", "phoi hop", "co quan, don vi phoi hop"),
    "deadline": ("thoi gian hoan thanh", "thoi gian thuc hien", "thoi han hoan thanh", "thoi gian", "thoi han", "tien do", "tien do thuc hien", "thoi gian trinh"),
}

_ROMAN_HEADER = re.compile(r"^(?P<num>[IVXLC]+)(?P<sep>\s*[.)]\s*|\s+|$)(?P<title>.*)$")
_TASK_NO = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")


@dataclass
class TaskTable:
    """A logical task table: one or more table blocks stitched, with its column map."""

    header: Row
    columns: dict[str, int]  # field -> column index
    extra_columns: dict[str, int]  # header text -> column index for unmapped columns
    rows: list[Row] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def header_texts(self) -> list[str]:
        return [c.text for c in self.header.cells]

    @property
    def knows_merges(self) -> bool:
        """Whether the reader told merged cells from empty ones (Word, PDF) or could not (text)."""
        return any(c.merged_above for r in self.rows for c in r.cells)


def map_columns(header: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Map header texts to task fields; unknown headers are returned apart.

    >>> map_columns(["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì thực hiện"])[0]
    {'task_no': 0, 'task': 1, 'product': 2, 'deadline': 3, 'lead': 4}
    """
    keys = [match_key(h).strip(" :.") for h in header]
    columns: dict[str, int] = {}
    for i, key in enumerate(keys):
        best: tuple[int, str] | None = None
        for fname, names in COLUMN_NAMES.items():
            if fname in columns:
                continue
            for rank, name in enumerate(names):
                if key == name or (len(name) > 3 and key.startswith(name)):
                    if best is None or rank < best[0]:
                        best = (rank, fname)
                    break
        if best is not None:
            columns[best[1]] = i
    extra = {header[i]: i for i in range(len(header)) if i not in columns.values() and header[i].strip()}
    return columns, extra


def is_task_header(row: Row) -> bool:
    columns, _ = map_columns(row.texts)
    return "task" in columns and ("lead" in columns or "deadline" in columns)


def find_task_tables(src: SourceDocument) -> list[TaskTable]:
    """The task tables of a document, each stitched across page breaks."""
    tables: list[TaskTable] = []
    current: TaskTable | None = None
    for block in src.blocks:
        if block.kind in ("blank", "page_break"):
            continue
        if block.kind != "table" or not block.rows:
            current = None
            continue
        rows = block.rows
        header_idx = next((i for i, r in enumerate(rows[:3]) if is_task_header(r)), None)
        if current is not None and len(rows[0].cells) == len(current.header.cells):
            # a continuation: drop a repeated header, keep the rest
            start = 0
            if header_idx is not None and [match_key(t) for t in rows[header_idx].texts] == [match_key(t) for t in current.header_texts]:
                start = header_idx + 1
            current.rows.extend(rows[start:])
            current.blocks.append(block)
            continue
        if header_idx is None:
            current = None
            continue
        columns, extra = map_columns(rows[header_idx].texts)
        current = TaskTable(rows[header_idx], columns, extra, list(rows[header_idx + 1 :]), [block])
        tables.append(current)
    return tables


def _cell(row: Row, idx: int | None) -> Cell | None:
    if idx is None or idx >= len(row.cells):
        return None
    return row.cells[idx]


def _text(row: Row, idx: int | None) -> str:
    c = _cell(row, idx)
    return " ".join(c.text.split()) if c is not None else ""


def _section_header(row: Row, cols: dict[str, int]) -> tuple[str, str] | None:
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
    if not text:
        return more
    if text.endswith("-") and len(text) > 1 and not text[-2].isspace() and more[:1].isalnum():
        return text + more
    return f"{text} {more}"


def _continues_mid_phrase(text: str) -> bool:
    t = text.strip()
    return bool(t) and (t[0].islower() or t[0] in ",;)")


def table_tasks(table: TaskTable, table_no: int = 0) -> list[Task]:
    """The rows of one task table as Tasks, one per product."""
    cols = table.columns
    fields = ("task_no", "task", "product", "lead", "partners", "deadline")
    tasks: list[Task] = []
    section, section_title = "", ""
    for row in table.rows:
        if not any(t.strip() for t in row.texts):
            continue
        if row.is_header:
            continue
        sec = _section_header(row, cols)
        if sec:
            section, section_title = sec
            continue
        values = {f: _text(row, cols.get(f)) for f in fields}
        merged = {f: bool((c := _cell(row, cols.get(f))) and c.merged_above) for f in fields}
        extra = {name: _text(row, i) for name, i in table.extra_columns.items()}
        prev = tasks[-1] if tasks else None

        # a row that a page break split: no TT after the break, and either the reader knows
        # merges (so an empty TT is not a merged one: the row goes on) or the text goes on mid-phrase
        if (
            prev is not None
            and row.after_break
            and not values["task_no"]
            and not merged["task_no"]
            and (
                table.knows_merges
                or _continues_mid_phrase(values["task"])
                or (not values["task"] and _continues_mid_phrase(values["product"]))
            )
        ):
            for f in ("task", "product", "lead", "partners", "deadline"):
                if values[f]:
                    old = getattr(prev, f)
                    new = _join_text(old, values[f])
                    # the rest of a merged cell (the task over its products, an inherited
                    # deadline) belongs to every row that shares it
                    shared = [t for t in tasks if t.table == prev.table and (t.section, t.task_no) == (prev.section, prev.task_no)
                              and getattr(t, f) == old] if (f == "task" or f in prev.inherited) else [prev]
                    for t in shared:
                        setattr(t, f, new)
                    _extend_loc(prev.cell_locs, f, _cell(row, cols.get(f)))
            for name, text in extra.items():
                if text:
                    prev.extra[name] = (prev.extra.get(name, "") + " " + text).strip()
            prev.joined_rows += 1
            continue

        task = Task(
            section=section,
            section_title=section_title,
            task_no=values["task_no"].rstrip("."),
            task=values["task"],
            product=values["product"],
            lead=values["lead"],
            partners=values["partners"],
            deadline=values["deadline"],
            extra=extra,
            table=table_no,
            loc=Loc(row.loc.start, row.loc.end, row.loc.line, row.loc.page),
        )
        for f in fields:
            c = _cell(row, cols.get(f))
            if c is not None:
                task.cell_locs[f] = Loc(c.loc.start, c.loc.end, c.loc.line, c.loc.page)

        # another product of the task above: no TT and no task, or cells merged from above
        if prev is not None and (not task.task_no and not task.task or merged["task_no"] or merged["task"]):
            task.task_no, task.task = prev.task_no, prev.task
            task.cell_locs["task"] = prev.cell_locs.get("task", prev.loc)
            for f in ("product", "lead", "partners", "deadline"):
                if not getattr(task, f) and getattr(prev, f) and (merged[f] or f != "product"):
                    setattr(task, f, getattr(prev, f))
                    task.inherited.append(f)
                    if f in prev.cell_locs:
                        task.cell_locs[f] = prev.cell_locs[f]
        elif prev is not None:
            # a task of its own under a cell merged from above (a deadline or a lead shared by
            # several steps): the merged cell's text is this row's too
            for f in ("product", "lead", "partners", "deadline"):
                if merged[f] and not getattr(task, f) and getattr(prev, f):
                    setattr(task, f, getattr(prev, f))
                    task.inherited.append(f)
                    if f in prev.cell_locs:
                        task.cell_locs[f] = prev.cell_locs[f]
        tasks.append(task)
    return tasks


def _extend_loc(locs: dict[str, Loc], f: str, cell: Cell | None) -> None:
    if cell is None:
        return
    if f not in locs:
        locs[f] = Loc(cell.loc.start, cell.loc.end, cell.loc.line, cell.loc.page)
    else:
        locs[f].end = cell.loc.end


def extract_tasks(src: SourceDocument) -> tuple[list[Task], list[TaskTable]]:
    """All tasks of all task tables of a document, and the tables they came from."""
    tables = find_task_tables(src)
    tasks: list[Task] = []
    for n, table in enumerate(tables):
        tasks.extend(table_tasks(table, n))
    return tasks, tables
