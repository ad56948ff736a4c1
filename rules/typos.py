"""Typos: the known confusions of administrative Vietnamese (`corpus/typos.tsv`, data, not
code) and a word written twice ("các các")."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from vanban.model import Decision, Finding, Loc
from vanban.corpus import table as corpus_table
from vanban.normalize.fold import case_key
from vanban.rules.common import line_of
from vanban.rules.engine import make_finding, rule


@dataclass(frozen=True)
class Confusion:
    """One row of `corpus/typos.tsv`: a wrong form, the right one, when it is wrong, an example."""

    wrong: str
    right: str
    pattern: re.Pattern[str]
    context: re.Pattern[str] | None
    note: str
    example: str


@functools.lru_cache(maxsize=None)
def confusions() -> tuple[Confusion, ...]:
    out = []
    for row in corpus_table("typos.tsv"):
        syllables = row["wrong"].split()
        pattern = re.compile(r"(?<!\w)" + r"[ \t]+".join(map(re.escape, syllables)) + r"(?!\w)", re.IGNORECASE)
        context = re.compile(row["context"], re.IGNORECASE) if row.get("context") else None
        out.append(Confusion(row["wrong"], row["right"], pattern, context, row.get("note", ""), row.get("example", "")))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def _any_confusion() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, tuple[Confusion, ...]]]:
    """One pattern for every wrong form, so a text is scanned once, not once per confusion: as
    written (ignoring case), and the same forms for a text in lower case (no case to ignore: the
    scan takes half the time)."""
    by_form: dict[str, list[Confusion]] = {}
    for c in confusions():
        by_form.setdefault(case_key(c.wrong), []).append(c)
    forms = sorted(by_form, key=len, reverse=True)
    alternatives = "|".join(r"[ \t]+".join(map(re.escape, f.split())) for f in forms)
    pattern = r"(?<!\w)(?:" + alternatives + r")(?!\w)"
    return re.compile(pattern, re.IGNORECASE), re.compile(pattern), {k: tuple(v) for k, v in by_form.items()}


def find_confusions(text: str) -> list[tuple[Confusion, re.Match[str]]]:
    """Every known confusion in a text, with its match, in order.

    The text is scanned in lower case (the forms are); each hit is matched again where it stands
    in the text as written, for the match it returns. A text whose lower case is not as long
    (a dotted "İ" is two characters in lower case) is scanned as written."""
    pattern, lower_pattern, by_form = _any_confusion()
    low = text.lower()
    if len(low) == len(text):
        found = (pattern.match(text, m.start()) for m in lower_pattern.finditer(low))
    else:
        found = pattern.finditer(text)
    hits = []
    for m in found:
        if m is None:  # not found again as written: cannot happen while lower() keeps lengths
            continue
        for c in by_form.get(case_key(m.group(0)), ()):
            if c.context is None or c.context.match(text[m.end() : m.end() + 60]):
                hits.append((c, m))
                break
    return hits


def _snippet(text: str, start: int, end: int, width: int = 30) -> str:
    a = max(text.rfind("\n", 0, start) + 1, start - width)
    b = text.find("\n", end)
    b = min(len(text) if b < 0 else b, end + width)
    left = text[a:start].split(" ", 1)[-1] if a > 0 and start - a >= width else text[a:start]
    right = text[end:b].rsplit(" ", 1)[0] if b - end >= width else text[end:b]
    return (left + text[start:end] + right).strip()


def _match_case(right: str, written: str) -> str:
    return right[:1].upper() + right[1:] if written[:1].isupper() else right


@rule("known_confusion", "typo", "info", "a known misspelling of administrative Vietnamese (corpus/typos.tsv)")
def known_confusion(dec: Decision) -> Iterator[Finding]:
    """"Phân đấu Chỉ số CCHC ..." for "Phấn đấu"; "(phần đầu đến năm 2021 giảm 10% ...)" for
    "phấn đấu"; "sát nhập" for "sáp nhập". The list, with when each form is wrong and an
    example, is `corpus/typos.tsv`."""
    if dec.ocr:  # OCR misreadings are not the writer's typos
        return
    for c, m in find_confusions(dec.text):
        written = m.group(0)
        right = _match_case(c.right, written)
        line = line_of(dec, m.start())
        yield make_finding(
            dec,
            "known_confusion",
            f"Có thể viết sai: \"{written}\" — đúng là \"{right}\".",
            f"Likely misspelling: \"{written}\" should read \"{right}\" ({c.note}).",
            [(_snippet(dec.text, m.start(), m.end()), Loc(m.start(), m.end(), line))],
            key=written,
        )


#: Function words of administrative Vietnamese: written twice in a row they are always a slip
#: ("các các", "của của", "và và"). Content words are left alone: their doubling is often two
#: compounds meeting ("hành vi vi phạm", "Luật Luật sư", "phạm vi vi phạm") or good
#: reduplication ("ngày ngày", "người người", "chung chung", "năm năm" = five years). "đối" is
#: left out: "phản đối đối với" (to object, regarding) is two words meeting.
FUNCTION_WORDS = frozenset(
    "các của và cho được trong tại theo để đã sẽ đang những với này đó về có không thì mà nhưng hoặc bằng khi nếu vào "
    "trên dưới sau trước cùng giữa như bị do nhằm tới đến tất cả mọi một".split()
)
# possessive ("++"): a word is taken whole and never given back letter by letter (a shorter one could not
# be followed by a space); the same matches, a fifth less time
_REPEAT = re.compile(r"(?<!\w)(?P<w>[^\W\d_]++)(?P<sep>[ ]++)(?P=w)(?!\w)", re.IGNORECASE)


#: "được"/"bị" end a verb ("nhặt được", "dự bị", "chuẩn bị", "thiết bị") as often as they start a
#: passive: doubled after a verb they are two words meeting ("người nhặt được được hưởng", "công
#: chức dự bị bị tai nạn"); after an auxiliary or at a sentence's start they are a slip ("đã được được")
_COMPLEMENTS = frozenset({"được", "bị"})
_AUXILIARIES = frozenset("đã sẽ đang không chưa cũng vẫn đều mới còn chỉ thì mà có là sẽ hãy đừng chớ vừa từng".split())


#: compounds whose last syllable is a function word: after the compound's first syllable a doubled word is the
#: compound and the word meeting ("hiện tại tại đơn vị" = currently at the unit, "các bước tiếp theo theo quy
#: định", "quyền tự do do Hiến pháp quy định"); "quy định tại tại Điều 36" is still a slip
_COMPOUND_FIRST = {"tại": {"hiện", "tồn", "thực"}, "theo": {"tiếp", "kèm"}, "do": {"tự", "lý", "nguyên"},
                   "trên": {"cấp", "phía", "bên"}, "dưới": {"cấp", "phía", "bên"}, "trước": {"phía", "bên", "hôm"},
                   "sau": {"phía", "bên", "hôm"}}


def _two_words_meeting(text: str, m: re.Match[str]) -> bool:
    word = m.group("w").lower()
    if word not in _COMPLEMENTS and word not in _COMPOUND_FIRST:
        return False
    before = re.findall(r"[^\W\d_]+", text[max(0, m.start() - 30) : m.start()].split("\n")[-1])
    if not before:
        return False
    last = before[-1].lower()
    return last in _COMPOUND_FIRST[word] if word in _COMPOUND_FIRST else last not in _AUXILIARIES


@rule("repeated_word", "typo", "info", "a word written twice in a row")
def repeated_word(dec: Decision) -> Iterator[Finding]:
    """"tinh giản biên chế tại các các bộ phận": "các" twice. Only function words (`FUNCTION_WORDS`)
    are checked: "hành vi vi phạm" and "Luật Luật sư" are two words meeting, "ngày ngày" is
    reduplication. Numbers ("3, 4") are not words, and a table's cells (separated by tabs) are
    not one sentence."""
    if dec.ocr:
        return
    for m in _REPEAT.finditer(dec.text):
        word = m.group("w")
        if word.lower() not in FUNCTION_WORDS or _two_words_meeting(dec.text, m):
            continue
        line = line_of(dec, m.start())
        yield make_finding(
            dec,
            "repeated_word",
            f"Từ \"{word}\" bị lặp: \"{m.group(0)}\".",
            f"The word \"{word}\" is written twice: \"{m.group(0)}\".",
            [(_snippet(dec.text, m.start(), m.end()), Loc(m.start(), m.end(), line))],
            key=m.group(0),
        )
