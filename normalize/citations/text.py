"""The text citations are matched in: NFC, look-alike letters and odd dashes folded one character for one,
with the way back to the offsets of the text as written."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# One character per character: folding for matching must keep offsets.
ONE_TO_ONE = {
    **dict(zip("АВСЕНІКМОРТХУасеорху", "ABCEHIKMOPTXYaceopxy")),  # Cyrillic look-alikes
    **dict(zip("ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ", "ABEHIKMNOPTXYZ")),  # Greek look-alikes
    "Ð": "Đ", "ð": "đ",  # U+00D0/U+00F0 eth written for Đ/đ
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ",
    # PDF text layers give U+FFFE or a soft hyphen where the line broke at a hyphen ("2764/QĐ\ufffeTTg").
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\ufffe": "-", "\u00ad": "-",
}
_ONE_TO_ONE_TABLE = str.maketrans(ONE_TO_ONE)
# Ranges rather than a set of characters: a regex scans a range class many times faster.
NEEDS_ONE_TO_ONE = re.compile("[\u00a0\u00ad\u00d0\u00f0\u0391-\u03a9\u0400-\u04ff\u2007\u2009\u2010-\u2014"
                              "\u2212\u202f\ufffe]")
CYRILLIC = frozenset("АВСЕНІКМОРТХУасеорху")
GREEK = frozenset("ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ")
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2212\ufffe\u00ad")


def _build_fold_table() -> dict[int, str]:
    """Lower case without diacritics, one character for one: 'Đ' -> 'd', 'Ế' -> 'e'."""
    table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isascii() and base.isalpha():
            table[cp] = base.lower()
    table[ord("Đ")] = table[ord("đ")] = table[ord("Ð")] = table[ord("ð")] = "d"
    for k, v in ONE_TO_ONE.items():
        table[ord(k)] = v.lower() if len(v) == 1 and v.isalpha() else v
    return table


_FOLD_TABLE = _build_fold_table()


def fold(s: str) -> str:
    """'Nghị Định SỐ' -> 'nghi dinh so' with the same length (for windows of NFC text).

    Unlike `vanban.normalize.fold.match_key` it keeps every character's offset (one character
    for one, spaces not collapsed): citations are found in the folded text and cut from the original."""
    return s.translate(_FOLD_TABLE)


@dataclass(slots=True)
class Text:
    """The text to match in (NFC, look-alikes folded one for one) and the way back to the original."""

    original: str
    match: str
    back: list[int] | None  # match offset -> original offset, when NFC changed lengths

    def orig(self, i: int) -> int:
        return i if self.back is None else self.back[i]


def _nfc_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFC of `text` and, for each offset of it, the offset in `text` it came from.

    Only the lines that are not already NFC are walked character by character (a real decision
    has a handful of them among thousands); the others are copied and mapped in one step."""
    out: list[str] = []
    back: list[int] = []
    start = 0
    for line in text.splitlines(keepends=True):
        if unicodedata.is_normalized("NFC", line):
            out.append(line)
            back.extend(range(start, start + len(line)))
        else:
            _nfc_line(line, start, out, back)
        start += len(line)
    back.append(len(text))
    return "".join(out), back


def _nfc_line(line: str, start: int, out: list[str], back: list[int]) -> None:
    """One line's NFC, a base character and its combining marks at a time, with its offsets."""
    i, n = 0, len(line)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(line[j]):
            j += 1
        piece = unicodedata.normalize("NFC", line[i:j])
        out.append(piece)
        back.extend([start + i] * len(piece))
        i = j


def prepare(text: str) -> Text:
    """The text to match citations in, and the way back to `text`."""
    back = None
    match = text
    if not unicodedata.is_normalized("NFC", text):
        match, back = _nfc_with_offsets(text)
    if NEEDS_ONE_TO_ONE.search(match):
        match = match.translate(_ONE_TO_ONE_TABLE)
    return Text(text, match, back)
