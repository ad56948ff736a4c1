"""Rules on years and deadlines in a plan's task table: a row about a year outside the
plan, a row naming two years for one thing, and deadlines that cannot hold.

Preparing next year's work in the last quarter is normal ("Xây dựng kế hoạch ... năm
2022", due Quý IV/2021); reporting on or carrying out a year that has not started is not
("Kiểm tra ... thực hiện ý kiến chỉ đạo năm 2022", report due Tháng 12/2021). A mention
of a year is *preparing* when a plan-like noun governs it (kế hoạch, dự toán, đề án,
chương trình, phương án) after a preparing verb or at the head of the clause, or when
the row's products are only such documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from vanban.model import Decision, Finding, Loc, Task
from vanban.rules.common import cell_span, plan_years, quote, table_tasks, task_label, years_named
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import vi_date

_PLAN_NOUN = r"(?:kế hoạch|KH|dự toán|đề án|chương trình|phương án|dự thảo|quy hoạch)"
_PREP_VERB = r"(?:xây dựng|ban hành|lập|soạn thảo|trình|phê duyệt|chuẩn bị|thông qua|giao|phân bổ|dự kiến)"
_PREPARING = re.compile(rf"(?:^\s*(?:[-–•]\s*)?{_PLAN_NOUN}\b|\b{_PREP_VERB}\b.*\b{_PLAN_NOUN}\b)", re.IGNORECASE)
_PLAN_ITEM = re.compile(rf"^\s*(?:các\s+)?(?:{_PLAN_NOUN}|quyết định|dự toán|công văn hướng dẫn)\b", re.IGNORECASE)
_REPORT_WORDS = re.compile(r"\b(?:báo cáo|tổng kết|sơ kết|đánh giá|kết quả)\b", re.IGNORECASE)


def is_preparing(text: str, offset: int) -> bool:
    """Whether the year mentioned at `offset` of a cell is the year a plan is prepared for.

    >>> is_preparing("Xây dựng kế hoạch kiểm soát TTHC năm 2022", 34)
    True
    >>> is_preparing("Kiểm tra CCHC và thực hiện ý kiến chỉ đạo năm 2022", 42)
    False
    """
    clause_start = max(text.rfind(";", 0, offset), text.rfind(":", 0, offset)) + 1
    return bool(_PREPARING.search(text[clause_start:offset]))


def products_are_plans(product: str) -> bool:
    """'Kế hoạch', 'Kế hoạch, Quyết định', 'Kế hoạch xây dựng văn bản QPPL năm 2022': only
    documents that prepare; 'Kế hoạch, Báo cáo kết quả kiểm tra' also reports."""
    items = [p for p in re.split(r"[,;]|\bvà\b", product or "") if p.strip()]
    return bool(items) and all(_PLAN_ITEM.match(p) for p in items)


@dataclass
class RowYears:
    """The years one task row names, and what the row does with them."""

    task: Task
    task_years: list[tuple[int, str, int]] = field(default_factory=list)
    product_years: list[tuple[int, str, int]] = field(default_factory=list)

    def mentions(self) -> Iterator[tuple[str, int, str, int]]:
        """(field, year, as written, offset) for every year the row names."""
        for y, raw, off in self.task_years:
            yield "task", y, raw, off
        for y, raw, off in self.product_years:
            yield "product", y, raw, off

    def preparing(self, fld: str, offset: int) -> bool:
        text = getattr(self.task, fld)
        return is_preparing(text, offset) or products_are_plans(self.task.product)


def row_years(task: Task) -> RowYears:
    return RowYears(task, years_named(task.task), years_named(task.product))


def year_conflict(r: RowYears) -> bool:
    t = {y for y, _, _ in r.task_years}
    p = {y for y, _, _ in r.product_years}
    return bool(t and p and not (t & p))


_BY_PLAN = re.compile(r"theo kế hoạch", re.IGNORECASE)


def reports_too_early(r: RowYears) -> list[tuple[str, int, str, int]]:
    """The years a row carries out or reports on while its deadline ends before they start."""
    end = r.task.deadline_end
    if not end or _PREPARING.search(r.task.deadline) or _BY_PLAN.search(r.task.deadline):
        # "Ban hành kế hoạch chậm nhất là ngày 31/12/2025 và tổ chức mở lớp theo kế hoạch đề ra":
        # the date is the preparation's; the work follows the plan
        return []
    return [m for m in r.mentions() if m[1] > int(end[:4]) and not r.preparing(m[0], m[3])]


def _evidence_for(r: RowYears, fields: list[str]) -> list[tuple[str, Loc]]:
    out = []
    for f in fields:
        text, loc = cell_span(r.task, f)
        if text:
            out.append((text, loc))
    return out


@rule("year_conflict_in_row", "year_conflict_in_row", "warning", "a task row whose task and product name different years")
def year_conflict_in_row(dec: Decision) -> Iterator[Finding]:
    """"Theo dõi tình hình thi hành pháp luật của tỉnh năm 2022" with the product "Kế hoạch theo
    dõi tình hình thi hành pháp luật của tỉnh năm 2021": which year is meant?"""
    for task in table_tasks(dec):  # a row's task and product cells; prose mixes bases and work
        r = row_years(task)
        if not year_conflict(r):
            continue
        ty = ", ".join(sorted({str(y) for y, _, _ in r.task_years}))
        py = ", ".join(sorted({str(y) for y, _, _ in r.product_years}))
        label = task_label(task)
        yield make_finding(
            dec,
            "year_conflict_in_row",
            f"Nhiệm vụ {label}: nội dung nhiệm vụ nói năm {ty} (\"{quote(task.task)}\") nhưng sản phẩm nói năm {py} "
            f"(\"{quote(task.product)}\").",
            f"Task {label}: the task is about {ty} (\"{quote(task.task)}\") but its product is about {py} "
            f"(\"{quote(task.product)}\").",
            _evidence_for(r, ["task", "product"]),
            key=str(task.loc.line),
        )


