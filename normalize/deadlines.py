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

import functools
import re

from vanban.corpus import table
from vanban.model import Deadline
from vanban.normalize.dates import YEAR_MAX, YEAR_MIN
from vanban.normalize.deadline_rules import RECURRENCES, RULE_NAMES, _Piece, _scan, _scan_spans
from vanban.normalize.fold import match_key, nfc, strip_diacritics

__all__ = ["parse_deadline", "explain_deadline", "time_expressions", "deadline_vocabulary", "RULE_NAMES", "RECURRENCES"]


# ---------------------------------------------------------------- combining

_TRAILING = re.compile(r"[\s.;,:]+$")
_SPACES = re.compile(r"\s+")
_RECURRENCE_ORDER = {w: i for i, w in enumerate(RECURRENCES)}


def _tidy(text: str) -> str:
    """The cell as written, NFC, one space between words, no trailing dots."""
    return _TRAILING.sub("", _SPACES.sub(" ", nfc(text)).strip())


def _key_with_offsets(text: str) -> tuple[str, list[int]]:
    """The match key of a text (no diacritics, lower case, one space for each run of spaces)
    and, for each of its characters, the offset in `text` it came from.

    >>> _key_with_offsets("  Hoàn thành\u00a0 trước ")
    ('hoan thanh truoc ', [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19])
    """
    low = strip_diacritics(text).lower()
    if len(low) != len(text) or "Σ" in text:  # not one letter for one (not NFC, a letter lower() makes two)
        return _key_with_offsets_by_letter(text)
    out: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _SPACES.finditer(low):
        s, e = m.span()
        if s > pos:
            out.append(low[pos:s])
            where.extend(range(pos, s))
        if s > 0:  # a run after some text: one space, from its first character
            out.append(" ")
            where.append(s)
        pos = e
    out.append(low[pos:])
    where.extend(range(pos, len(low)))
    return "".join(out), where


def _key_with_offsets_by_letter(text: str) -> tuple[str, list[int]]:
    """`_key_with_offsets` a character at a time: for a text whose key is not one letter for one."""
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
        if end and not start and period and not year and period[1] > period[0]:
            start = plan[0]  # a day each year of a plan over several years: the period's first day to the last one
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
    return table("deadline_vocab.tsv")
