"""Deadline cells of plan tables ("Thời gian hoàn thành") as ISO date ranges, recurrences and kinds.

A cell is read as a set of time expressions, each found by one named rule below
("quarter", "month", "recurrence_word", ...), and the expressions are combined:

- ``fixed``: a date, month, quarter, half year, year or multi-year period; several
  milestones in one cell give one span from the first start to the last end. A fixed
  deadline always has an end: an expression that needs a plan year nobody gave is unparsed.
- ``start``: when the work begins, with no end: "Bắt đầu thực hiện từ năm 2026", "Từ
  tháng 3/2026", "kể từ ngày 01/7/2026"; `start` is set, `end` is None.
- ``recurring``: "Hàng tháng", "Hằng quý", "định kỳ 6 tháng", "chậm nhất là ngày 20
  tháng 7 hàng năm", "Trước ngày 31/01 năm liền kề" (each year, for the year before);
  the span is the year it recurs in (the one written, else the plan year) or the plan's
  period ("Hằng năm" in a 2026-2030 plan: 2026-01-01..2030-12-31), or up to the last
  occurrence's day when the cell names one.
- ``continuous``: "Thường xuyên", "Cả năm"; the span is the plan year, or its period.
- ``by_reference``: the date is set elsewhere: "Theo Kế hoạch ...", "Theo Điều 17 Nghị
  định ...", "Khi có yêu cầu", "Sau 03 tháng kể từ khi ...", "Trong thời hạn 15 ngày kể
  từ ngày nhận được hồ sơ"; `note` keeps the text and `reference` the canonical ids of
  the documents it cites ("Theo các mốc thời gian tại Quyết định số 1441/QĐ-UBND ...":
  ``1441/QĐ-UBND``).
- ``unparsed``: nothing recognised, or an impossible date; `note` says which.

Choices (documented in ``corpus/deadline_vocab.tsv`` by example):
- "Trước ngày 31/12/2020", "chậm nhất là ngày X": end = X, start = None. The plan-year
  start is not invented: a deadline before the plan year must stay visible as one.
- "Trước tháng 6/2026", "trước Quý III/2021": end = the day before that period starts.
- "Khi có yêu cầu", "Theo yêu cầu", "Đột xuất": by_reference (someone else's request
  sets the date), even after "thường xuyên".
- "Cả năm": continuous over the plan year; "Năm 2021", "Trong năm 2021": fixed.
- An expression that needs the plan year ("Quý II", "6 tháng đầu năm") without one is
  unparsed with the note "quarter: plan year unknown" (never a fixed deadline without
  dates); a recurring or continuous one keeps its kind with start/end None and a note.
- "năm liền kề" (the year next to each reported year) recurs yearly; "năm sau" is the
  year after the plan year, and recurs only in a plan over several years.
- Recurrence words beyond the contract's: "weekly" (hằng tuần), "daily" (hằng ngày);
  "định kỳ N tháng" with N other than 1, 3, 6, 12 gives "every-N-months".

>>> d = parse_deadline("Quý II, III/2021")
>>> d.start, d.end, d.kind
('2021-04-01', '2021-09-30', 'fixed')
>>> d = parse_deadline("Hàng tháng/quý trong năm 2021")
>>> d.start, d.end, d.recurrence, d.kind
('2021-01-01', '2021-12-31', 'monthly/quarterly', 'recurring')
>>> parse_deadline("Theo Kế hoạch của tỉnh").kind
'by_reference'
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources
from typing import Callable

from vanban.model import Deadline
from vanban.normalize.dates import YEAR_MAX, YEAR_MIN, make_iso
from vanban.normalize.fold import match_key, nfc, strip_diacritics

__all__ = ["parse_deadline", "explain_deadline", "time_expressions", "deadline_vocabulary", "RULE_NAMES", "RECURRENCES"]

#: Recurrence words, finest first; several in one cell are joined with "/" in this order.
RECURRENCES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly")

_UNIT_RECURRENCE = {"ngay": "daily", "tuan": "weekly", "thang": "monthly", "quy": "quarterly", "nam": "yearly"}
_MONTHS_RECURRENCE = {1: "monthly", 3: "quarterly", 6: "half-yearly", 12: "yearly"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# ---------------------------------------------------------------- pieces of a cell


@dataclass(slots=True)
class _Piece:
    """One time expression found in a cell (key offsets), before combination."""

    rule: str
    start: str | None = None
    end: str | None = None
    kind: str = "fixed"  # fixed, start, recurring, continuous, by_reference, noise, error
    recurrence: tuple[str, ...] = ()
    needs_year: bool = False
    note: str | None = None


@dataclass(slots=True)
class _Context:
    key: str  # match_key of the cell: no diacritics, lower case, single spaces
    year: int | None
    period: tuple[int, int] | None = None  # the plan's period, "giai đoạn 2026-2030"

    @property
    def recurs(self) -> bool:
        """The cell says it recurs ("hằng năm", "định kỳ", "năm liền kề")."""
        return bool(_RECURS.search(self.key))


_RECURS = re.compile(r"(?<![a-z])(?:hang|moi) (?:ngay|tuan|thang|quy|nam)|dinh ky|nam lien ke")


def _month_span(year: int, m1: int, m2: int | None = None) -> tuple[str | None, str | None]:
    m2 = m1 if m2 is None else m2
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or m2 < m1:
        return None, None
    last = calendar.monthrange(year, m2)[1]
    return f"{year:04d}-{m1:02d}-01", f"{year:04d}-{m2:02d}-{last:02d}"


def _day_before(iso: str) -> str:
    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def _year_of(text: str | None, ctx: _Context) -> int | None:
    return int(text) if text else ctx.year


# "before" words right in front of an expression: the expression is an end, not a span.
_BEFORE = re.compile(
    r"(?<![a-z])(?P<w>truoc|cham nhat(?: la)?(?: (?:trong|vao))?|khong qua|khong muon hon"
    r"|han(?: chot)?(?: la)?|den(?: het)?)\s*(?:ngay\s*)?$"
)


# "from" words right in front of an expression: the expression is a start, with no end.
_FROM = re.compile(
    r"(?<![a-z])(?:bat dau(?: (?:thuc hien|trien khai|ap dung|tu))*|(?:ke )?tu|ap dung tu|trien khai tu)\s*(?:ngay\s*)?$"
)


def _span(piece: _Piece, ctx: _Context, m: re.Match[str], whole_day: bool = False) -> _Piece:
    """Turn a period piece into an end-only deadline when a "before" word precedes it, or
    into a start when a "from" word does."""
    if piece.start is not None and _FROM.search(ctx.key, 0, m.start()):
        piece.kind, piece.end = "start", None
        return piece
    b = _BEFORE.search(ctx.key, 0, m.start())
    if b is None or piece.start is None:
        return piece
    if b.group("w") == "truoc" and not whole_day:
        piece.end = _day_before(piece.start)  # "trước tháng 6": by the end of May
    piece.start = None
    return piece


def _need_year(rule: str, what: str) -> _Piece:
    return _Piece(rule, needs_year=True, note=f"{what}: plan year unknown")


# ---------------------------------------------------------------- rules
# Each rule: a name, a verbose regex over the match key, and a handler building a piece.
# Rules run in this order and a later rule never takes text an earlier one took.

_Q = r"(?:iv|iii|ii|i|[1-4])(?![a-z0-9])"
_YEAR = r"(?:19\d\d|20\d\d|2100)(?!\d)"  # YEAR_MIN..YEAR_MAX of dates.py
_NEXT_YEAR = r"nam \s (?:lien \s ke|sau|tiep \s theo|ke \s tiep)"


def _date_range(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "từ ngày 11 đến ngày 13/7/2007", "từ ngày 01/3 đến ngày 15/4/2026" """
    y, m2, d2 = int(m["y"]), int(m["m2"]), int(m["d2"])
    m1 = int(m["m1"]) if m["m1"] else m2
    start, e1 = make_iso(int(m["d1"]), m1, y)
    end, e2 = make_iso(d2, m2, y)
    if e1 or e2:
        return _Piece("date_range", kind="error", note=f"impossible date: {e1 or e2}")
    return _Piece("date_range", start, end)


