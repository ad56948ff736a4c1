"""Reading the words around a symbol: the type word before it, the date, the issuer and the title after it."""

from __future__ import annotations

from dataclasses import dataclass

from vanban.normalize.citations import patterns as P
from vanban.normalize.citations.text import Text, fold
from vanban.normalize.dates import CITED_DATE_GROUPS, DATE_AFTER_CITATION, make_iso


@dataclass(slots=True)
class DateHit:
    end: int
    raw_start: int
    iso: str | None


def date_after(t: Text, pos: int) -> DateHit | None:
    """The date written right after `pos` (`DATE_AFTER_CITATION`), read day-first; its `iso` is None for
    a date that cannot exist (31/02/2020) or a year outside YEAR_MIN..YEAR_MAX."""
    m = DATE_AFTER_CITATION.match(t.match, pos, pos + 96)  # no lookbehind: as on the 96 characters alone
    if not m:
        return None
    g = m.groups()
    for d, mo, y in _GROUP_NUMBERS:
        if g[d]:
            return DateHit(m.end(), m.start(d + 1), make_iso(int(g[d]), int(g[mo]), int(g[y]))[0])
    return None


#: `CITED_DATE_GROUPS` as indexes into `match.groups()` (one tuple per match, not a lookup per name)
_GROUP_NUMBERS = tuple(tuple(DATE_AFTER_CITATION.groupindex[n] - 1 for n in names) for names in CITED_DATE_GROUPS)


def type_word_before(t: Text, start: int) -> tuple[int, str, bool] | None:
    """(start of the type word, its kind, written without diacritics) for the words right before a symbol."""
    lo = max(0, start - 64)
    window = t.match[lo:start][::-1]
    codes = P.type_words()
    m = codes.fast.match(window)  # as written, the usual case
    if m:
        written = m["tw"]
        kind = codes.written_kind.get(written)
        if kind is None:
            kind = codes.word_kind[fold(P.squeeze(written[::-1]))]
            if len(codes.written_kind) < 4096:  # the ways a type word is written: a few dozen
                codes.written_kind[written] = kind
        return start - m.end("tw"), kind, False
    m = codes.folded.match(fold(window))  # without diacritics: "Nghi dinh so"
    if not m:
        return None
    written = window[m.start("tw"):m.end("tw")]
    kind = codes.word_kind[P.squeeze(m["tw"][::-1])]
    return start - m.end("tw"), kind, written.isascii() and not kind.isascii()


def issuer_after(t: Text, pos: int) -> tuple[str, int] | None:
    """The issuer written after "của", and where it ends: "của UBND tỉnh quy định ..." -> "UBND tỉnh"."""
    m = P.ISSUER_START.match(t.match, pos)
    if not m:
        return None
    text = t.match
    i = m.end()
    words: list[tuple[int, int]] = []
    nxt = None  # the word after a lowercase one, read to check a pair: the next word when one space is between
    while len(words) < 12:
        w = nxt if nxt is not None and nxt.start() == i else P.WORD.match(text, i)
        w = w or (P.ROMAN.match(text, i) if words else None)
        if not w:
            break
        word = w.group()
        nxt = None
        if word[0].islower():
            nxt = P.WORD.match(text, w.end() + 1)
            pair = (word, nxt.group().lower() if nxt else "")
            if word in P.ISSUER_STOP or pair in P.ISSUER_STOP_PAIRS:
                break
            if word == "và":
                if not (words and nxt and nxt.group()[0].isupper()):
                    break
            elif word not in P.ISSUER_LOWER and not (words and text[words[-1][0]].isupper()):
                break
        words.append((w.start(), w.end()))
        g = P.GAP.match(text, w.end())
        if not g:
            break
        i = g.end()
    if not words:
        return None
    return text[words[0][0]:words[-1][1]], words[-1][1]


def title_after(t: Text, pos: int, limit: int) -> str | None:
    """The subject words after a citation: "về chính sách tinh giản biên chế", up to ; or . or the next citation."""
    m = P.TITLE.match(t.match, pos, limit)
    if not m:
        return None
    title = m["t"]
    cut = P.TITLE_END.search(title)
    if cut:
        title = title[:cut.start()]
    title = P.squeeze(title).strip(" ,")
    title = P.TITLE_TAIL.sub("", title)
    return title or None
