"""The rules of the deadline reader: each a name, a regex over a cell's match key and a handler
that builds a piece (a date, a quarter, a recurrence word ...). `vanban.normalize.deadlines`
combines the pieces of a cell into one `Deadline`; its docstring says how cells are read.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from vanban.normalize.dates import YEAR, make_iso
from vanban.normalize.numerals import roman_value

#: Recurrence words, finest first; several in one cell are joined with "/" in this order.
RECURRENCES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly")

_UNIT_RECURRENCE = {"ngay": "daily", "tuan": "weekly", "thang": "monthly", "quy": "quarterly", "nam": "yearly"}
_MONTHS_RECURRENCE = {1: "monthly", 3: "quarterly", 6: "half-yearly", 12: "yearly"}

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
_YEAR = rf"{YEAR}(?!\d)"
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
    quarters = sorted(int(q) if q.isdigit() else roman_value(q.upper()) for q in re.findall(_Q, m["list"]))
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
