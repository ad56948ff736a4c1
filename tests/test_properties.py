"""Properties of the parsers (issue 9): citations, dates and deadlines never raise on any string,
folding is idempotent, and what the normalizer writes parses back to the same record.

Complements the properties in test_dates.py and test_deadlines.py (written forms of a date round
trip, deadlines never raise on plain `st.text()`) with hostile alphabets: NFD text, Cyrillic and
Greek look-alikes, control characters, and numbers far too big for a date or a symbol.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanban.model import DEADLINE_KINDS, Citation, Decision, Loc
from vanban.normalize import fold
from vanban.normalize.citations import citation_record, doc_types, find_citations, organ_codes
from vanban.normalize.dates import find_dates, find_place_date, parse_date
from vanban.normalize.deadlines import parse_deadline

_FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: the characters that break text handling: combining marks, look-alikes, controls, odd spaces and dashes
_NASTY = (
    "\u0300\u0301\u0303\u0309\u0323"  # Vietnamese tone marks, combining (NFD)
    "АВСЕНІКМОРТХУасеорху"  # Cyrillic look-alikes
    "ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ"  # Greek look-alikes
    "Ðð\x00\x01\x02\x1b\x7f\x85\u2028\u2029\ufeff\ufffe\uffff\u200b\u00ad\u00a0\u202f"
    "\u2010\u2011\u2013\u2014\u2212\t\n\r\f\v"
)
_PIECES = st.sampled_from([
    "Nghị định số ", "Quyết định ", "số ", "/", "-", "NĐ-CP", "QĐ-UBND", "NQ/TW", "ngày ", " tháng ", " năm ",
    "Luật ", "Bộ luật ", "của ", "Chính phủ", "Quý IV/", "Hàng tháng", "trước ngày ", ", ", " và ", "2020", "31/12",
    "99999999999999999999", "0", "00/00/0000", "1/2020/", "TT-BTC", "QH15", "\n", "\t",
])
_HUGE = st.integers(min_value=10**6, max_value=10**40).map(str)

#: text made to hit the parsers' edges: pieces of real citations and dates, hostile characters, huge numbers
hostile_text = st.lists(
    st.one_of(_PIECES, _HUGE, st.text(alphabet=st.sampled_from(_NASTY), max_size=4), st.text(max_size=6)),
    max_size=30,
).map("".join)


def _variants(text: str) -> list[str]:
    return [text, unicodedata.normalize("NFD", text), text.upper()]


# --------------------------------------------------------------------------- never raise


@_FAST
@given(hostile_text)
def test_find_citations_never_raises_and_points_at_its_text(text: str) -> None:
    for t in _variants(text):
        for c in find_citations(t):
            assert 0 <= c.loc.start <= c.loc.end <= len(t)
            assert c.raw == t[c.loc.start:c.loc.end]
            assert c.id and c.loc.line == t.count("\n", 0, c.loc.start) + 1
            citation_record(c)


@_FAST
@given(hostile_text)
def test_dates_never_raise(text: str) -> None:
    for t in _variants(text):
        value = parse_date(t)
        if value is not None and value.iso:
            dt.date.fromisoformat(value.iso)
        for d in find_dates(t):
            assert t[d.loc.start:d.loc.end] == d.raw
            assert d.iso is None or dt.date.fromisoformat(d.iso)
        find_place_date(t)


@_FAST
@given(hostile_text, st.one_of(st.none(), st.integers(), _HUGE.map(int)))
def test_deadlines_never_raise(text: str, year) -> None:
    for t in _variants(text):
        d = parse_deadline(t, year)
        assert d.kind in DEADLINE_KINDS
        assert not (d.note or "").startswith("internal error"), d.note
        if d.start and d.end:
            assert d.start <= d.end


@given(_HUGE, _HUGE, _HUGE)
def test_huge_numbers_are_no_date(d: str, m: str, y: str) -> None:
    for text in (f"{d}/{m}/{y}", f"ngày {d} tháng {m} năm {y}", f"1/1/{y}"):
        value = parse_date(text)
        assert value is None or value.iso is None
        assert parse_deadline(text).kind in DEADLINE_KINDS


# --------------------------------------------------------------------------- folding is idempotent

_FOLDS = {
    "nfc": fold.nfc,
    "fold_homoglyphs": lambda s: fold.fold_homoglyphs(s)[0],
    "clean_spaces": fold.clean_spaces,
    "fold_tone_placement": fold.fold_tone_placement,
    "strip_diacritics": fold.strip_diacritics,
    "match_key": fold.match_key,
    "tone_key": fold.tone_key,
}


@_FAST
@given(st.one_of(hostile_text, st.text()))
def test_folding_is_idempotent(text: str) -> None:
    for name, f in _FOLDS.items():
        once = f(text)
        assert f(once) == once, name


@_FAST
@given(st.one_of(hostile_text, st.text()))
def test_keys_do_not_depend_on_normal_form_or_look_alikes(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    assert fold.match_key(text) == fold.match_key(nfd)
    assert fold.tone_key(text) == fold.tone_key(nfd)


# --------------------------------------------------------------------------- what is written parses back


def _codes(sets: tuple[str, ...]) -> list[str]:
    return sorted({r["code"] for r in doc_types() if r["set"] in sets and r["code"]})


_TYPES = st.sampled_from(_codes(("vbqppl", "nd30", "pre2020")))
_ORGANS = st.sampled_from(sorted({r["code"] for r in organ_codes() if r["code"]}))


@_FAST
@given(st.integers(1, 99999), st.integers(1945, 2099), _TYPES, st.lists(_ORGANS, min_size=1, max_size=3),
       st.sampled_from(["{s}", "Nghị định số {s}", "theo {s} ngày 14/9/2020", "Căn cứ Thông tư số {s};", "số {s}\n"]))
def test_a_normative_id_reads_back_as_itself(num: int, year: int, tcode: str, organs: list[str], form: str) -> None:
    written = form.format(s=f"{num}/{year}/{tcode}-{'-'.join(organs)}")
    for c in find_citations(written):
        if c.normative and c.number:
            again = find_citations(c.id)
            assert [d.id for d in again] == [c.id]
            assert (again[0].number, again[0].year, again[0].type_code, again[0].organ_code) == \
                   (c.number, c.year, c.type_code, c.organ_code)


@_FAST
@given(hostile_text)
def test_any_normative_citation_found_reads_back_as_itself(text: str) -> None:
    for c in find_citations(text):
        if c.normative and c.number:
            assert [d.id for d in find_citations(c.id)] == [c.id]


@_FAST
@given(hostile_text)
def test_citations_of_nfd_and_nfc_text_are_the_same(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    assert [c.id for c in find_citations(unicodedata.normalize("NFD", text))] == [c.id for c in find_citations(nfc)]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_citation_date_written_back_as_iso_parses_to_itself(date: dt.date) -> None:
    (c,) = find_citations(f"Nghị định số 107/2020/NĐ-CP ngày {date.day}/{date.month}/{date.year}")
    assert c.date == date.isoformat()
    assert parse_date(c.date).iso == c.date
    assert parse_deadline(c.date).end == c.date


# --------------------------------------------------------------------------- the title rule, made linear


def _title_mismatch_pairs_quadratic(cites: list[Citation]) -> list[tuple[int, int]]:
    """The rule as it was written first (pairwise): the reference for the linear version."""
    from vanban.rules.common import content_words

    titled = [c for c in cites if c.title and len(content_words(c.title)) >= 3]
    pairs = []
    for i, a in enumerate(titled):
        for b in titled[i + 1:]:
            wa, wb = content_words(a.title), content_words(b.title)
            if len(wa & wb) / min(len(wa), len(wb)) >= 0.34:
                continue
            pairs.append((a.loc.line, b.loc.line))
            break
    return pairs


_TITLE_WORDS = st.sampled_from(["thực hiện", "thủ tục", "hành chính", "môi trường", "điện tử", "tinh giản",
                                "biên chế", "quy định", "chi tiết", "về", "và"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(_TITLE_WORDS, min_size=1, max_size=6).map(" ".join)), max_size=12))
def test_title_mismatch_rule_equals_the_pairwise_reading(titles: list[str | None]) -> None:
    from vanban.rules.cited import citation_title_mismatch

    cites = [Citation(id="45/2020/NĐ-CP", kind="Nghị định", raw="Nghị định số 45/2020/NĐ-CP", number="45", year=2020,
                      type_code="NĐ", organ_code="CP", normative=True, title=t, loc=Loc(start=i, end=i + 1, line=i + 1))
             for i, t in enumerate(titles)]
    dec = Decision(doc_id="d", source="d.txt", sha256="0" * 64, format="text", text="")
    dec.citations = cites
    got = [tuple(e.line for e in f.evidence) for f in citation_title_mismatch(dec)]
    assert got == _title_mismatch_pairs_quadratic(cites)
