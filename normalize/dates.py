"""Calendar dates as Vietnamese documents write them: find them, parse them, check them.

Day first, always: "24/12/2020", "24-12-2020", "24.12.2020", "ngày 24 tháng 12 năm 2020",
"NGÀY 25 THÁNG 10 NĂM 2017" (and the ISO form "2020-12-24" that our own outputs write).
An impossible date is kept with ``iso=None`` and an ``error`` saying why: it is never
guessed, never swapped to month-first.

>>> parse_date("ngày 24 tháng 12 năm 2020").iso
'2020-12-24'
>>> parse_date("31/02/2020").error
'day 31 does not exist in 02/2020 (last day 29)'
>>> [d.iso for d in find_dates("Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ")]
['2020-04-08']
>>> find_place_date("Thừa Thiên Huế, ngày 24 tháng 12 năm 2020")[0]
'Thừa Thiên Huế'
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Iterator

from vanban.model import DateValue, Loc
from vanban.normalize.fold import nfc, strip_diacritics

__all__ = [
    "parse_date", "find_dates", "find_place_date", "make_iso", "vi_word", "vi_date", "YEAR", "YEAR_MIN", "YEAR_MAX",
    "DATE_AFTER_CITATION", "CITED_DATE_GROUPS", "YEAR_AFTER_CITATION", "HEADER_DATE_LINE", "GAZETTE_DATE", "PLACE_DATE_START",
]

#: Plausible years for a document date; outside this range a date is reported, not parsed.
YEAR_MIN, YEAR_MAX = 1900, 2100
#: A year of that range as a regex (no group, no boundary: each pattern says what may stand around it).
#: the ways a year of YEAR_MIN..YEAR_MAX is written, each led by its first digit (`vanban.normalize.wordre.word_start`)
YEAR_FORMS = (r"19\d\d", r"20\d\d", "2100")
YEAR = "(?:" + "|".join(YEAR_FORMS) + ")"

_COMBINING = "[\u0300-\u036f]*"


@functools.lru_cache(maxsize=1)
def _marked_letters() -> dict[str, frozenset[str]]:
    """Base letter -> the letters U+00C0..U+1EFF that carry it with a mark (folded once, not per letter)."""
    out: dict[str, set[str]] = {}
    for cp in range(0xC0, 0x1EFF + 1):
        ch = chr(cp)
        out.setdefault(strip_diacritics(ch).lower(), set()).add(ch)
    return {k: frozenset(v) for k, v in out.items()}


def _accented(base: str) -> str:
    """A regex class for one base letter with any tone or vowel mark, NFC or NFD."""
    variants = {base, base.upper()} | _marked_letters().get(base, frozenset())
    return "[" + "".join(sorted(variants)) + "]" + _COMBINING


def vi_word(word: str) -> str:
    """A regex for a Vietnamese word written with or without its marks, NFC or NFD.

    The word is given without diacritics: ``vi_word("ngay")`` matches "ngày", "NGÀY",
    "ngay" and the decomposed "nga\\u0300y".
    """
    return "".join(_accented(ch) if ch.isalpha() else re.escape(ch) for ch in word)


_NGAY, _THANG, _NAM = vi_word("ngay"), vi_word("thang"), vi_word("nam")

# One date written in words: "ngày 24 tháng 12 năm 2020"; blanks allowed in a draft header.
_VERBAL = rf"""
    {_NGAY} [ \t\u00a0]+ (?P<vd>\d{{1,2}}) [ \t\u00a0]+
    {_THANG} [ \t\u00a0]+ (?P<vm>\d{{1,2}}) [ \t\u00a0]*,?[ \t\u00a0]*
    {_NAM} [ \t\u00a0]+ (?P<vy>\d{{4}})
"""
# One date in figures, day first, one separator used twice: "24/12/2020", "17-4-2015".
# The check of the character before it comes after the first digit ("\d(?<![...].)", not "(?<![...])\d"):
# a pattern that starts with a digit lets the regex engine skip to the next digit instead of trying
# every position (find_dates ran at 9 MB/s, half of it there).
_NUMERIC = r"""
    (?P<nd>\d(?<![\d/.\-–].)\d?) [ ]? (?P<sep>[/.\-–]) [ ]? (?P<nm>\d{1,2}) [ ]? (?P=sep) [ ]? (?P<ny>\d{4})
    (?!\d|[/.,\-–]\d)
