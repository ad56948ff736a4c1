"""Helpers the rules share: reference tables from `corpus/`, years in text, task-cell spans, word sets.

Nothing here registers a rule; each rule module imports what it needs.
"""

from __future__ import annotations

import re

from vanban.model import Decision, Loc, Task
from vanban.normalize.fold import fold_tone_placement, nfc
from vanban.normalize.dates import YEAR, YEAR_FORMS
from vanban.normalize.wordre import word_start

# "năm 2022", "NĂM 2022", "năm học 2021-2022" is not a year of the plan's kind: only "năm YYYY".
_YEAR_WORD = re.compile(rf"{word_start(['năm', 'NĂM', 'Năm'])}\s+({YEAR})\b(?!\s*[-–]\s*{YEAR})")
# "giai đoạn 2021-2025", "2021 - 2030"
_YEAR_SPAN = re.compile(rf"({word_start(YEAR_FORMS)})\s*[-–]\s*({YEAR})\b")
# a year that is a baseline or a horizon, not the year a thing is about
_BASELINE = re.compile(r"(?:so với|so sánh với|kể từ|từ|tính đến|đến hết|đến|tầm nhìn(?: đến)?)\s*$", re.IGNORECASE)


def years_named(text: str, *, skip_baselines: bool = True) -> list[tuple[int, str, int]]:
    """The years a text is about: "năm 2022" -> [(2022, "năm 2022", offset)].

    A year after "so với", "đến", "tầm nhìn" is a baseline or a horizon and is left
    out when `skip_baselines`.
    """
    out = []
    for m in _YEAR_WORD.finditer(text or ""):
        if skip_baselines and _BASELINE.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        out.append((int(m.group(1)), m.group(0), m.start()))
    return out


def plan_years(dec: Decision) -> tuple[int, int] | None:
    """The years a plan covers: its period ("giai đoạn 2021-2025") or its year ("năm 2021")."""
    if dec.period:
        return dec.period
    if dec.plan_year:
        return (dec.plan_year, dec.plan_year)
    for att in dec.attachments:
        if att.period:
            return att.period
        if att.plan_year:
            return (att.plan_year, att.plan_year)
    return None


def cell_span(task: Task, field: str) -> tuple[str, Loc]:
    """A task cell's text and where it is (the row, when the cell has no location)."""
    loc = task.cell_locs.get(field) or task.loc
    return getattr(task, field), loc


def table_tasks(dec: Decision) -> list[Task]:
    """The tasks read from task tables, not the assignments written in prose: the rules on a
    table's rows, columns and numbering read these."""
    return [t for t in dec.tasks if t.source_kind == "table"]


def task_label(task: Task) -> str:
    """'I.2' for task 2 of section I; '2' without a section."""
    if task.section and task.task_no:
        return f"{task.section}.{task.task_no}"
    return task.task_no or "?"


def is_continuation(task: Task) -> bool:
    """A product row of the task above: its task cell is the one of an earlier row."""
    loc = task.cell_locs.get("task")
    return bool(loc and loc.line and task.loc.line and loc.line != task.loc.line)


_STOP = frozenset(
    "và các của cho về với trong tại theo để là được có những một này đó công tác việc nhiệm vụ".split()
)


def content_words(text: str) -> frozenset[str]:
    """The folded content words of a title, for comparing titles written differently."""
    words = re.findall(r"\w+", fold_tone_placement(nfc(text)).lower())
    return frozenset(w for w in words if w not in _STOP and not w.isdigit())


def line_of(dec: Decision, offset: int) -> int:
    """The 1-based line of a character offset of the document's text."""
    return dec.text.count("\n", 0, offset) + 1


def quote(text: str, limit: int = 90) -> str:
    """A text shortened for a message, on a word boundary."""
    t = " ".join((text or "").split())
    if len(t) <= limit:
        return t
    cut = t[:limit].rsplit(" ", 1)[0]
    return cut + " …"
