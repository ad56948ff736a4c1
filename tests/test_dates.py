"""Dates as written in Vietnamese documents: a table of written forms and their ISO dates."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.normalize.dates import find_dates, find_place_date, parse_date

# written form, expected ISO (None: not a date at all; "!" prefix: a date that cannot exist,
# with a word its error must contain)
PARSE_ROWS = [
    ("ngày 24 tháng 12 năm 2020", "2020-12-24"),
    ("24/12/2020", "2020-12-24"),
    ("24-12-2020", "2020-12-24"),
    ("24.12.2020", "2020-12-24"),
    ("24 / 12 / 2020", "2020-12-24"),
    ("24–12–2020", "2020-12-24"),
    ("ngày 03/02/2018", "2018-02-03"),
    ("14/2/2015", "2015-02-14"),
    ("14/02/2015", "2015-02-14"),
    ("NGÀY 25 THÁNG 10 NĂM 2017", "2017-10-25"),
    ("NGÀY 25/10/2017", "2017-10-25"),
    ("ngày 05 tháng 01 năm 2020", "2020-01-05"),
    ("ngày 29 tháng 6 năm 2019", "2019-06-29"),
    ("ngày 14 tháng 09 năm 2020", "2020-09-14"),
    ("ngày 1/8/2021", "2021-08-01"),
    ("07/8/2017", "2017-08-07"),
    ("ngày 17-4-2015", "2015-04-17"),
    ("ngày 6-8-2018", "2018-08-06"),
    ("ngày  24  tháng 12  năm 2020", "2020-12-24"),
    ("ngay 24 thang 12 nam 2020", "2020-12-24"),
    (unicodedata.normalize("NFD", "ngày 24 tháng 12 năm 2020"), "2020-12-24"),
    ("24/12/2020.", "2020-12-24"),
    ("29/02/2020", "2020-02-29"),
    ("2020-12-24", "2020-12-24"),
    ("31/02/2020", "!day 31"),
    ("29/02/2021", "!day 29"),
    ("32/1/2020", "!day 32"),
    ("1/13/2020", "!month 13"),
    ("ngày 00 tháng 5 năm 2020", "!day 0"),
    ("12/3/0215", "!year 215"),
    ("24/24", None),
    ("3 tháng/lần", None),
    ("ISO 9001:2015", None),
    ("Quý IV/2021", None),
    ("107/2020/NĐ-CP", None),
    ("Tháng 12/2021", None),
    ("tháng 12 năm 2021", None),
    ("", None),
    ("ngày 24/12/2020 của UBND tỉnh", None),  # parse_date takes one date; find_dates searches
]


@pytest.mark.parametrize(("text", "expected"), PARSE_ROWS, ids=[r[0] or "empty" for r in PARSE_ROWS])
def test_parse_date(text: str, expected: str | None) -> None:
    value = parse_date(text)
    if expected is None:
        assert value is None
    elif expected.startswith("!"):
        assert value is not None and value.iso is None
        assert value.error and expected[1:] in value.error
    else:
        assert value is not None and value.error is None
        assert value.iso == expected


# text, the dates find_dates must give (raw, iso), in order
FIND_ROWS = [
    ("Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ", [("08/4/2020", "2020-04-08")]),
    ("Căn cứ Luật tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
     [("ngày 19 tháng 6 năm 2015", "2015-06-19")]),
    ("Nghị định số 107/2020/NĐ-CP, 108/2020/NĐ-CP ngày 14/9/2020.", [("14/9/2020", "2020-09-14")]),
    ("theo TCVN ISO 9001:2015 và 24/24 giờ, định kỳ 3 tháng/lần, Quý IV/2021", []),
    ("Nghị định số 16/2015/NĐ-CP ngày 14/2/2015, 141/2016/NĐ-CP ngày 10/10/2016",
     [("14/2/2015", "2015-02-14"), ("10/10/2016", "2016-10-10")]),
    ("(Từ ngày 11 đến ngày 13/7/2007)", [("13/7/2007", "2007-07-13")]),
    ("NGHỊ QUYẾT SỐ 18-NQ/TW NGÀY 25 THÁNG 10 NĂM 2017", [("NGÀY 25 THÁNG 10 NĂM 2017", "2017-10-25")]),
    ("Chỉ thị 13/CT-TTg ngày 31/02/2015", [("31/02/2015", None)]),
    ("số 12/2015/QĐ-UBND ngày 12/3/2015 của UBND tỉnh", [("12/3/2015", "2015-03-12")]),
    (unicodedata.normalize("NFD", "Luật ngày 19 tháng 6 năm 2015;"),
     [(unicodedata.normalize("NFD", "ngày 19 tháng 6 năm 2015"), "2015-06-19")]),
    ("kỷ niệm ngày 17-4-2015 và 6-8-2018", [("17-4-2015", "2015-04-17"), ("6-8-2018", "2018-08-06")]),
]


@pytest.mark.parametrize(("text", "expected"), FIND_ROWS, ids=[r[0][:40] for r in FIND_ROWS])
def test_find_dates(text: str, expected: list[tuple[str, str | None]]) -> None:
    found = find_dates(text)
    assert [(d.raw, d.iso) for d in found] == expected
    for d in found:
        assert text[d.loc.start : d.loc.end] == d.raw


def test_find_dates_lines_and_offsets_across_a_page_break() -> None:
    # seed lines 165-167: "ngày" / blank line / "31/8/2018"
    text = "Nghị định số 113/2018/NĐ-CP ngày\n\n31/8/2018 của Chính phủ\nQĐ ngày 24 tháng 12 năm 2020"
    found = find_dates(text)
    assert [(d.iso, d.loc.line) for d in found] == [("2018-08-31", 3), ("2020-12-24", 4)]
    assert text[found[1].loc.start : found[1].loc.end] == "ngày 24 tháng 12 năm 2020"


def test_find_dates_in_seed_has_no_impossible_date() -> None:
    from pathlib import Path

    seed = Path(__file__).parent.parent / "corpus" / "samples" / "000_2460ae3cff98ef28.txt"
    text = seed.read_text(encoding="utf-8")
    found = find_dates(text)
    assert all(d.iso for d in found)
    lines = text.splitlines()
    assert all(d.raw in lines[d.loc.line - 1] for d in found)
    assert "2020-12-24" in {d.iso for d in found}  # the plan's caption date


PLACE_ROWS = [
    ("Thừa Thiên Huế, ngày 24 tháng 12 năm 2020", "Thừa Thiên Huế", "2020-12-24", None),
    ("Số: 3248/QĐ-UBND\tThừa Thiên Huế, ngày 24 tháng 12 năm 2020", "Thừa Thiên Huế", "2020-12-24", None),
    ("Số:           /KH-UBND\tLâm Đồng, ngày       tháng 12 năm 2025", "Lâm Đồng", None, "day left blank"),
    ("Số:             /KH-UBND\tLâm Đồng, ngày         tháng        năm 2026", "Lâm Đồng", None,
     "day and month left blank"),
    ("ỦY BAN NHÂN DÂN\nHà Nội, ngày 05 tháng 01 năm 2020", "Hà Nội", "2020-01-05", None),
    ("Căn cứ Luật ngày 19 tháng 6 năm 2015;", None, None, None),
]


@pytest.mark.parametrize(("text", "place", "iso", "error"), PLACE_ROWS, ids=[r[0][:30] for r in PLACE_ROWS])
def test_find_place_date(text: str, place: str | None, iso: str | None, error: str | None) -> None:
    got_place, date = find_place_date(text)
    assert got_place == place
    if place is None:
        assert date is None
        return
    assert date is not None
    assert date.iso == iso
    assert date.error == error
    assert text[date.loc.start : date.loc.end] == date.raw


# ---------------------------------------------------------------- properties

_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(_dates, st.sampled_from(["{d}/{m}/{y}", "{d:02d}/{m:02d}/{y}", "{d}-{m}-{y}", "ngày {d} tháng {m} năm {y}",
                                "NGÀY {d:02d} THÁNG {m:02d} NĂM {y}", "ngày {d:02d}/{m}/{y}"]))
def test_written_forms_round_trip(date: dt.date, form: str) -> None:
    text = form.format(d=date.day, m=date.month, y=date.year)
    value = parse_date(text)
    assert value is not None and value.iso == date.isoformat()
    assert parse_date(value.iso).iso == value.iso  # the ISO rendering parses back to itself
    assert [d.iso for d in find_dates(f"Quyết định số 12/QĐ-UBND {text} của UBND")] == [date.isoformat()]


@given(st.integers(1, 40), st.integers(1, 14), st.integers(1900, 2100))
def test_impossible_dates_are_reported_never_guessed(day: int, month: int, year: int) -> None:
    value = parse_date(f"{day}/{month}/{year}")
    assert value is not None
    try:
        expected = dt.date(year, month, day).isoformat()
    except ValueError:
        expected = None
    assert value.iso == expected
    assert (value.error is None) == (expected is not None)


@settings(max_examples=300)
@given(st.text())
def test_never_raises(text: str) -> None:
    parse_date(text)
    for d in find_dates(text):
        assert text[d.loc.start : d.loc.end] == d.raw
    find_place_date(text)


def test_module_examples():
    """The examples in `vanban.normalize.dates` (the one module of date grammar) hold."""
    import doctest

    import vanban.normalize.dates

    result = doctest.testmod(vanban.normalize.dates)
    assert result.attempted > 0 and result.failed == 0


def test_one_year_range_for_every_stage():
    """A date in 2100 is a date for the header, the deadlines and a citation alike (one grammar,
    `YEAR_MIN`..`YEAR_MAX`); 2101 is outside it everywhere."""
    from vanban.normalize.citations import find_citations
    from vanban.normalize.dates import YEAR_MAX, parse_date

    assert YEAR_MAX == 2100
    assert parse_date("01/01/2100").iso == "2100-01-01"
    assert find_citations("Quyết định số 12/QĐ-UBND ngày 01/01/2100")[0].date == "2100-01-01"
    assert parse_date("01/01/2101").iso is None
    assert find_citations("Quyết định số 12/QĐ-UBND ngày 01/01/2101")[0].date is None


def test_rules_read_the_dates_normalize_found():
    """`impossible_date` reads `Decision.dates` (found once by normalize), not the text again; the
    dates are not written out (the document's JSON is what it was)."""
    from vanban.model import Decision, to_dict
    from vanban.normalize.dates import find_dates
    from vanban.rules.validity import impossible_date

    dec = Decision(doc_id="d", source="qd.txt", sha256="0" * 64, format="text", text="Quyết định số 12/QĐ-UBND ngày 31/02/2020")
    assert list(impossible_date(dec)) == []
    dec.dates = find_dates(dec.text)
    [finding] = list(impossible_date(dec))
    assert "31/02/2020" in finding.message and finding.evidence[0].line == 1
    assert "dates" not in to_dict(dec)


# The date patterns check the character before a date after its first digit, so that the regex engine
# can skip from digit to digit; these are the patterns as first written, the check before the digit.
_NUMERIC_AS_WRITTEN = r"""
    (?<![\d/.\-–]) (?P<nd>\d{1,2}) [ ]? (?P<sep>[/.\-–]) [ ]? (?P<nm>\d{1,2}) [ ]? (?P=sep) [ ]? (?P<ny>\d{4})
    (?!\d|[/.,\-–]\d)
"""
_ISO_AS_WRITTEN = r"(?<![\d/.\-]) (?P<iy>\d{4}) - (?P<im>\d{2}) - (?P<id>\d{2}) (?![\d/\-])"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["1", "12", "2020", "/", ".", "-", "–", " ", ",", "a", "ngày ", " tháng ",
                                 " năm ", "\n", "Số 3/2020/NĐ-CP", "24/12/2020", "2020-01-02"]), max_size=14))
