"""Rules on numbering: articles (Điều), roman sections, numbered paragraphs and task numbers (TT).

A numbering is judged the way a reader judges it:
- a run that restarts (at 1, or lower than where it stood) is a new list: a form of a
  template, an attached regulation, a part under a heading written "II-" or "B/", an
  English translation's "Article 4" — never a repeat;
- a skipped number is reported only when the text between the two items holds no item
  of the missing number in any form (lower case, in a table, behind a quote mark), and
  only in a list of at least three items;
- numbered lines in quoted or amended text are the amended text's, not the document's;
- text that came from OCR is not judged: a misread numeral is not a gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from vanban.model import Decision, Finding, Loc, Task
from vanban.normalize.numerals import roman_value, to_roman
from vanban.rules.common import is_continuation, quote, table_tasks
from vanban.rules.engine import make_finding, rule

def number_value(written: str) -> int | None:
    """'3' or '3.' -> 3, 'IV' -> 4; None for a letter or a sub-number ('5a')."""
    s = written.strip().rstrip(".")
    if s.isdigit():
        return int(s)
    return roman_value(s)


def as_written(n: int, like: str) -> str:
    """n written the way `like` is: 3 -> '3' after '4', 'III' after 'IV'."""
    if like.strip().rstrip(".").isdigit():
        return str(n)
    return to_roman(n)


@dataclass(slots=True)
class Item:
    """One numbered item: its number as written, a short label for the evidence, where it is."""

    written: str
    label: str
    loc: Loc

    @property
    def value(self) -> int | None:
        return number_value(self.written)


def runs(items: list[Item]) -> list[list[Item]]:
    """The lists a sequence of numbered items makes: a new list starts where the numbering
    goes down (a restart) or at an item that is not a number.

    >>> [[i.written for i in r] for r in runs([Item(w, "", Loc()) for w in "1 2 3 1 2 C 1 2 2".split()])]
    [['1', '2', '3'], ['1', '2'], ['1', '2', '2']]
    """
    out: list[list[Item]] = []
    current: list[Item] = []
    for it in items:
        v = it.value
        if v is None:
            if current:
                out.append(current)
            current = []
            continue
        if current and v < (current[-1].value or 0):
            out.append(current)
            current = []
        current.append(it)
    if current:
        out.append(current)
    return out


def sequence_problems(numbers: list[int]) -> list[tuple[str, int, int]]:
    """Where one list that should run n, n+1, n+2 ... goes wrong: ("gap"|"repeat", index, expected).

    >>> sequence_problems([1, 2, 2, 3])
    [('repeat', 2, 3)]
    >>> sequence_problems([1, 2, 4])
    [('gap', 2, 3)]
    """
    out: list[tuple[str, int, int]] = []
    for i in range(1, len(numbers)):
        prev, n = numbers[i - 1], numbers[i]
        if n == prev:
            out.append(("repeat", i, prev + 1))
        elif n > prev + 1:
            out.append(("gap", i, prev + 1))
    return out


def _marker(number: str, article: bool) -> re.Pattern[str]:
    """An item numbered `number`, in any of the ways it may be written: at the start of a line
    (behind a quote mark, in a table cell, in lower case) or after the end of a sentence, where
    a rendering ran two paragraphs together ("... co local people. 4. To collect ...")."""
    n = re.escape(number)
    if article:  # "Điều17:", a stray character a legacy font left before it ("ưĐiều 34")
        return re.compile(rf"(?i)(?:(?:^|\n)[^\n]{{0,2}}?|[.;:!?”\"]\s+)[\W_]*(?:Điều|ĐIỀU|Article)\s*{n}(?!\d)")
    # "5a." and "5b." of a legend stand where 5 would
    return re.compile(rf"(?:^|\n)[\s\W_]*{n}[a-zđ]?\s*(?:[.)/:\t-]|\s+\S)|[.;:!?”\"]\s+{n}\s*[.)]\s+[A-ZĐÀ-Ỹ“\"]")


#: a paragraph that reads as the head of an item: a capital first, short or ending with ":"
_ITEM_HEAD = re.compile(r"^[ \t]*[A-ZĐÀ-Ỹ][^\n]{0,90}$|^[ \t]*[A-ZĐÀ-Ỹ][^\n]*:[ \t]*$", re.MULTILINE)
_POINT = re.compile(r"^[ \t]*(?:[a-zđ][.)]|[-+•*]|Điều\s)")


def _title_of(item: Item) -> str:
    return item.label.split(". ", 1)[-1]


def _missing_is_there(text: str, before: Item, after: Item, missing: list[str], article: bool) -> bool:
    """Whether the text between two items holds an item of a missing number (the reader
    missed it: it starts in lower case, sits in a table, behind a quote mark ...), or, for
    paragraphs, as many unnumbered item heads as numbers are missing: a list whose numbers a
    conversion dropped ("3. Nam, nữ:" / "Địa chỉ:" / "5. Điện thoại:"), not a skipped number."""
    between = text[before.loc.start + len(before.written) : after.loc.start]  # the item's own line may hold the next
    if any(_marker(m, article).search(between) for m in missing):
        return True
    if article:
        return False
    upper = all(_title_of(it).isupper() for it in (before, after))  # sections in capitals: a lost number leaves a capital line
    heads = [
        m.group(0) for m in _ITEM_HEAD.finditer(text, before.loc.end, after.loc.start)
        if not _POINT.match(m.group(0)) and (not upper or m.group(0).isupper())
    ]
    return len(heads) >= len(missing)


#: a skip of more numbers than this is a heading the reader took for an item ("17. Tổng Thư ký",
#: an article written without "Điều", after clause 2), not numbers a writer left out
MAX_MISSING = 5


def numbering_findings(
    dec: Decision, rule_id: str, what_vi: str, what_en: str, items: list[Item], *, article: bool = False, scope_vi: str = "",
    scope_en: str = "", min_items: int = 3,
) -> Iterator[Finding]:
    """The skips and repeats of each list in `items` (in document order), with their evidence.
    A skip is judged in a list of at least `min_items` (a table's TT column, explicit, from 2)."""
    if dec.ocr:
        return
    for run in runs(items):
        if run[0].value != 1:
            continue  # a list that does not start at 1 is not one this rule can judge
        values = [it.value or 0 for it in run]
        for kind, i, expected in sequence_problems(values):
            prev, cur = run[i - 1], run[i]
            if kind == "gap":
                missing = [as_written(n, cur.written) for n in range(expected, values[i])]
                if len(run) < min_items or len(missing) > MAX_MISSING or _missing_is_there(dec.text, prev, cur, missing, article):
                    continue
                miss = ", ".join(missing)
                vi = f"{what_vi}{scope_vi}: sau số {prev.written} là số {cur.written}, thiếu số {miss}."
                en = f"{what_en}{scope_en}: {cur.written} follows {prev.written}; {miss} is missing."
            else:
                vi = f"{what_vi}{scope_vi}: số {cur.written} bị lặp lại (dòng {prev.loc.line} và {cur.loc.line})."
                en = f"{what_en}{scope_en}: number {cur.written} is repeated (lines {prev.loc.line} and {cur.loc.line})."
            yield make_finding(dec, rule_id, vi, en, [(prev.label, prev.loc), (cur.label, cur.loc)], key=f"{kind}{cur.loc.line}")


_ARTICLE_HEAD = re.compile(r"Điều\s+\d+\s*[.:]")
_BOUNDARY = re.compile(
    r"^[ \t]*(?:[IVXLC]+[ \t]*[.)/-]|[A-ZĐ][ \t]*[/-][ \t]|Điều[ \t]+\d+|Article[ \t]+\d+|Chương[ \t]+|CHƯƠNG[ \t]+|Chapter[ \t]+"
    r"|Mục[ \t]+\d|MỤC[ \t]+\d|PHỤ LỤC|Phụ lục|Mẫu[ \t]+(?:số|\d)|MẪU[ \t]+(?:SỐ|\d))",
    re.MULTILINE,
)
_LETTERED_PART = re.compile(r"^[ \t]*[A-ZĐ][ \t]*\.[ \t]+(?P<title>[^\n]+)$", re.MULTILINE)  # "B. NỘI DUNG ..."
_QUOTE_OPEN = ("“", '"', "'", "‘")
_QUOTE_CLOSE = re.compile(r"[”\"’'][.;,:]?\s*$")


def quoted_lines(text: str) -> set[int]:
    """Lines inside quoted passages: an amending law quotes the clauses it rewrites
    ('“1. Quyền sở hữu trí tuệ là ...' ... '... theo quy định.”'), whose numbering is
    the amended text's, not the document's."""
    inside: set[int] = set()
    open_at: int | None = None
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if open_at is None and stripped.startswith(_QUOTE_OPEN):
            open_at = n
        if open_at is not None:
            inside.add(n)
            if _QUOTE_CLOSE.search(stripped) and (n > open_at or len(stripped) > 1):
                open_at = None
    return inside


@rule("numbering_articles", "numbering_gap", "warning", "articles (Điều) that skip or repeat a number", translations=True)
def numbering_articles(dec: Decision) -> Iterator[Finding]:
    """"Điều 1. ...", "Điều 2. ...", "Điều 4. ...": Điều 3 is missing (or a reference to it is wrong).
    Only headings written "Điều N." count: a line that starts with a reference ("Điều 62 của Luật
    ...", a wrapped sentence) is not an article, nor is an article quoted by an amending text
    ('“Điều 19. Quyền nhân thân ...'); "Điều 1." again starts the articles of an attached regulation."""
    quoted = quoted_lines(dec.text)
    items = [
        Item(h.number, f"Điều {h.number}. {quote(h.title, 60)}", h.loc)
        for h in [*dec.articles, *dec.annex_articles]
        if _ARTICLE_HEAD.match(dec.text[h.loc.start : h.loc.start + 20]) and h.loc.line not in quoted
    ]
    yield from numbering_findings(dec, "numbering_articles", "Các Điều", "The articles", items, article=True)


_NUMBERED_LINE = re.compile(r"^[ \t]*(?P<num>\d{1,2})\.[ \t]+(?P<title>[A-ZĐÀ-Ỹ][^\t\n]*)$", re.MULTILINE)


def numbered_items(dec: Decision) -> list[list[Item]]:
    """The numbered paragraphs ("1. ...", "2. ...") of the text outside tables, none for a text that
    quotes numbered clauses (an amending law or decree), grouped by the heading they stand under (roman section, lettered part "B. NỘI DUNG ...", Điều, Chương,
    Mục, Phụ lục, Mẫu số): the numbering restarts under each."""
    quoted = quoted_lines(dec.text)
    starts = [m.start() for m in _BOUNDARY.finditer(dec.text)]
    starts += [m.start() for m in _LETTERED_PART.finditer(dec.text) if m.group("title").upper() == m.group("title")]
    bounds = sorted({dec.text.count("\n", 0, st) + 1 for st in starts})
    groups: dict[int, list[Item]] = {}
    for m in _NUMBERED_LINE.finditer(dec.text):
        line = dec.text.count("\n", 0, m.start()) + 1
        if line in quoted:
            # an amending text quotes numbered clauses between its own numbered points, and where
            # its quotes end is not always clear ('"Mục 5 ... Điều 28c ...' with no closing mark):
            # its own numbering cannot be told from the amended text's
            return []
        key = max((b for b in bounds if b < line), default=0)
        groups.setdefault(key, []).append(Item(m.group("num"), f"{m.group('num')}. {quote(m.group('title'), 60)}", Loc(m.start(), m.end(), line)))
    return [g for _, g in sorted(groups.items())]


@rule("numbering_sections", "numbering_gap", "info", "roman sections, or numbered paragraphs under one of them, that skip or repeat", translations=True)
def numbering_sections(dec: Decision) -> Iterator[Finding]:
    """"I. MỤC TIÊU", "II. NHIỆM VỤ", "IV. TỔ CHỨC THỰC HIỆN"; or areas "1. ...", "2. ...", "2. ..."
    under one section. Numbered paragraphs restart under each roman section, Điều, Chương, Mục,
    Phụ lục or form, and wherever the numbering goes back to 1."""
    quoted = quoted_lines(dec.text)
    parts = [(att.label or att.kind, att.sections) for att in dec.attachments]
    if not dec.attachments:
        parts = [(dec.type or "văn bản", [h for h in dec.headings if h.level == "section"])]
    for name, sections in parts:
        items = [
            Item(h.number, f"{h.number}. {quote(h.title, 60)}", h.loc)
            for h in sections
            if h.loc.line not in quoted and not h.title[:1].isdigit()  # "I.1. ..." is a sub-section of I, not I again
        ]
        yield from numbering_findings(dec, "numbering_sections", "Các mục La Mã", "Roman sections", items, scope_vi=f" của {name}", scope_en=f" of the {name}")
    for group in numbered_items(dec):
        yield from numbering_findings(dec, "numbering_sections", "Các đoạn đánh số", "Numbered paragraphs", group)


def _task_groups(tasks: list[Task]) -> dict[tuple[int | None, str], list[Task]]:
    groups: dict[tuple[int | None, str], list[Task]] = {}
    for t in tasks:
        groups.setdefault((t.table, t.section), []).append(t)
    return groups


@rule("numbering_table", "numbering_gap", "warning", "task numbers (TT) in a section of a task table that skip or repeat", translations=True)
def numbering_table(dec: Decision) -> Iterator[Finding]:
    """TT 1, 2, 2, 4 in section "III. CẢI CÁCH TỔ CHỨC BỘ MÁY". A task with several products
    (rows with an empty TT under it) is one task, not a repeat. The sections of the table
    (I, II, ... VII) are checked too."""
    for (table, section), tasks in _task_groups(table_tasks(dec)).items():
        items = [Item(t.task_no, f"{t.task_no}. {quote(t.task, 60)}", t.loc) for t in tasks if t.task_no and not is_continuation(t)]
        scope_vi = f", mục {section}" if section else ""
        scope_en = f", section {section}" if section else ""
        yield from numbering_findings(
            dec, "numbering_table", "Số thứ tự nhiệm vụ trong bảng", "Task numbers in the table", items, scope_vi=scope_vi, scope_en=scope_en, min_items=2
        )
    by_table: dict[int | None, list[Item]] = {}
    for t in table_tasks(dec):
        rows = by_table.setdefault(t.table, [])
        if t.section and (not rows or rows[-1].written != t.section):
            rows.append(Item(t.section, f"{t.section}. {t.section_title}", t.loc))
    for items in by_table.values():
        yield from numbering_findings(dec, "numbering_table", "Các mục của bảng nhiệm vụ", "The sections of the task table", items, min_items=2)
