"""Roman numerals as documents write them: sections ("I.", "XIV."), chapters ("Chương II"),
appendices ("Phụ lục III"), quarters ("Quý IV") and numbered units ("Khu vực X").

`ROMAN` is the run of letters a written Roman number is made of, for patterns that find a
candidate; `roman_value` says whether the candidate is a number, and which.

>>> roman_value("XIV"), roman_value("IIII"), roman_value("C"), roman_value("XL"), roman_value("XL", highest=59)
(14, None, None, None, 40)
>>> to_roman(39), to_roman(2024)
('XXXIX', 'MMXXIV')
"""

from __future__ import annotations

__all__ = ["ROMAN", "roman_value", "to_roman"]

#: The letters of a Roman number as sections, chapters and appendices write it (a regex, no group).
ROMAN = r"[IVXLC]+"

_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_PAIRS = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def to_roman(n: int) -> str:
    """n in Roman numerals, the canonical way: 4 -> 'IV', 40 -> 'XL'."""
    out = []
    for v, s in _PAIRS:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def roman_value(s: str, highest: int = 39) -> int | None:
    """'IV' -> 4, 'VII' -> 7; None when `s` is not a Roman number written the canonical way
    ('IIII', 'VX'), or is above `highest`.

    Documents number sections and units from I to a few dozen: by default a number above 39
    (a lone 'L' or 'C', 'XL') is taken for a letter, not a number."""
    if not s or any(ch not in _VALUES for ch in s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = _VALUES[ch]
        total += -v if i + 1 < len(s) and _VALUES[s[i + 1]] > v else v
    return total if 0 < total <= highest and to_roman(total) == s else None