def test_find_dates_same_as_with_the_check_before_the_first_digit(parts):
    """The three forms scanned apart and merged give what one pattern of the three, as first written, gives."""
    text = "".join(parts)
    assert [(d.raw, d.iso, d.error, d.loc.start, d.loc.end, d.loc.line) for d in find_dates(text)] == \
        [(m.group(0), *_date_of(m), m.start(), m.end(), text.count("\n", 0, m.start()) + 1)
         for m in _as_written().finditer(text)]


def _as_written():
    """The three forms of a date as one pattern, the checks before the first digit as first written."""
    import re

    from vanban.normalize import dates as D

    return re.compile(f"(?:{D._VERBAL})|(?:{_NUMERIC_AS_WRITTEN})|(?:{_ISO_AS_WRITTEN})", re.IGNORECASE | re.VERBOSE)


def _date_of(m):
    from vanban.normalize.dates import make_iso

    for names in (("vd", "vm", "vy"), ("nd", "nm", "ny"), ("id", "im", "iy")):
        if m.group(names[0]) is not None:
            return make_iso(*(int(m.group(n)) for n in names))


def test_find_dates_on_real_texts_same_as_one_pattern():
    from real_texts import real_texts

    written = _as_written()
    found = 0
    for text in real_texts():
        dates = find_dates(text)
        assert [(d.loc.start, d.loc.end) for d in dates] == [m.span() for m in written.finditer(text)]
        found += len(dates)
    assert found > 500