def _date(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "15/3/2026", "ngày 20 tháng 7 năm 2021", "Trước ngày 31/12/2020" """
    iso, error = make_iso(int(m["d"]), int(m["m"]), int(m["y"]))
    if error:
        return _Piece("date", kind="error", note=f"impossible date {m.group(0).strip()}: {error}")
    return _span(_Piece("date", iso, iso), ctx, m, whole_day=True)


def _date_iso(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "2026-03-15" (our own output read back) """
    iso, error = make_iso(int(m["d"]), int(m["m"]), int(m["y"]))
    if error:
        return _Piece("date_iso", kind="error", note=f"impossible date {m.group(0)}: {error}")
    return _span(_Piece("date_iso", iso, iso), ctx, m, whole_day=True)


def _day_of_next_month(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Trước ngày 05 của tháng liền kề": a monthly report due early next month """
    return _Piece("day_of_next_month", kind="recurring", recurrence=("monthly",),
                  note=f"by day {int(m['d']):02d} of the following month")


def _day_month(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Trước ngày 31/01 năm liền kề", "trước 28/02 năm sau", "ngày 20 tháng 7 hàng năm".

    In a plan over several years, a day that recurs falls in each year of the period: its
    last occurrence ends the span. "năm liền kề" recurs yearly on its own."""
    several = ctx.period is not None and ctx.period[1] > ctx.period[0] and ctx.year is None
    recurs = bool(m["next"] and "lien ke" in m["next"]) or ctx.recurs or (bool(m["next"]) and several)
    year = ctx.period[1] if (several and recurs) else ctx.year
    year = year + 1 if (m["next"] and year) else year
    if year is None:
        return _need_year("day_month", f"day {m['d']}/{m['m']}")
    iso, error = make_iso(int(m["d"]), int(m["m"]), year)
    if error:
        return _Piece("day_month", kind="error", note=f"impossible date {m.group(0).strip()}: {error}")
    piece = _span(_Piece("day_month", iso, iso), ctx, m, whole_day=True)
    if recurs and m["next"]:
        piece.kind, piece.recurrence = "fixed", ("yearly",)
        piece.note = f"by {int(m['d']):02d}/{int(m['m']):02d} of each following year"
    return piece


def _period(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "giai đoạn 2021-2025", "2021 - 2030", "từ năm 2021 đến năm 2025" """
    y1, y2 = int(m["y1"]), int(m["y2"])
    if y2 < y1:
        return _Piece("period", kind="error", note=f"period ends before it starts: {y1}-{y2}")
    return _Piece("period", f"{y1:04d}-01-01", f"{y2:04d}-12-31")


def _month_range(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "tháng 5–9/2026", "Từ tháng 3 đến tháng 9/2026", "tháng 11/2025 đến tháng 3/2026" """
    y2 = _year_of(m["y2"], ctx)
    y1 = int(m["y1"]) if m["y1"] else y2
    if y2 is None:
        return _need_year("month_range", f"months {m['m1']}-{m['m2']}")
    s, _ = _month_span(y1, int(m["m1"]))
    _, e = _month_span(y2, int(m["m2"]))
    if s is None or e is None or e < s:
        return _Piece("month_range", kind="error", note=f"impossible month range {m.group(0).strip()}")
    return _span(_Piece("month_range", s, e), ctx, m)


def _month_list(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "tháng 5, 6/2026", "tháng 7 và tháng 8 năm 2021" """
    months = sorted(int(x) for x in re.findall(r"\d{1,2}", m["list"]))
    year = _year_of(m["y"], ctx)
    if year is None:
        return _need_year("month_list", "months")
    s, e = _month_span(year, months[0], months[-1])
    if s is None:
        return _Piece("month_list", kind="error", note=f"impossible month in {m.group(0).strip()}")
    note = None if months == list(range(months[0], months[-1] + 1)) else f"months {', '.join(map(str, months))}"
    return _span(_Piece("month_list", s, e, note=note), ctx, m)


def _month(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Tháng 12/2021", "tháng 12 năm 2021", "trong tháng 01/2026", "Tháng 12" (plan year) """
    year = _year_of(m["y"], ctx)
    if year is None:
        return _need_year("month", f"month {m['m']}")
    s, e = _month_span(year, int(m["m"]))
    if s is None:
        return _Piece("month", kind="error", note=f"month {int(m['m'])} does not exist")
    return _span(_Piece("month", s, e), ctx, m)


def _quarter(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Quý IV/2021", "Quý 4/2021", "quý II năm 2021", "Quý II, III/2021", "Quý II" (plan year) """
    quarters = sorted(_ROMAN[q] for q in re.findall(_Q, m["list"]))
    year = _year_of(m["y"], ctx)
    if year is None:
        return _need_year("quarter", "quarter")
    s, _ = _month_span(year, 3 * quarters[0] - 2)
    _, e = _month_span(year, 3 * quarters[-1])
    contiguous = quarters == list(range(quarters[0], quarters[-1] + 1))
    note = None if contiguous else "quarters " + ", ".join("I II III IV".split()[q - 1] for q in quarters)
    return _span(_Piece("quarter", s, e, note=note), ctx, m)


def _part_of_year(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "6 tháng đầu năm" (H1), "6 tháng cuối năm" (H2), "9 tháng đầu năm 2021", "nửa đầu năm" """
    n = 6 if m["n"] is None else int(m["n"])
    year = _year_of(m["y"], ctx)
    if not 1 <= n <= 12:
        return _Piece("part_of_year", kind="error", note=f"{n} months is not part of a year")
    if year is None:
        return _need_year("part_of_year", f"{n} months")
    first = m["side"] == "dau"
    s, e = _month_span(year, 1, n) if first else _month_span(year, 13 - n, 12)
    return _span(_Piece("part_of_year", s, e), ctx, m)


def _every_n_months(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "định kỳ 3 tháng/lần" (quarterly), "định kỳ 6 tháng" (half-yearly), "12 tháng một lần" """
    n = int(m["n"])
    word = _MONTHS_RECURRENCE.get(n, f"every-{n}-months")
    return _Piece("every_n_months", kind="recurring", recurrence=(word,))


def _recurrence_word(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Hàng tháng", "Hằng quý", "hàng năm", "Định kỳ hằng tháng", "Hàng tháng/quý" """
    units = re.findall(r"ngay|tuan|thang|quy|nam", m.group(0))
    words = tuple(dict.fromkeys(_UNIT_RECURRENCE[u] for u in units))
    return _Piece("recurrence_word", kind="recurring", recurrence=words)


def _continuous(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Thường xuyên", "Liên tục", "Cả năm", "suốt năm 2021" """
    if m["y"]:
        return _Piece("continuous", f"{m['y']}-01-01", f"{m['y']}-12-31", kind="continuous")
    return _Piece("continuous", kind="continuous")


def _until_year(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "đến năm 2030", "đến hết năm 2025" """
    return _Piece("until_year", None, f"{int(m['y']):04d}-12-31")


def _year(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Năm 2021", "Trong năm 2021", "năm 2021, 2022", "2021" (alone), "Trong năm" (plan year) """
    year = _year_of(m["y"], ctx)
    if year is None:
        return _need_year("year", "the year")
    years = sorted(int(y) for y in re.findall(r"\d{4}", m.group(0))) or [year]
    return _span(_Piece("year", f"{years[0]:04d}-01-01", f"{years[-1]:04d}-12-31"), ctx, m)


def _vision(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "tầm nhìn đến năm 2045": an outlook, not a deadline """
    return _Piece("vision", kind="noise", note=f"vision to {m['y']}")


def _on_request(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Khi có yêu cầu", "Theo yêu cầu", "Đột xuất" """
    return _Piece("on_request", kind="by_reference")


def _relative(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Trong thời hạn 15 ngày kể từ ngày nhận được hồ sơ", "Tối đa 6 tháng kể từ ngày thông
    báo", "Sau khi có kết luận của Hội đồng", "chậm nhất là đến thời hạn kết thúc Hợp đồng":
    the date is counted from an event the text names, not a day of the calendar """
    return _Piece("relative", kind="by_reference")


def _cited_date(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Quyết định số 12/QĐ-UBND ngày 05/01/2021": the date of a document cited, not a deadline """
    return _Piece("cited_date", kind="noise", note="the date of a cited document")


def _reference(m: re.Match[str], ctx: _Context) -> _Piece:
    """ "Theo Kế hoạch ...", "Theo hướng dẫn của Trung ương", "Theo Điều 17 Nghị định số ..." """
    return _Piece("reference", kind="by_reference")


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str], _Context], _Piece]


def _rule(name: str, pattern: str, build: Callable[[re.Match[str], _Context], _Piece]) -> _Rule:
    return _Rule(name, re.compile(pattern, re.VERBOSE), build)


_RULES: tuple[_Rule, ...] = (
    _rule("vision", rf"tam \s nhin (?:\s den)? (?:\s nam)? \s (?P<y>{_YEAR})", _vision),
    _rule("on_request", r"""
        khi \s co \s (?:yeu \s cau|chi \s dao|huong \s dan)
        | theo \s yeu \s cau | dot \s xuat
    """, _on_request),
    _rule("cited_date", r"""
        (?:nghi \s dinh|quyet \s dinh|thong \s tu|ke \s hoach|cong \s van|van \s ban|chi \s thi|nghi \s quyet
           |phuong \s an|chuong \s trinh|thong \s bao|to \s trinh) (?:\s so)? \s? [0-9][0-9a-z./&-]*
        ,? \s (?:ngay \s)? \d{1,2} \s? (?:/|-|\.|\s thang \s) \s? \d{1,2} \s? (?:/|-|\.|,? \s nam \s) \s? \d{4} (?!\d)
    """, _cited_date),
    _rule("relative", r"""
        (?:trong \s (?:thoi \s han|vong) \s | toi \s da \s | cham \s nhat (?:\s la)? \s | sau \s )?
        \d{1,3} \s (?:ngay|tuan|thang|nam) (?:\s lam \s viec)? ,? \s
        (?:ke \s tu|tu \s khi|tu \s ngay|sau \s khi|truoc \s khi|ke \s tu \s khi|tu \s (?=phien|buoi|khi|ngay))
        | (?:^|(?<=\s)) (?:ngay \s)? sau \s khi \s
        | den \s thoi \s han \s | khi \s ket \s thuc \s | khi \s co \s van \s ban
        | ke \s tu \s (?:khi|ngay \s (?:ky|co|nhan|ket|thong))
    """, _relative),
    _rule("date_range", rf"""
        tu \s ngay \s (?P<d1>\d{{1,2}}) (?:/(?P<m1>\d{{1,2}}))? \s? (?:-|den (?:\s het)?) \s?
        (?:ngay \s)? (?P<d2>\d{{1,2}}) \s? / \s? (?P<m2>\d{{1,2}}) \s? / \s? (?P<y>\d{{4}}) (?!\d)
    """, _date_range),
    _rule("date", r"""
        (?:ngay \s)?
        (?: (?<![\d/.-]) (?P<d>\d{1,2}) \s? (?P<sep>[/.-]) \s? (?P<m>\d{1,2}) \s? (?P=sep) \s? (?P<y>\d{4}) (?![\d/])
          | (?P<d_>\d{1,2}) \s thang \s (?P<m_>\d{1,2}) ,? \s nam \s (?P<y_>\d{4}) (?!\d) )
    """, lambda m, ctx: _date(_Groups(m, d=m["d"] or m["d_"], m=m["m"] or m["m_"], y=m["y"] or m["y_"]), ctx)),
    _rule("date_iso", r"(?<![\d/.-]) (?P<y>\d{4}) - (?P<m>\d{2}) - (?P<d>\d{2}) (?![\d/-])", _date_iso),
    _rule("day_of_next_month", r"ngay \s (?P<d>\d{1,2}) \s (?:cua \s)? (?:cac \s)? (?:dau \s)? thang \s (?:lien \s ke|sau|tiep \s theo|ke \s tiep)",
          _day_of_next_month),
    _rule("day_month", rf"""
        (?: ngay \s (?P<d>\d{{1,2}}) \s thang \s (?P<m>\d{{1,2}}) (?![\d/])
          | (?:(?<=ngay\s)|(?<=truoc\s)|(?<=han\s)|(?<=het\s)) (?P<d2>\d{{1,2}}) \s? / \s? (?P<m2>\d{{1,2}}) (?![\d/]) )
        (?! ,? \s nam \s \d)
        (?: \s (?:cua \s)? (?P<next>{_NEXT_YEAR}))?
    """, lambda m, ctx: _day_month(_Groups(m, d=m["d"] or m["d2"], m=m["m"] or m["m2"], next=m["next"]), ctx)),
    _rule("period", rf"""
        (?:giai \s doan \s)? (?:tu \s)? (?:nam \s)? (?P<y1>{_YEAR}) \s? (?:-|den (?:\s het)? (?:\s nam)?) \s? (?P<y2>{_YEAR})
    """, _period),
    _rule("month_range", rf"""
        (?:tu \s)? thang \s (?P<m1>\d{{1,2}}) (?: \s? / \s? (?P<y1>{_YEAR}))?
        \s? (?:-|den (?:\s het)?|toi) \s? (?:thang \s)? (?P<m2>\d{{1,2}})
        (?: \s? / \s? | \s nam \s) (?P<y2>{_YEAR})
    """, _month_range),
    _rule("month_list", rf"""
        thang \s (?P<list>\d{{1,2}} (?: \s? (?:,|va|;) \s? (?:thang \s)? \d{{1,2}})+ )
        (?: \s? / \s? | \s nam \s) (?P<y>{_YEAR})
    """, _month_list),
    _rule("month", rf"""
        (?<!moi\s)(?<!hang\s) thang \s (?P<m>\d{{1,2}}) (?: \s? (?:/|-) \s? (?P<y>{_YEAR}) | \s nam \s (?P<y2>{_YEAR}) | (?![\d/]))
    """, lambda m, ctx: _month(_Groups(m, m=m["m"], y=m["y"] or m["y2"]), ctx)),
    _rule("quarter", rf"""
        quy \s (?P<list>{_Q} (?: \s? (?:,|va|-|den|&|;) \s? (?:quy \s)? {_Q})* )
        (?: \s? (?:/|-) \s? (?P<y>{_YEAR}) | \s nam \s (?P<y2>{_YEAR}) )?
    """, lambda m, ctx: _quarter(_Groups(m, list=m["list"], y=m["y"] or m["y2"]), ctx)),
    _rule("part_of_year", rf"""
        (?: (?P<n>\d{{1,2}}) \s thang | nua ) \s (?P<side>dau|cuoi) (?:\s nam)? (?: \s? /? \s? (?P<y>{_YEAR}))?
    """, _part_of_year),
    _rule("every_n_months", r"""
        (?:dinh \s ky \s)? (?P<n>\d{1,2}) \s thang \s? (?:/ \s? (?:1 \s|01 \s)? lan | (?:mot|1|01) \s lan)
        | dinh \s ky \s (?P<n2>\d{1,2}) \s thang
    """, lambda m, ctx: _every_n_months(_Groups(m, n=m["n"] or m["n2"]), ctx)),
    _rule("recurrence_word", r"""
        (?: (?:hang|moi) \s (?:ngay|tuan|thang|quy|nam) | dinh \s ky \s (?:(?:hang|moi) \s)? (?:thang|quy|nam) ) (?![a-z])
        (?: \s? (?:/|,|va|hoac) \s? (?:(?:hang|moi) \s)? (?:ngay|tuan|thang|quy|nam) (?![a-z]) (?!\s\d) )*
    """, _recurrence_word),
    _rule("continuous", rf"thuong \s xuyen | lien \s tuc | (?:ca|suot) \s nam (?:\s (?P<y>{_YEAR}))?", _continuous),
    _rule("until_year", rf"den (?:\s het)? \s nam \s (?P<y>{_YEAR})", _until_year),
    _rule("year", rf"""
        (?:trong \s )? nam \s (?P<y>{_YEAR}) (?: \s? (?:,|va|;) \s? (?:nam \s)? {_YEAR})*
        | ^ (?P<y2>{_YEAR}) $
        | trong \s nam (?!\s?\d) (?!\s (?:lien|sau|tiep|ke))
    """, lambda m, ctx: _year(_Groups(m, y=m["y"] or m["y2"]), ctx)),
    _rule("reference", r"""
        ^ (?:thuc \s hien \s)? theo \s
        | theo \s (?:ke \s hoach|huong \s dan|quy \s dinh|lo \s trinh|tien \s do|cac \s moc|moc|dieu|chi \s dao
                   |nghi \s dinh|quyet \s dinh|thong \s tu|van \s ban|chuong \s trinh|de \s an|phuong \s an)
    """, _reference),
)

#: The rule names, in the order the rules run; `explain_deadline` reports them.
RULE_NAMES: tuple[str, ...] = tuple(r.name for r in _RULES)


class _Groups:
    """A match-like view with renamed groups (for rules with alternative spellings)."""

    __slots__ = ("_m", "_g")

    def __init__(self, match: re.Match[str], /, **groups: str | None) -> None:
        self._m, self._g = match, groups

    def __getitem__(self, name: str) -> str | None:
        return self._g[name] if name in self._g else self._m[name]

    def group(self, i: int = 0) -> str:
        return self._m.group(i)

    def start(self, i: int = 0) -> int:
        return self._m.start(i)


# ---------------------------------------------------------------- combining

_TRAILING = re.compile(r"[\s.;,:]+$")
_SPACES = re.compile(r"\s+")
_RECURRENCE_ORDER = {w: i for i, w in enumerate(RECURRENCES)}


def _tidy(text: str) -> str:
    """The cell as written, NFC, one space between words, no trailing dots."""
    return _TRAILING.sub("", _SPACES.sub(" ", nfc(text)).strip())


def _scan_spans(key: str, year: int | None, period: tuple[int, int] | None = None) -> list[tuple[int, int, _Piece]]:
    """The time expressions of a key, in text order, each with its span; a later rule never
    takes text an earlier one took."""
    ctx = _Context(key, year, period)
    taken: list[tuple[int, int]] = []
    pieces: list[tuple[int, int, _Piece]] = []
    for rule in _RULES:
        for m in rule.pattern.finditer(key):
            if m.end() == m.start() or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            pieces.append((m.start(), m.end(), rule.build(m, ctx)))
    pieces.sort(key=lambda p: p[0])
    return pieces


def _scan(key: str, year: int | None, period: tuple[int, int] | None = None) -> list[_Piece]:
    return [p for _, _, p in _scan_spans(key, year, period)]


def _key_with_offsets(text: str) -> tuple[str, list[int]]:
    """The match key of a text (no diacritics, lower case, one space for each run of spaces)
    and, for each of its characters, the offset in `text` it came from."""
    out: list[str] = []
    where: list[int] = []
    space = True
    for i, ch in enumerate(text):
        if ch.isspace() or ch == "\u00a0":
            if space:
                continue
            folded, space = " ", True
        else:
            folded, space = strip_diacritics(ch).lower(), False
        for c in folded:
            out.append(c)
            where.append(i)
    return "".join(out), where


def time_expressions(text: str) -> list[tuple[int, int, str, str]]:
    """The time expressions written in a text (a sentence of prose), each as (start, end,
    rule name, kind of its piece) with offsets into `text`: where a prose reader may look for
    a deadline. The kinds are those of a single piece ("fixed", "start", "recurring",
    "continuous", "by_reference"; "noise" for the date of a cited document or a vision year).

    >>> text = "hoàn thành trước ngày 30/6/2026."
    >>> [(text[s:e], rule) for s, e, rule, _ in time_expressions(text)]
    [('ngày 30/6/2026', 'date')]
    """
    key, where = _key_with_offsets(nfc(text) if isinstance(text, str) else "")
    if not key:
        return []
    out = []
    for s, e, piece in _scan_spans(key, None):
        out.append((where[s], where[e - 1] + 1, piece.rule, piece.kind if not piece.recurrence else "recurring"))
    return out


def _plan_span(year: int | None, period: tuple[int, int] | None) -> tuple[str | None, str | None]:
    """What a recurring or continuous deadline spans when its cell names no time of its own:
    the plan year, else the plan's period."""
    if year:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    if period:
        return f"{period[0]:04d}-01-01", f"{period[1]:04d}-12-31"
    return None, None


def _dated_span(pieces: list[_Piece]) -> tuple[str | None, str | None]:
    """From the first start to the last end of the dated pieces (fixed milestones and starts)."""
    dated = [p for p in pieces if p.kind in ("fixed", "start") and (p.start or p.end)]
    starts = [p.start for p in dated if p.start]
    ends = [p.end for p in dated if p.kind == "fixed" and p.end]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _combine(raw: str, tidy: str, pieces: list[_Piece], year: int | None, period: tuple[int, int] | None = None) -> Deadline:
    notes = [p.note for p in pieces if p.note and p.kind not in ("error",)]
    errors = [p.note for p in pieces if p.kind == "error"]
    fixed = [p for p in pieces if p.kind == "fixed"]
    starts = [p for p in pieces if p.kind == "start"]
    recurrence = sorted({w for p in pieces for w in p.recurrence}, key=lambda w: _RECURRENCE_ORDER.get(w, 99))
    kinds = {p.kind for p in pieces}
    plan = _plan_span(year, period)
    start, end = _dated_span(pieces)

    def note(*extra: str | None) -> str | None:
        parts = [n for n in (*notes, *extra) if n]
        return "; ".join(dict.fromkeys(parts)) or None

    if errors and not (fixed or starts or recurrence):
        return Deadline(raw=raw, kind="unparsed", note="; ".join(errors))
    if recurrence:
        start, end = (start, end) if (start or end) else plan
        unknown = None if end or year or period else "plan year unknown"
        return Deadline(raw, start, end, "/".join(recurrence), "recurring", note(*errors, unknown))
    if "by_reference" in kinds and not (start or end):
        return Deadline(raw=raw, kind="by_reference", note=tidy)
    if "continuous" in kinds:
        own = [p for p in pieces if p.kind == "continuous" and p.end]
        start, end = (start, end) if (start or end) else (own[0].start, own[0].end) if own else plan
        unknown = None if end or year or period else "plan year unknown"
        return Deadline(raw, start, end, "", "continuous", note(*errors, unknown))
    if end:
        dated = [p for p in fixed if p.end]
        several = f"{len(dated)} milestones" if len(dated) > 1 else None
        return Deadline(raw, start, end, "", "fixed", note(several, *errors))
    if start:
        return Deadline(raw, start, None, "", "start", note(*errors))
    if fixed:  # an expression that needed a plan year nobody gave: not a deadline without dates
        return Deadline(raw=raw, kind="unparsed", note=note(*errors) or "plan year unknown")
    return Deadline(raw=raw, kind="unparsed", note="no deadline expression recognised")


def _valid_period(period: object) -> tuple[int, int] | None:
    if (isinstance(period, tuple) and len(period) == 2 and all(isinstance(y, int) for y in period)
            and YEAR_MIN <= period[0] <= period[1] <= YEAR_MAX):
        return period[0], period[1]
    return None


def _references(text: str) -> str:
    """The canonical ids of the documents a by-reference deadline cites, "; "-joined."""
    from vanban.normalize.citations import find_citations

    return "; ".join(dict.fromkeys(c.id for c in find_citations(text)))


def explain_deadline(text: str, year: int | None = None,
                     period: tuple[int, int] | None = None) -> tuple[Deadline, list[str]]:
    """The parsed deadline and the names of the rules (`RULE_NAMES`) that matched, in text order.

    >>> explain_deadline("Hàng tháng trong năm 2021")[1]
    ['recurrence_word', 'year']
    """
    raw = text if isinstance(text, str) else ""
    try:
        tidy = _tidy(raw)
        key = _TRAILING.sub("", match_key(raw))
        if not key:
            return Deadline(raw=raw, kind="unparsed", note="empty"), []
        if key.startswith("theo ") and not key.startswith("theo yeu cau"):
            return Deadline(raw=raw, kind="by_reference", note=tidy, reference=_references(tidy)), ["reference"]
        plan_year = year if isinstance(year, int) and YEAR_MIN <= year <= YEAR_MAX else None
        plan_period = _valid_period(period)
        pieces = _scan(key, plan_year, plan_period)
        d = _combine(raw, tidy, pieces, plan_year, plan_period)
        if d.kind == "by_reference" and any(p.rule == "reference" for p in pieces):
            d.reference = _references(tidy)
        return d, [p.rule for p in pieces]
    except Exception as exc:  # a bad cell must never stop a batch
        return Deadline(raw=raw, kind="unparsed", note=f"internal error: {type(exc).__name__}: {exc}"), []


def parse_deadline(text: str, year: int | None = None, period: tuple[int, int] | None = None) -> Deadline:
    """A deadline cell as `Deadline`: ISO start/end, recurrence, kind and note. Never raises.

    `year` is the plan's year (ignored outside 1900-2100), for expressions without one ("Quý II", "Hàng tháng",
    "6 tháng đầu năm", "Trước ngày 31/01 năm liền kề" = 31/01 of ``year + 1``). `period` is the plan's period
    (first year, last year), "giai đoạn 2026-2030": what a recurring or continuous deadline spans when the plan
    has no single year.

    >>> d = parse_deadline("Hằng năm", period=(2026, 2030))
    >>> d.start, d.end, d.recurrence, d.kind
    ('2026-01-01', '2030-12-31', 'yearly', 'recurring')
    >>> d = parse_deadline("Bắt đầu thực hiện từ năm 2026")
    >>> d.start, d.end, d.kind
    ('2026-01-01', None, 'start')

    >>> d = parse_deadline("Quý IV/2021")
    >>> d.start, d.end, d.recurrence, d.kind
    ('2021-10-01', '2021-12-31', '', 'fixed')
    >>> d = parse_deadline("Trước ngày 31/12/2020")
    >>> d.start, d.end, d.kind
    (None, '2020-12-31', 'fixed')
    >>> d = parse_deadline("chậm nhất là ngày 20 tháng 7 hàng năm", year=2021)
    >>> d.start, d.end, d.recurrence, d.kind
    (None, '2021-07-20', 'yearly', 'recurring')
    >>> d = parse_deadline("Thường xuyên", year=2021)
    >>> d.start, d.end, d.kind
    ('2021-01-01', '2021-12-31', 'continuous')
    >>> parse_deadline("31/02/2020").note
    'impossible date 31/02/2020: day 31 does not exist in 02/2020 (last day 29)'
    """
    return explain_deadline(text, year, period)[0]


@functools.cache
def deadline_vocabulary() -> tuple[dict[str, str], ...]:
    """The rows of ``corpus/deadline_vocab.tsv``: one example per rule with its expected reading.

    Columns: pattern (a rule name), example, year (the plan year passed, may be empty),
    period (the plan's period passed, "2026-2030", may be empty), start, end, recurrence,
    kind, note. Loaded once.
    """
    text = resources.files("vanban.corpus").joinpath("deadline_vocab.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(dict(r) for r in csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE))
