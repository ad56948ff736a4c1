"""Documents cited by name: "Luật Tổ chức chính quyền địa phương", "Bộ luật Lao động", "Hiến pháp",
"Nghị quyết Đại hội đại biểu Đảng bộ tỉnh ... lần thứ XVI"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vanban.normalize.citations import patterns as P
from vanban.normalize.citations.text import Text


@dataclass(slots=True)
class Named:
    start: int
    end: int  # end of the name
    kind: str
    name: str
    symbol_at: int | None  # a symbol follows: "Luật ... số 64/2025/QH15"


@dataclass(slots=True)
class _Reading:
    """A name being read word by word."""

    text: str
    resolution: bool  # "Nghị quyết Đại hội ...": digits are words, a comma ends it
    words: list[tuple[int, int]] = field(default_factory=list)
    amending: bool = False  # "Luật sửa đổi, bổ sung ... của Luật A và Luật B": "của Luật", "và Luật" go on
    saw_of: bool = False
    symbol_at: int | None = None


def read_name(t: Text, m: re.Match[str]) -> Named | None:
    """The name after a type word: "Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ
    và Luật Tổ chức chính quyền địa phương" (an amending law names the laws it amends, so there
    "của Luật" and "và Luật" go on), "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh ... lần thứ XVI"."""
    kind = m["tw"]
    r = _Reading(t.match, kind == "Nghị quyết")
    i = m.end()
    while len(r.words) < 25:
        w = _next_word(r, i)
        if w is None or _ends_before(r, w):
            break
        word = w.group()
        if not r.words:
            if word.lower() in P.NAME_GENERIC_FIRST:
                return None
            r.amending = word.lower() == "sửa"
        r.words.append((w.start(), w.end()))
        i = w.end()
        if not r.resolution:
            i = _take_run(r, i)
        if r.resolution and len(r.words) > 2 and P.ROMAN.fullmatch(word) and \
                r.text[r.words[-2][0]:r.words[-2][1]].lower() in ("khóa", "khoá"):
            break  # "... khóa XII" ends a resolution's name
    if kind == "Hiến pháp" and not r.words:
        return Named(m.start(), m.end(), kind, kind, None)
    if len(r.words) < 2 and r.symbol_at is None:
        return None
    end = r.words[-1][1] if r.words else m.end()
    return Named(m.start(), end, kind, P.squeeze(r.text[m.start():end]), r.symbol_at)


def _take_run(r: _Reading, i: int) -> int:
    """The words from `i` that go on the name whatever stands before them (`P.NAME_RUN`), taken at once;
    where the run ends, the word by word reading goes on."""
    run = P.NAME_RUN.match(r.text, i)
    if run.end() == i:
        return i
    for w in P.WORD.finditer(r.text, i, run.end()):
        if len(r.words) == 25:
            break
        r.words.append((w.start(), w.end()))
    return r.words[-1][1]


def _next_word(r: _Reading, i: int) -> re.Match[str] | None:
    """The next word of the name from `i`, or None where the name ends: a comma (unless the name goes on
    after it: "Luật Phòng, chống tham nhũng"), a blank line, a capital after a line break."""
    text = r.text
    if text.startswith(",", i):
        rest = text[i + 1:i + 30].lstrip(" ")
        if r.resolution or not any(rest.startswith(x) for x in P.NAME_COMMA_GOES_ON):
            return None
        i += 1
    g = P.GAP.match(text, i)
    if not g or "\n\n" in g.group():
        return None
    w = P.WORD.match(text, g.end()) or (P.DIGITS.match(text, g.end()) if r.resolution else None)
    if not w or ("\n" in g.group() and not w.group()[0].islower()):
        return None  # a capital after a line break starts a new paragraph; a lowercase word is a wrapped line
    return w


def _ends_before(r: _Reading, w: re.Match[str]) -> bool:
    """Whether the name ends before the word `w`: "số <number>" (its symbol follows: kept in `symbol_at`),
    "năm <year>", a stop word or pair ("quy định", "ngày", "của" but in "của Nhà nước" or an amending law)."""
    text, word = r.text, w.group()
    low = word.lower()
    if low == "số" and (s := P.NUMBER_NEXT.match(text, w.end())):
        r.symbol_at = s.end()
        return True
    if (low == "năm" and P.YEAR_NEXT.match(text, w.end())) or (r.resolution and low == "nhiệm"):
        return True
    if r.words and low in P.NAME_PAIR_FIRST:
        nxt = P.WORD.match(text, w.end() + 1)
        if nxt and (low, nxt.group().lower()) in P.NAME_STOP_PAIRS:
            return True
    if r.amending and low == "của" and P.LAW_NEXT.match(text, w.end()):
        r.saw_of = True
    elif r.amending and r.saw_of and low == "và" and P.LAW_NEXT.match(text, w.end()):
        pass
    elif low == "của" and P.OF_THE_STATE.match(text, w.end()):
        pass  # "Luật Trách nhiệm bồi thường của Nhà nước"
    elif word[0].islower() and low in P.NAME_STOP:
        return True
    return False


def named_starts(text: str) -> list[re.Match[str]]:
    """The matches of `P.NAMED`, in order, looking only where a name word occurs."""
    found = []
    for word in P.NAME_STARTS:
        i = text.find(word)
        while i >= 0:
            m = P.NAMED.match(text, i)
            if m and m.start() == i:
                found.append(m)
            i = text.find(word, i + 1)
    found.sort(key=lambda m: m.start())
    return found
