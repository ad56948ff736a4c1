"""Regular expressions for words that must start a word, written so that the regex engine can skip ahead.

Python's regex engine looks for where a pattern may start by its first character: a pattern that
starts with a literal letter, or with branches that each start with one, is tried only where such a
letter stands. A pattern that starts with a check of the character before it (`(?<!\\w)`, `\\b`) gives
the engine no first character, and it tries every position of the text: the scans of a decision's text
for dates, verbs, units and shares took up to three times as long. So the check is written after the
word's first letter, on the two characters that end there: `c(?<!\\w.)hủ trì` matches what
`(?<!\\w)chủ trì` matches, at the same places (tests/test_wordre.py holds the patterns as first written
and compares them on real texts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: after a word's first letter: the character before that letter is not a letter, digit or "_"
AFTER_FIRST = r"(?<!\w.)"


def word_start(alternatives: Iterable[str]) -> str:
    """A group matching any of `alternatives` (regex fragments, in the order given) where a word starts.
    Each must start with one literal character (a letter or digit, not escaped).

    >>> [m.group() for m in re.finditer(word_start(["Sở", "Ban"]), "Sở Ban xBan Bansở")]
    ['Sở', 'Ban', 'Ban']
    """
    out = []
    for a in alternatives:
        if not a or not a[0].isalnum():
            raise ValueError(f"{a!r} does not start with a letter or digit")
        out.append(a[0] + AFTER_FIRST + a[1:])
    return "(?:" + "|".join(out) + ")"


def both_cases(words: Iterable[str]) -> list[str]:
    """Each word written in lower case also with a capital first letter, before it; a word written
    otherwise as it is: the branches of `word_start` for "[Kk]hu vực|KHU VỰC".

    >>> both_cases(["khu vực", "KHU VỰC"])
    ['Khu vực', 'khu vực', 'KHU VỰC']
    """
    out: list[str] = []
    for w in words:
        if w[0].islower():
            out.append(w[0].upper() + w[1:])
        out.append(w)
    return out


def whole_words(words: Iterable[str]) -> str:
    """Any of the plain `words` (in the order given) standing as a whole word: no letter or digit
    before or after it.

    >>> [m.group() for m in re.finditer(whole_words(["chủ trì", "trì"]), "Sở chủ trì; trì hoãn; chủ trìx")]
    ['chủ trì', 'trì']
    """
    return word_start(re.escape(w[0]) + re.escape(w[1:]) for w in words) + r"(?!\w)"