@rule(
    "report_before_period",
    "deadline_conflict",
    "warning",
    "a task that carries out or reports on a year, due before that year starts",
)
def report_before_period(dec: Decision) -> Iterator[Finding]:
    """"Kiểm tra CCHC ... và thực hiện ý kiến chỉ đạo năm 2022", product "Kế hoạch, Báo cáo kết
    quả kiểm tra", due "Tháng 12/2021": the results of 2022 cannot be reported before 2022.
    Not "Xây dựng kế hoạch ... năm 2022" due Quý IV/2021: preparing next year is normal."""
    for task in table_tasks(dec):  # a row's task and product cells; prose mixes bases and work
        r = row_years(task)
        early = reports_too_early(r)
        if not early:
            continue
        years = ", ".join(sorted({str(y) for _, y, _, _ in early}))
        fields = sorted({f for f, _, _, _ in early}, key=["task", "product"].index)
        label = task_label(task)
        yield make_finding(
            dec,
            "report_before_period",
            f"Nhiệm vụ {label} thực hiện/báo cáo về năm {years} (\"{quote(getattr(task, fields[0]))}\") nhưng thời hạn hoàn thành là "
            f"\"{task.deadline}\", trước khi năm {years} bắt đầu.",
            f"Task {label} carries out or reports on {years} (\"{quote(getattr(task, fields[0]))}\") but is due "
            f"\"{task.deadline}\", before {years} starts.",
            _evidence_for(r, fields + ["deadline"]),
            key=str(task.loc.line),
        )


@rule("deadline_before_decision", "deadline_conflict", "warning", "a task deadline that ends before the decision was issued")
def deadline_before_decision(dec: Decision) -> Iterator[Finding]:
    """A decision of 24/12/2020 giving a task the deadline "Quý III/2020": over before the task was set."""
    if not dec.date:
        return
    for task in dec.tasks:
        if task.deadline_end and task.deadline_end < dec.date:
            label = task_label(task)
            yield make_finding(
                dec,
                "deadline_before_decision",
                f"Nhiệm vụ {label} có thời hạn \"{task.deadline}\" (hết ngày {vi_date(task.deadline_end)}), trước ngày ban hành văn bản "
                f"({vi_date(dec.date)}).",
                f"Task {label} is due \"{task.deadline}\" (ending {task.deadline_end}), before the document's date ({dec.date}).",
                [cell_span(task, "deadline")],
                key=str(task.loc.line),
            )