"""
# The ISO form our outputs write: "2020-12-24".
_ISO = r"(?P<iy>\d(?<![\d/.\-].)\d{3}) - (?P<im>\d{2}) - (?P<id>\d{2}) (?![\d/\-])"

#: The three forms, scanned apart and merged (`_found`) as one pattern "words|figures|ISO" would scan them:
#: figures and ISO dates start with a digit, which the regex engine skips to, while the one pattern, which
#: must ignore case for "NGÀY", gave it no first character to skip to (half the time of `find_dates`).
#: Each with the names of its day, month and year groups.
_FORMS = (
    (re.compile(_VERBAL, re.IGNORECASE | re.VERBOSE), ("vd", "vm", "vy")),
    (re.compile(_NUMERIC, re.VERBOSE), ("nd", "nm", "ny")),  # no letters: no case to ignore
    (re.compile(_ISO, re.VERBOSE), ("id", "im", "iy")),
)
_WHOLE = re.compile(
    rf"\s*(?:(?:{_VERBAL})|(?:{_NGAY}\s+)?(?:{_NUMERIC})|(?:{_ISO}))\s*[.,;:]?\s*",
    re.IGNORECASE | re.VERBOSE,
)

# The place-and-date line under the national motto: "Thừa Thiên Huế, ngày 24 tháng 12 năm 2020".
# Drafts leave day and month blank ("Lâm Đồng, ngày      tháng 12 năm 2025").
_BLANK = r"[ \t\u00a0._…]*"
_PLACE_DATE = re.compile(
    rf"""
    (?:^|\t) [ \t\u00a0]*
    (?P<place>[^\W\d_][^\t\n\d,;:()/]{{0,60}}?) [ \t\u00a0]*,[ \t\u00a0]*
    (?P<date>
        {_NGAY} {_BLANK} (?P<d>\d{{1,2}})? {_BLANK}
        {_THANG} {_BLANK} (?P<m>\d{{1,2}})? {_BLANK}
        {_NAM} {_BLANK} (?P<y>\d{{4}})?
    )
    """,
    re.IGNORECASE | re.VERBOSE | re.MULTILINE,
)


# The date written right after a citation (`vanban.normalize.citations`): looser about spaces and line
# breaks than `find_dates` (a citation's date may follow a page break), and matched at a position.
_CITED_CORE = (
    rf"(?P<d>\d{{1,2}})[ \t]*(?P<sep>[/.\-])[ \t]*(?P<m>\d{{1,2}})[ \t]*(?P=sep)[ \t]*(?P<y>\d{{4}})(?!\d)"
    rf"|(?P<d2>\d{{1,2}})[ \t]*(?:\n[ \t]*)?th[áa]ng[ \t]*(?:\n[ \t]*)?(?P<m2>\d{{1,2}})[ \t]*(?:\n[ \t]*)?n[ăa]m"
    rf"[ \t]*(?:\n[ \t]*)?(?P<y2>\d{{4}})(?!\d)"
)
#: A unit's code in brackets between a symbol and its date: "170/2008/QĐ-BCA (X11-X14) ngày ...".
_UNIT_IN_BRACKETS = r"(?-i:[ \t]*\([A-ZĐ0-9][A-ZĐ0-9\-,.& ]{0,24}\))?"
_BREAK = r"[ \t]*(?:\n[ \t]*){0,3}"  # spaces, and at most a page break (blank line)
#: The date written right after a citation: ", ngày 17-4-2015", "ngày 24 tháng 12 năm 2020", "NGÀY 25/10/2017",
#: "ngày\n\n31/8/2018" (a page break), "ngay 8/4/2020" (no diacritics), "ngày ngày 14/5/2010" (a slip),
#: "(X11-X14) ngày 18 tháng 02 năm 2008" (a unit's code first), or a bare "24/12/2020" after a space.
#: Day, month and year are the groups d/m/y, d2/m2/y2 or d3/m3/y3 (`cited_date_groups`).
DATE_AFTER_CITATION = re.compile(
    rf"{_UNIT_IN_BRACKETS}{_BREAK},?{_BREAK}ng[àa]y(?:[ \t]+ng[àa]y)?{_BREAK}(?:{_CITED_CORE})"
    rf"|[ \t]+(?P<d3>\d{{1,2}})[ \t]*(?P<sep3>[/\-])[ \t]*(?P<m3>\d{{1,2}})[ \t]*(?P=sep3)[ \t]*(?P<y3>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
#: The three ways `DATE_AFTER_CITATION` names its day, month and year groups.
CITED_DATE_GROUPS = (("d", "m", "y"), ("d2", "m2", "y2"), ("d3", "m3", "y3"))
#: "năm 2015" right after a law's name: the year it is known by ("Luật Đất đai năm 2013").
YEAR_AFTER_CITATION = re.compile(rf"[ \t]+n[ăa]m[ \t]+(?P<y>{YEAR})(?!\d)", re.IGNORECASE)

#: A header's place-and-date line as the rules look for it in the text itself ("<Địa danh>, ngày ... tháng
#: ... năm 2025", blanks and OCR noise allowed in day and month): looser than `find_place_date`, which reads it.
HEADER_DATE_LINE = re.compile(r"\S,?\s*ngày\s+\S{1,3}\s*tháng\s+\S{1,3}\s+năm\s+\d{4}", re.IGNORECASE)
#: Where a header's place-and-date line starts, found before `find_place_date` reads it: a capitalised
#: place, a comma, "ngày" and, up to "năm YYYY", anything (the header stage reads a scan's day apart).
PLACE_DATE_START = re.compile(r"(?:^|\s)(?P<place>[A-ZĐ][^,\d:;]{1,40}),\s*(?:ngày|NGÀY)\s+(?P<date>.+?(?:năm|NĂM)\s+\d{4})")
#: The date in a gazette heading ("... SỐ 115/2004/QĐ-TTG NGÀY 25 THÁNG 6 NĂM 2004 VỀ ..."), without its "ngày".
GAZETTE_DATE = r"\d{1,2}\s*(?:(?:tháng|THÁNG)\s*\d{1,2}\s*(?:năm|NĂM)\s*\d{4}|/\s*\d{1,2}\s*/\s*\d{4})"


def vi_date(iso: str | None, missing: str = "?") -> str:
    """An ISO date as Vietnamese documents write it: '2021-01-05' -> '05/01/2021'; `missing` for none.

    A value that is not an ISO date is returned as it is.

    >>> vi_date("2021-01-05"), vi_date(None), vi_date("", missing="")
    ('05/01/2021', '?', '')
    """
    if iso and len(iso) >= 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"
    return iso or missing


def make_iso(day: int, month: int, year: int) -> tuple[str | None, str | None]:
    """The ISO date, or None and the reason the date cannot exist.

    >>> make_iso(29, 2, 2020)
    ('2020-02-29', None)
    >>> make_iso(1, 13, 2020)
    (None, 'month 13 does not exist')
    """
    if not 1 <= month <= 12:
        return None, f"month {month} does not exist"
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None, f"year {year} is outside {YEAR_MIN}-{YEAR_MAX}"
    if 1 <= day <= 28:  # every month has these; `calendar.monthrange` is slow for a date per citation
        return f"{year:04d}-{month:02d}-{day:02d}", None
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return None, f"day {day} does not exist in {month:02d}/{year} (last day {last})"
    return f"{year:04d}-{month:02d}-{day:02d}", None


def _value(m: re.Match[str], raw: str, loc: Loc, names: tuple[str, str, str] | None = None) -> DateValue:
    """The date of a match; `names`: its day, month and year groups (else those of `_WHOLE`'s branch that matched)."""
    if names is None:
        names = next(n for _, n in _FORMS if m.group(n[0]) is not None)
    iso, error = make_iso(int(m.group(names[0])), int(m.group(names[1])), int(m.group(names[2])))
    return DateValue(raw=raw, iso=iso, loc=loc, error=error)


def _found(text: str) -> Iterator[tuple[re.Match[str], tuple[str, str, str]]]:
    """The matches of the three `_FORMS`, as the one pattern "words|figures|ISO" finds them: the leftmost
    from where the last one ended, and where two start at one place the earlier form."""
    nexts = [p.search(text) for p, _ in _FORMS]
    pos = 0
    while True:
        best = -1
        for k, (pattern, _) in enumerate(_FORMS):
            m = nexts[k]
            if m is not None and m.start() < pos:  # it started inside the last date: look again from its end
                m = nexts[k] = pattern.search(text, pos)
            if m is not None and (best < 0 or m.start() < nexts[best].start()):
                best = k
        if best < 0:
            return
        m = nexts[best]
        yield m, _FORMS[best][1]
        pos = max(m.end(), m.start() + 1)  # (no form matches an empty text; a scan that could would stall)


def parse_date(text: str) -> DateValue | None:
    """One written date, the whole of `text`; None when `text` is not a date.

    Accepts an optional leading "ngày" and a trailing punctuation mark. Use
    `find_dates` for dates inside running text.

    >>> parse_date("ngày 03/02/2018").iso
    '2018-02-03'
    >>> parse_date("NGÀY 25 THÁNG 10 NĂM 2017").iso
    '2017-10-25'
    >>> parse_date("32/1/2020").error
    'day 32 does not exist in 01/2020 (last day 31)'
    >>> parse_date("Quý IV/2021") is None
    True
    """
    if not isinstance(text, str):
        return None
    text = nfc(text)
    m = _WHOLE.fullmatch(text)
    if m is None:
        return None
    raw = text.strip().rstrip(".,;:").strip()
    return _value(m, raw, Loc(start=0, end=len(text), line=1))


def find_dates(text: str) -> list[DateValue]:
    """Every written date in `text`, in order, impossible ones included (with `error`).

    `loc.start`/`loc.end` are offsets into `text` and `loc.line` is 1-based. `raw` is
    the date as written: "ngày 24 tháng 12 năm 2020" for the verbal form (the word
    "ngày" is part of it), "24/12/2020" for figures. Symbols ("107/2020/NĐ-CP"),
    standards ("ISO 9001:2015"), quarters ("Quý IV/2021"), "24/24" and "3 tháng/lần"
    are not dates. A range "từ ngày 11 đến ngày 13/7/2007" gives its last date only.

    >>> [(d.raw, d.iso, d.loc.line) for d in find_dates("Căn cứ\\nLuật ngày 19 tháng 6 năm 2015;")]
    [('ngày 19 tháng 6 năm 2015', '2015-06-19', 2)]
    >>> find_dates("ngày 31/02/2020")[0].error
    'day 31 does not exist in 02/2020 (last day 29)'
    """
    if not isinstance(text, str) or not text:
        return []
    out = []
    line, last = 1, 0
    for m, names in _found(text):
        line += text.count("\n", last, m.start())  # counted in C, from the previous match on
        last = m.start()
        out.append(_value(m, m.group(0), Loc(start=m.start(), end=m.end(), line=line), names))
    return out


def find_place_date(text: str) -> tuple[str | None, DateValue | None]:
    """The place and date of the header line "<Địa danh>, ngày DD tháng MM năm YYYY".

    The first such line wins (it may follow a tab: the header is often the right cell
    of a table row). A draft with the day or month left blank gives the date with
    ``iso=None`` and an error saying what is blank.

    >>> place, date = find_place_date("Số: 3248/QĐ-UBND\\tThừa Thiên Huế, ngày 24 tháng 12 năm 2020")
    >>> place, date.iso, date.loc.start
    ('Thừa Thiên Huế', '2020-12-24', 33)
    >>> place, date = find_place_date("Số:   /KH-UBND\\tLâm Đồng, ngày       tháng 12 năm 2025")
    >>> place, date.iso, date.error
    ('Lâm Đồng', None, 'day left blank')
    """
    if not isinstance(text, str) or not text:
        return None, None
    m = _PLACE_DATE.search(text)
    if m is None:
        return None, None
    place = unicodedata.normalize("NFC", " ".join(m.group("place").split()))
    raw = m.group("date").rstrip(" \t\u00a0._…")
    start = m.start("date")
    line = text.count("\n", 0, start) + 1
    loc = Loc(start=start, end=start + len(raw), line=line)
    blank = [name for name, key in (("day", "d"), ("month", "m"), ("year", "y")) if m.group(key) is None]
    if blank:
        return place, DateValue(raw=raw, iso=None, loc=loc, error=" and ".join(blank) + " left blank")
    iso, error = make_iso(int(m.group("d")), int(m.group("m")), int(m.group("y")))
    return place, DateValue(raw=raw, iso=iso, loc=loc, error=error)
