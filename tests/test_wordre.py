"""Patterns rewritten to start with a letter (`vanban.normalize.wordre`), or to take a word whole, match what they matched as first
written, at the same places, on real texts and on made-up ones."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from real_texts import real_texts as _repository_texts
from vanban.normalize.dates import YEAR
from vanban.rules.names import _ABBR

_UNIT = r"(?:[Kk]hu vực|KHU VỰC|[Cc]ụm(?: thi đua)?|[Đđ]ội|[Tt]ổ công tác|[Tt]iểu ban|[Pp]hân khu|[Vv]ùng)"
_HEADS = r"(?:Sở|Báo|Đài|Ban|Trung tâm|Văn phòng|Phòng|Chi cục|Cục|Hội|Liên đoàn|Ủy ban|Uỷ ban|Viện|Bộ)"

#: (module, name, the pattern as first written, its flags)
AS_WRITTEN = [
    ("vanban.rules.names", "_NUMBERED",
     rf"(?<!\w)(?P<unit>{_UNIT})(?:\s+số)?\s+(?P<num>\d{{1,2}}|[IVXL]{{1,5}})(?![\w/.,]\w)", 0),
    ("vanban.rules.names", "_NAME",
     rf"(?<!\w)(?P<head>{_HEADS})(?P<rest>(?:[ \t]+(?:và|{_ABBR}|[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\w]*)){{1,5}})", 0),
    ("vanban.rules.validity", "_STANDARD",
     rf"\b(?P<all>(?:TCVN\s+)?ISO(?:/IEC)?\s*(?P<num>\d{{3,5}})(?:\s*:\s*(?P<ver>{YEAR}))?)\b", 0),
    ("vanban.rules.common", "_YEAR_WORD", rf"\b(?:năm|NĂM|Năm)\s+({YEAR})\b(?!\s*[-–]\s*{YEAR})", 0),
    ("vanban.rules.common", "_YEAR_SPAN", rf"\b({YEAR})\s*[-–]\s*({YEAR})\b", 0),
    ("vanban.rules.structure", "_APPENDIX_MENTION",
     r"\b(?:Phụ lục|PHỤ LỤC|phụ lục(?=\s+(?:[IVX]+\b|\d|kèm theo)))(?:\s+(?P<label>[IVX]+|\d+[a-z]?)\b)?", 0),
    ("vanban.rules.numbers", "_SHARE",
     r"(?<!\w)(?P<what>[Tt][ỷỉ] lệ(?: phần trăm)?\s+(?P<of>[^.;:\t\n%]{3,120}?))\s*(?:đạt|là|bằng|chiếm|:|=)?\s*"
     r"(?:trên\s+|từ\s+)?(?P<value>\d{3,}(?:[.,]\d+)?)\s*%", 0),
    ("vanban.rules.numbers", "_TOTAL",
     r"(?<!\w)[Tt]ổng số\s+(?P<what>[^\d\n\t:;,.()\"“”%]{4,80}?)\s*(?:là|:|=|\t)\s*(?:\t\s*)*"
     r"(?P<n>\d{1,3}(?:\.\d{3})+|\d+)(?![\d,/%-]|\.\d)", 0),
    ("vanban.rules.typos", "_REPEAT", r"(?<!\w)(?P<w>[^\W\d_]+)(?P<sep>[ ]+)(?P=w)(?!\w)", re.IGNORECASE),
    ("vanban.normalize.relations", "_SENTENCE_END", r"(?<=[.;:])\s+(?=[A-ZĐÀ-Ỹ0-9])|\n|\t", 0),
]


def _share_count_as_written():
    from vanban.rules.numbers import COUNT_UNITS

    return (r"(?<!\w)(?P<what>[Tt][ỷỉ] lệ\s+(?P<of>[^.;:\t\n%]{3,120}?))\s*(?:đạt|là|bằng|chiếm|:|=)\s*"
            r"(?P<value>\d[\d.,]*)\s+(?P<unit>" + "|".join(map(re.escape, COUNT_UNITS)) + r")\b(?!\s*(?:/|trên|%))")


def _symbol_as_written() -> str:
    from vanban.normalize.symbols import _CODE, _SP

    return rf"""
    (?=\d)
    (?: (?<=[Ss][ốoỐO]) | (?<![\w/.\-]) )
    (?P<num>\d{{1,5}}(?:\.\d{{1,3}})?[a-z]?)
    (?:
        {_SP}/{_SP}(?P<year>{YEAR}){_SP}/{_SP}
      | (?P<party>{_SP}-{_SP})(?={_CODE}{_SP}/{_SP}{_CODE})
      | {_SP}/{_SP}
    )
    (?P<codes>{_CODE}(?:{_SP}[-/]{_SP}{_CODE})?(?:[-/]{_CODE}){{0,4}})
    (?P<term>(?<=QH)[ \t](?:1[0-6]|[1-9])(?![\w/]|[.,]\d))?
    """


def _pairs():
    from vanban.normalize.symbols import SYMBOL

    yield "SYMBOL", SYMBOL, re.compile(_symbol_as_written(), re.VERBOSE)
    for mod, name, written, flags in AS_WRITTEN:
        yield name, getattr(importlib.import_module(mod), name), re.compile(written, flags)
    from vanban.normalize.prose_phrases import COMMITS, TO_SUPERIOR, VERB, VERBS

    yield "VERB", VERB, re.compile(r"(?<![\w])(?:" + "|".join(sorted(map(re.escape, VERBS), key=len, reverse=True)) + r")(?![\w])")
    yield "COMMITS", COMMITS, re.compile(r"(?<![\w])(?:chủ trì|có trách nhiệm|chịu trách nhiệm)(?![\w])")
    yield "TO_SUPERIOR", TO_SUPERIOR, re.compile(
        r"\b(?:xem xét|quyết định|phê duyệt|chấp thuận|cho ý kiến|có ý kiến chỉ đạo|cho phép|công nhận)\b")
    from vanban.rules.numbers import _SHARE_COUNT

    yield "_SHARE_COUNT", _SHARE_COUNT, re.compile(_share_count_as_written())


def _found(pattern: re.Pattern[str], text: str) -> list:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    # with the rules' own examples of what real texts write, for a pattern that finds nothing in the others
    return [*_repository_texts(), "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 245 hồ sơ; tỷ lệ TTHC đạt 120%."]


def test_same_matches_on_real_texts(real_texts):
    assert len(real_texts) > 20
    for name, now, written in _pairs():
        hits = 0
        for text in real_texts:
            found = _found(now, text)
            assert found == _found(written, text), name
            hits += len(found)
        assert hits, f"{name} matched nothing in the real texts: the comparison shows nothing"


_PIECES = ["Khu vực", "khu vực X", "KHU VỰC 10", "Cụm thi đua 2", "đội 3", "Sở", "Ban", "TT&TT", "PT-TH", "và", "ISO 9001",
           "TCVN ISO 9001:2015", "năm 2022", "Năm 2021-2025", "2021 – 2030", "Phụ lục II", "phụ lục kèm theo", "phụ lục",
           "Tỷ lệ hồ sơ đạt 120%", "tỉ lệ", "Tỷ lệ hồ sơ giải quyết đạt 245 hồ sơ", "Tổng số TTHC là 1.747", "chủ trì", "có trách nhiệm", "xem xét", "thực hiện",
           "hồ sơ", "107/2020/NĐ-CP", "số09/2016/TT-BTC", "39-NQ/TW", "13/2003/QH 11", "x1/QĐ-UB", "các các", "Các các", "và  và", ". ", "; ", ":\n", "\n", "\t", " ", "x", "_", "1", "A", "đ", "-", "/", ",", "\n\n", "  "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_same_matches_on_made_up_texts(parts):
    text = "".join(parts)
    for name, now, written in _pairs():
        assert _found(now, text) == _found(written, text), (name, text)


def test_pieces_of_a_line_without_a_break_are_the_line():
    from vanban.normalize.lines import _PIECE_BREAK, _pieces

    for text in ("Sở Nội vụ", "CHÍNH PHỦ ----- Số: 07/2025/NĐ-CP", "a   b", "a    B", "x\ty", "—— ~~~ ==="):
        expected, pos = [], 0
        for m in _PIECE_BREAK.finditer(text):
            if not m.group().strip(" ") and not text[m.end():m.end() + 1].isupper():
                continue
            expected.append((text[pos:m.start()], 7 + pos))
            pos = m.end()
        expected.append((text[pos:], 7 + pos))
        assert list(_pieces(text, 7)) == expected