@rule("deadline_after_period", "deadline_conflict", "warning", "a task deadline that starts after the plan's year or period")
def deadline_after_period(dec: Decision) -> Iterator[Finding]:
    """A 2021 plan giving a task the deadline "Quý II/2022". A year-end report on the plan's
    own period due in the first quarter after it ("Báo cáo tổng kết năm 2021", Quý I/2022) is normal."""
    span = plan_years(dec)
    if not span:
        return
    last = span[1]
    for task in dec.tasks:
        start = task.deadline_start
        if not start or int(start[:4]) <= last:
            continue
        if int(start[:4]) == last + 1 and start[5:7] <= "03" and _REPORT_WORDS.search(task.task + " " + task.product):
            continue
        label = task_label(task)
        period = f"năm {last}" if span[0] == last else f"giai đoạn {span[0]}-{last}"
        period_en = f"the year {last}" if span[0] == last else f"the period {span[0]}-{last}"
        yield make_finding(
            dec,
            "deadline_after_period",
            f"Nhiệm vụ {label} có thời hạn \"{task.deadline}\", sau {period} mà kế hoạch bao quát.",
            f"Task {label} is due \"{task.deadline}\", after {period_en} that the plan covers.",
            [cell_span(task, "deadline")],
            key=str(task.loc.line),
        )


@rule("year_out_of_scope", "year_out_of_scope", "info", "a task, product or target about a year after the plan's year or period")
def year_out_of_scope(dec: Decision) -> Iterator[Finding]:
    """"Kế hoạch kiểm tra văn bản QPPL của tỉnh năm 2022" in the 2021 plan. Preparing next year's
    plans in the last quarter is normal, so this is for review; the message says so. Rows whose
    years contradict each other or their deadline are left to those rules. A year after
    "so với" (a baseline) or "đến" (a horizon) is not what the item is about."""
    span = plan_years(dec)
    if not span:
        return
    first, last = span
    scope_vi = f"năm {first}" if first == last else f"giai đoạn {first}-{last}"
    scope_en = f"{first}" if first == last else f"{first}-{last}"
    for task in table_tasks(dec):  # a row's task and product cells; prose mixes bases and work
        r = row_years(task)
        if year_conflict(r) or reports_too_early(r):
            continue
        out = [m for m in r.mentions() if m[1] > last]
        if not out:
            continue
        years = ", ".join(sorted({str(y) for _, y, _, _ in out}))
        fields = sorted({f for f, _, _, _ in out}, key=["task", "product"].index)
        prep = all(r.preparing(f, off) for f, _, _, off in out)
        label = task_label(task)
        what = "; ".join(f"\"{quote(getattr(task, f))}\"" for f in fields)
        note_vi = f" Đây là việc chuẩn bị cho năm sau (hạn \"{task.deadline}\"), thường là bình thường; cần xem lại nếu không phải." if prep else ""
        note_en = f" It prepares next year's work (due \"{task.deadline}\"), which is usually normal; review if not." if prep else ""
        yield make_finding(
            dec,
            "year_out_of_scope",
            f"Nhiệm vụ {label} của kế hoạch {scope_vi} nêu năm {years}: {what}.{note_vi}",
            f"Task {label} of the {scope_en} plan names {years}: {what}.{note_en}",
            _evidence_for(r, fields),
            key=str(task.loc.line),
        )
    for target in dec.targets:
        out = [y for y, _, _ in years_named(target.text) if y > last]
        if out:
            years = ", ".join(sorted({str(y) for y in out}))
            yield make_finding(
                dec,
                "year_out_of_scope",
                f"Chỉ tiêu của kế hoạch {scope_vi} nêu năm {years}: \"{quote(target.text)}\".",
                f"A target of the {scope_en} plan names {years}: \"{quote(target.text)}\".",
                [(target.text, target.loc)],
            )
