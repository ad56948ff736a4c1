"""The text citations are matched in: NFC, look-alike letters and odd dashes folded one character for one,
with the way back to the offsets of the text as written."""

from __future__ import annotations

import bisect
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


class Offsets:
    """Offsets of the NFC text -> offsets of the text as written, stored by stretches: where a
    stretch is already NFC the two differ by a constant, so only the lines NFC changed keep one
    offset per character (a list of one int per character of a 20 MB text is 160 MB and most of
    the time it took to build).

    >>> back = Offsets(); back.shift(0, 0); back.table(3, [3, 3, 4]); back.shift(6, 1)
    >>> [back[i] for i in range(8)]
    [0, 1, 2, 3, 3, 4, 7, 8]
    """

    __slots__ = ("_starts", "_parts")

    def __init__(self) -> None:
        self._starts: list[int] = []  # where each stretch starts in the NFC text
        self._parts: list[int | list[int]] = []  # its shift (an int) or its offsets (a list)

    def shift(self, at: int, delta: int) -> None:
        """From `at` on, the offset as written is the NFC offset + `delta`."""
        if self._parts and self._parts[-1] == delta and not isinstance(self._parts[-1], list):
            return
        self._starts.append(at)
        self._parts.append(delta)

    def table(self, at: int, offsets: list[int]) -> None:
        """From `at` on, offset `at + k` comes from `offsets[k]`."""
        self._starts.append(at)
        self._parts.append(offsets)

    def span(self, i: int, j: int) -> tuple[int, int, bool]:
        """The offsets as written of NFC offsets `i` and `j` (i <= j), and whether NFC changed a line
        between them: one search for the three.

        >>> back = Offsets(); back.shift(0, 0); back.table(3, [3, 3, 4]); back.shift(6, 1)
        >>> back.span(0, 3), back.span(2, 4), back.span(6, 8)
        ((0, 3, False), (2, 3, True), (7, 9, False))
        """
        starts, parts = self._starts, self._parts
        k = bisect.bisect_right(starts, i) - 1
        part = parts[k]
        if isinstance(part, list):
            return part[i - starts[k]], self[j], True
        last = len(parts) - 1
        if k == last or starts[k + 1] > j:  # both in one stretch NFC left alone: the usual case
            return i + part, j + part, False
        changed = any(isinstance(parts[n], list) for n in range(k + 1, last + 1) if starts[n] < j)
        return i + part, self[j], changed

    def __getitem__(self, i: int) -> int:
        k = bisect.bisect_right(self._starts, i) - 1
        part = self._parts[k]
        return part[i - self._starts[k]] if isinstance(part, list) else i + part


@dataclass(slots=True)
class Text:
    """The text to match in (NFC, look-alikes folded one for one) and the way back to the original."""

    original: str
    match: str
    back: Offsets | None  # match offset -> original offset, when NFC changed lengths

    def orig(self, i: int) -> int:
        return i if self.back is None else self.back[i]


#: the text is checked for NFC in blocks of about this many characters (cut at a line's end), a
#: block that is not NFC line by line: a real decision has a handful of such lines among thousands
BLOCK = 8192


def _nfc_with_offsets(text: str) -> tuple[str, Offsets | None]:
    """NFC of `text` and, for each offset of it, the offset in `text` it came from (None when
    `text` is NFC already: then the text itself is returned).

    Only the lines that are not already NFC are walked character by character; the
    others are copied and mapped a stretch at a time. The whole text is not checked first:
    `unicodedata.is_normalized` normalizes all of a text with one decomposed letter to answer,
    which costs as much as reading its citations."""
    out: list[str] = []
    back = Offsets()
    changed = False
    start, n, length = 0, len(text), 0  # `length`: of the NFC text so far
    while start < n:
        cut = text.find("\n", min(start + BLOCK, n - 1))
        end = n if cut < 0 else cut + 1
        block = text[start:end]
        if unicodedata.is_normalized("NFC", block):
            back.shift(length, start - length)
            out.append(block)
            length += len(block)
        else:
            changed = True
            for line in block.splitlines(keepends=True):
                if unicodedata.is_normalized("NFC", line):
                    back.shift(length, start - length)
                    out.append(line)
                    length += len(line)
                else:
                    offsets: list[int] = []
                    pieces: list[str] = []
                    _nfc_line(line, start, pieces, offsets)
                    back.table(length, offsets)
                    out.extend(pieces)
                    length += len(offsets)
                start += len(line)
            continue
        start = end
    if not changed:
        return text, None
    back.shift(length, n - length)  # the end of the text
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
    match, back = (text, None) if text.isascii() else _nfc_with_offsets(text)
    if NEEDS_ONE_TO_ONE.search(match):
        # only where one stands: `str.translate` with a dict table walks a 5 MB text at 10 MB/s
        match = NEEDS_ONE_TO_ONE.sub(_one_to_one, match)
    return Text(text, match, back)


def _one_to_one(m: re.Match[str]) -> str:
    return m.group().translate(_ONE_TO_ONE_TABLE)
