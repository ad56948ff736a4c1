"""Folding Vietnamese text for matching: NFC, look-alike letters, tone placement, diacritics.

Folding is for comparing and looking up only; the document's text keeps its own form.

>>> fold_homoglyphs("107/2020/NĐ-СР")  # Cyrillic С and Р
('107/2020/NĐ-CP', ['cyrillic'])
>>> match_key("Ủy ban  nhân dân")
'uy ban nhan dan'
"""

from __future__ import annotations

import re
import unicodedata
import functools
from collections.abc import Callable
from typing import TypeVar

# Cyrillic and Greek capitals that look like Latin ones, as they turn up in scraped symbols.
_CYRILLIC = dict(zip("АВСЕНІКМОРТХУасеорху", "ABCEHIKMOPTXYaceopxy"))
_GREEK = dict(zip("ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ", "ABEHIKMNOPTXYZ"))
_ETH = {"Ð": "Đ", "ð": "đ"}  # U+00D0/U+00F0 (Icelandic eth) written for Đ/đ
_SPACES = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "", "\ufeff": "", "\u00ad": ""}
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}

_HOMOGLYPH_TABLE = str.maketrans({**_CYRILLIC, **_GREEK, **_ETH})
_HOMOGLYPH_CHARS = frozenset(_CYRILLIC) | frozenset(_GREEK) | frozenset(_ETH)


def nfc(text: str) -> str:
    """The NFC form; cheap when the text already is NFC (the usual case)."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def fold_homoglyphs(text: str) -> tuple[str, list[str]]:
    """Replace Cyrillic/Greek look-alikes and the eth "Ð" by Latin letters and "Đ".

    Returns the folded text and what was folded ("cyrillic", "greek", "eth").
    """
    if _HOMOGLYPH_CHARS.isdisjoint(text):
        return text, []
    notes = []
    if any(ch in _CYRILLIC for ch in text):
        notes.append("cyrillic")
    if any(ch in _GREEK for ch in text):
        notes.append("greek")
    if any(ch in _ETH for ch in text):
        notes.append("eth")
    return text.translate(_HOMOGLYPH_TABLE), notes


def clean_spaces(text: str) -> str:
    """Odd spaces and dashes to plain ones; soft hyphens and zero-width characters removed."""
    for a, b in _SPACES.items():
        if a in text:
            text = text.replace(a, b)
    for a, b in _DASHES.items():
        if a in text:
            text = text.replace(a, b)
    return text


# Tone placement: "hoà"/"hòa", "thuỷ"/"thủy". Folded to the old style (tone on the first
# vowel) at the end of a syllable and not after "q".
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_NEW_STYLE = re.compile(r"(?<![qQ])([oO])([aAeE])([" + _TONES + r"])(?![\w])|(?<![qQ])([uU])([yY])([" + _TONES + r"])(?![\w])")


def fold_tone_placement(text: str) -> str:
    """'hoà' -> 'hòa', 'thuỷ' -> 'thủy' (old style), leaving 'hoàng', 'quý' alone."""
    d = unicodedata.normalize("NFD", text)
    if not any(t in d for t in _TONES):
        return text

    def move(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1) + m.group(3) + m.group(2)
        return m.group(4) + m.group(6) + m.group(5)

    return unicodedata.normalize("NFC", _NEW_STYLE.sub(move, d))


def _base_letter_table() -> dict[int, str]:
    """Every precomposed Latin letter (À..ỹ) to its base letter, and Đ/đ to D/d."""
    table: dict[int, str] = {ord("Đ"): "D", ord("đ"): "d"}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and len(base) == 1:
            table[cp] = base
    return table


_BASE_LETTERS = _base_letter_table()
# marks that NFC leaves uncomposed (on letters with no precomposed form, in other scripts)
_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
                        r"\u0900-\u0dff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f]")


def strip_diacritics(text: str) -> str:
    """'Nghị định' -> 'Nghi dinh'; 'Đ' -> 'D'. Same length as the input for NFC text.

    NFC first, then a translation table for precomposed letters (fast); marks that
    stay separate go the general way (decompose, drop every combining mark)."""
    text = nfc(text)
    if _COMBINING.search(text):
        d = unicodedata.normalize("NFD", text)
        text = nfc("".join(ch for ch in d if not unicodedata.combining(ch)))  # NFC again: idempotent ("̀가")
    return text.translate(_BASE_LETTERS)


_WS = re.compile(r"\s+")


_R = TypeVar("_R")


def remembered(limit: int = 200, maxsize: int = 8192) -> Callable[[Callable[[str], _R]], Callable[[str], _R]]:
    """A decorator for a function of a short text (a name, a cell, a phrase: they come back again and again,
    the same body leads many rows and the rules compare the same names): its answers for texts of up to
    `limit` characters are remembered (the last `maxsize`); a longer text is computed afresh, so that a whole
    document never sits in the memory. The answer is shared: the function must return what no caller changes."""
    def wrap(fn: Callable[[str], _R]) -> Callable[[str], _R]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text: str) -> _R:
            return cached(text) if len(text) <= limit else fn(text)

        return call

    return wrap


@remembered()
def match_key(text: str) -> str:
    """A key for comparing names: no diacritics, lower case, one space between words."""
    text, _ = fold_homoglyphs(clean_spaces(text))
    return _WS.sub(" ", strip_diacritics(text).lower()).strip()


def case_key(text: str) -> str:
    """Lower case, one space between words, diacritics kept: for forms that differ by a diacritic
    (a typo such as "phân đấu" for "phấn đấu" is exactly that difference, so `match_key` would lose it)."""
    return " ".join(text.lower().split())


def upper_key(text: str) -> str:
    """No diacritics, capitals, one space between words: for lines compared with the forms of
    Nghị định 30/2020 as they are printed ("NOI NHAN", "LUU: VT", "KT. CHU TICH")."""
    return " ".join(strip_diacritics(text).upper().split())


def join_lines(text: str, more: str) -> str:
    """Two pieces of one text a line or page break split, joined: with a space, except after a hyphen
    glued to a word ("2764/QĐ-" + "TTg", "107/2020/NĐ-" + "CP"), which joins without one."""
    if text.endswith("-") and len(text) > 1 and not text[-2].isspace() and more[:1].isalnum():
        return text + more
    return f"{text} {more}"


@remembered()
def tone_key(text: str) -> str:
    """A key that keeps diacritics but folds case, spacing and tone placement."""
    text, _ = fold_homoglyphs(clean_spaces(nfc(text)))
    return _WS.sub(" ", fold_tone_placement(text).lower()).strip()
