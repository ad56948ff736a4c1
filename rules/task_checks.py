"""Rules on a plan's task table beyond single rows: one task given twice with different leads or deadlines,
and a plan over a period ("giai đoạn 2026-2030") giving deadlines before that period starts. A task with no
lead is `task_missing_field` (rules/structure.py); a lead that no longer exists is `body_ceased`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from vanban.model import Decision, Finding, Task
from vanban.normalize.fold import match_key
from vanban.rules.common import cell_span, is_continuation, plan_years, quote, task_label
from vanban.rules.engine import make_finding, rule

#: A task text shorter than this many words ("Báo cáo", "Tổ chức thực hiện") is a routine line that many rows share.
MIN_WORDS = 6


def _task_key(t: Task) -> str | None:
    text = match_key(re.sub(r"^\s*[-–+•*]\s*", "", t.task))
    return text if len(text.split()) >= MIN_WORDS else None


def _leads(t: Task) -> str:
    return t.lead_canonical or match_key(t.lead)


@rule("task_repeated", "structure_mismatch", "info", "one task given twice, with different leads or deadlines")
def task_repeated(dec: Decision) -> Iterator[Finding]:
    """Row I.3 "Rà soát, đánh giá thủ tục hành chính thuộc thẩm quyền giải quyết của tỉnh" led by Sở Tư pháp,
    due Quý II/2026, and row IV.2 with the same words led by Văn phòng UBND tỉnh, due Quý IV/2026: who does
    it, and when? The product rows of one task (a cell merged over them) are one task, not a repeat; rows of
    two tables are not compared (the stages of a procedure repeat their steps: "Nộp Hồ sơ đánh giá đến Bộ
    KH&CN" at the institute's stage and at the State's)."""
    rows: dict[tuple[int, str], list[Task]] = defaultdict(list)
    for t in dec.tasks:
        key = _task_key(t)
        if key and not is_continuation(t):
            rows[(t.table, key)].append(t)  # another table is another list: a procedure's next stage repeats its steps
    for same in rows.values():
        first = same[0]
        for other in same[1:]:
            what = []
            if _leads(first) != _leads(other):
                what.append(("cơ quan chủ trì", "lead", f"{first.lead or '(trống)'} / {other.lead or '(trống)'}"))
            if (first.deadline_start, first.deadline_end) != (other.deadline_start, other.deadline_end) or \
                    (not first.deadline_end and match_key(first.deadline) != match_key(other.deadline)):
                what.append(("thời hạn", "deadline", f"{first.deadline or '(trống)'} / {other.deadline or '(trống)'}"))
            if not what:
                continue
            a, b = task_label(first), task_label(other)
            yield make_finding(
                dec,
                "task_repeated",
                f"Nhiệm vụ \"{quote(first.task, 80)}\" được giao hai lần ({a} và {b}) với "
                + "; ".join(f"{vi} khác nhau ({v})" for vi, _, v in what) + ".",
                f"The task \"{quote(first.task, 80)}\" is given twice ({a} and {b}) with different "
                + "; ".join(f"{en}s ({v})" for _, en, v in what) + ".",
                [cell_span(first, "task"), cell_span(other, "task")],
                key=f"{first.loc.line}:{other.loc.line}",
            )


@rule("deadline_before_period", "deadline_conflict", "info", "a task deadline before the period a multi-year plan covers")
def deadline_before_period(dec: Decision) -> Iterator[Finding]:
    """A plan "giai đoạn 2026-2030" with a task due "Năm 2024": the plan's scope is its period, and a
    deadline over before it starts cannot be met by this plan. Preparation in the year just before the period
    (a 2026-2030 plan issued in December 2025, a task due Quý IV/2025) is normal; where the decision's own date
    is known, a deadline before it is `deadline_before_decision`."""
    span = plan_years(dec)
    if not span or span[0] == span[1]:
        return  # a single-year plan: deadline_before_decision and deadline_after_period
    first, last = span
    for task in dec.tasks:
        end = task.deadline_end
        if not end or int(end[:4]) >= first - 1 or (dec.date and end < dec.date):
            continue
        label = task_label(task)
        yield make_finding(
            dec,
            "deadline_before_period",
            f"Nhiệm vụ {label} có thời hạn \"{task.deadline}\", trước giai đoạn {first}-{last} mà kế hoạch bao quát.",
            f"Task {label} is due \"{task.deadline}\", before the period {first}-{last} that the plan covers.",
            [cell_span(task, "deadline")],
            key=str(task.loc.line),
        )
