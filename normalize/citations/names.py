"""Documents cited by name: "Luật Tổ chức chính quyền địa phương", "Bộ luật Lao động", "Hiến pháp",
"Nghị quyết Đại hội đại biểu Đảng bộ tỉnh ... lần thứ XVI"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vanban.normalize.citations import patterns as P
from vanban.normalize.citations.text import Text


@dataclass(slots=True)
class Named:
    start: int
    end: int  # end of the name
    kind: str
    name: str
    symbol_at: int | None  # a symbol follows: "Luật ... số 64/2025/QH15"


def read_name(t: Text, m: re.Match[str]) -> Named | None:
    """The name after a type word: "Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ
    và Luật Tổ chức chính quyền địa phương" (an amending law names the laws it amends, so there
    "của Luật" and "và Luật" go on), "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh ... lần thứ XVI"."""
    text = t.match
    kind = m["tw"]
    resolution = kind == "Nghị quyết"
    i = m.end()
    words: list[tuple[int, int]] = []
    amending = False
    saw_of = False
    symbol_at = None
    while len(words) < 25:
        if text.startswith(",", i):
            rest = text[i + 1:i + 30].lstrip(" ")
            if resolution or not any(rest.startswith(x) for x in P.NAME_COMMA_GOES_ON):
                break
            i += 1
        g = P.GAP.match(text, i)
        if not g or "\n\n" in g.group():
            break
        w = P.WORD.match(text, g.end()) or (P.DIGITS.match(text, g.end()) if resolution else None)
        if not w or ("\n" in g.group() and not w.group()[0].islower()):
            break  # a capital after a line break starts a new paragraph; a lowercase word is a wrapped line
        word = w.group()
        low = word.lower()
        if low == "số" and (s := P.NUMBER_NEXT.match(text, w.end())):
            symbol_at = s.end()
            break
        if low == "năm" and P.YEAR_NEXT.match(text, w.end()):
            break
        if resolution and low == "nhiệm":
            break
        if words and low in P.NAME_PAIR_FIRST:
            nxt = P.WORD.match(text, w.end() + 1)
            if nxt and (low, nxt.group().lower()) in P.NAME_STOP_PAIRS:
                break
        if amending and low == "của" and P.LAW_NEXT.match(text, w.end()):
            saw_of = True
        elif amending and saw_of and low == "và" and P.LAW_NEXT.match(text, w.end()):
            pass
        elif low == "của" and P.OF_THE_STATE.match(text, w.end()):
            pass  # "Luật Trách nhiệm bồi thường của Nhà nước"
        elif word[0].islower() and low in P.NAME_STOP:
            break
        if not words:
            if low in P.NAME_GENERIC_FIRST:
                return None
            amending = low == "sửa"
        words.append((w.start(), w.end()))
        i = w.end()
        if resolution and len(words) > 2 and P.ROMAN.fullmatch(word) and \
                text[words[-2][0]:words[-2][1]].lower() in ("khóa", "khoá"):
            break  # "... khóa XII" ends a resolution's name
    if kind == "Hiến pháp" and not words:
        return Named(m.start(), m.end(), kind, kind, None)
    if len(words) < 2 and symbol_at is None:
        return None
    end = words[-1][1] if words else m.end()
    name = P.SPACES.sub(" ", text[m.start():end])
    return Named(m.start(), end, kind, name, symbol_at)


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
