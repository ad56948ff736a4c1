"""Rules on the document's skeleton: numbering that skips or repeats, parts that should
mirror each other (the plan's areas and the appendix's sections, an appendix the text
refers to), and what a decision or a task row must have."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vanban.model import Decision, Finding, Loc, Task
from vanban.rules.common import cell_span, content_words, is_continuation, line_of, quote, task_label
from vanban.rules.engine import make_finding, rule

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_value(s: str) -> int | None:
    """'IV' -> 4, 'VII' -> 7; None when not a Roman numeral."""
    if not s or any(ch not in _ROMAN for ch in s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN[ch]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def _number(s: str) -> int | None:
    s = s.strip().rstrip(".")
    if s.isdigit():
        return int(s)
    return roman_value(s)


def sequence_problems(numbers: list[int]) -> list[tuple[str, int, int]]:
    """Where a numbering that should run 1, 2, 3 ... goes wrong: ("gap"|"repeat", index, expected).

    >>> sequence_problems([1, 2, 2, 4])
    [('repeat', 2, 3), ('gap', 3, 3)]
    >>> sequence_problems([1, 2, 4])
    [('gap', 2, 3)]
    """
    out: list[tuple[str, int, int]] = []
    expected = numbers[0] if numbers and numbers[0] == 1 else 1
    for i, n in enumerate(numbers):
        if n == expected:
            expected = n + 1
            continue
        if i > 0 and n == numbers[i - 1] or n < expected:
            out.append(("repeat", i, expected))
            expected = max(expected, n + 1) if n >= expected else expected
            continue
        out.append(("gap", i, expected))
        expected = n + 1
    return out


def _numbering_findings(dec: Decision, rule_id: str, what_vi: str, what_en: str, items: list[tuple[str, str, Loc]], scope_vi: str = "", scope_en: str = "") -> Iterator[Finding]:
    """items: (number as written, text, loc) in document order."""
    nums = [_number(n) for n, _, _ in items]
    if len(items) < 2 or any(n is None for n in nums):
        return
    for kind, i, expected in sequence_problems([n for n in nums if n is not None]):
        written, text, loc = items[i]
        prev = items[i - 1] if i > 0 else None
        spans = ([(prev[1], prev[2])] if prev else []) + [(text, loc)]
        if kind == "gap":
            vi = f"{what_vi}{scope_vi}: sau số {prev[0] if prev else '—'} là số {written}, thiếu số {_as_written(expected, written)}."
            en = f"{what_en}{scope_en}: {written} follows {prev[0] if prev else 'nothing'}; {_as_written(expected, written)} is missing."
        else:
            vi = f"{what_vi}{scope_vi}: số {written} bị lặp lại (dòng {prev[2].line if prev else '?'} và {loc.line})."
            en = f"{what_en}{scope_en}: number {written} is repeated (lines {prev[2].line if prev else '?'} and {loc.line})."
        yield make_finding(dec, rule_id, vi, en, spans, key=f"{kind}{i}")


def _as_written(n: int, like: str) -> str:
    if like.strip().rstrip(".").isdigit():
        return str(n)
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


_ARTICLE_HEAD = re.compile(r"Điều\s+\d+\s*[.:]")
_BOUNDARY = re.compile(
    r"^[ \t]*(?:[IVXLC]+[ \t]*[.)]|Điều[ \t]+\d+|Chương[ \t]+|CHƯƠNG[ \t]+|Mục[ \t]+\d|PHỤ LỤC|Phụ lục)",
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


@rule("numbering_articles", "numbering_gap", "warning", "articles (Điều) that skip or repeat a number")
def numbering_articles(dec: Decision) -> Iterator[Finding]:
    """"Điều 1. ...", "Điều 2. ...", "Điều 4. ...": Điều 3 is missing (or a reference to it is wrong).
    Only headings written "Điều N." count: a line that starts with a reference ("Điều 62 của Luật
    ...", a wrapped sentence) is not an article."""
    arts = [h for h in dec.articles if _ARTICLE_HEAD.match(dec.text[h.loc.start : h.loc.start + 20])]
    items = [(h.number, f"Điều {h.number}. {quote(h.title, 60)}", h.loc) for h in arts]
    yield from _numbering_findings(dec, "numbering_articles", "Các Điều", "The articles", items)


_NUMBERED_LINE = re.compile(r"^[ \t]*(?P<num>\d{1,2})\.[ \t]+(?P<title>[A-ZĐÀ-Ỹ][^\t\n]*)$", re.MULTILINE)


def numbered_items(dec: Decision) -> list[list[tuple[str, str, Loc]]]:
    """The numbered paragraphs ("1. ...", "2. ...") of the text outside tables, none for a
    text that quotes numbered clauses (an amending law or decree), grouped by the roman section, lettered part ("B. NỘI DUNG ..."), Điều, Chương
    or Phụ lục they stand under: the numbering restarts under each."""
    quoted = quoted_lines(dec.text)
    starts = [m.start() for m in _BOUNDARY.finditer(dec.text)]
    starts += [m.start() for m in _LETTERED_PART.finditer(dec.text) if m.group("title").upper() == m.group("title")]
    bounds = [b for st in starts if (b := dec.text.count("\n", 0, st) + 1) not in quoted]
    groups: dict[int, list[tuple[str, str, Loc]]] = {}
    for m in _NUMBERED_LINE.finditer(dec.text):
        line = dec.text.count("\n", 0, m.start()) + 1
        if line in quoted:
            # an amending text quotes numbered clauses; where its quotes end is not always
            # clear ('"Mục 5 ... Điều 28c ...' with no closing mark), so its own numbering
            # cannot be judged reliably
            return []
        key = max((b for b in bounds if b < line), default=0)
        groups.setdefault(key, []).append((m.group("num"), f"{m.group('num')}. {quote(m.group('title'), 60)}", Loc(m.start(), m.end(), line)))
    return [g for _, g in sorted(groups.items())]


@rule("numbering_sections", "numbering_gap", "warning", "roman sections, or numbered paragraphs under one of them, that skip or repeat")
def numbering_sections(dec: Decision) -> Iterator[Finding]:
    """"I. MỤC TIÊU", "II. NHIỆM VỤ", "IV. TỔ CHỨC THỰC HIỆN"; or areas "1. ...", "2. ...", "2. ..."
    under one section. Numbered paragraphs restart under each roman section, Điều, Chương or
    Phụ lục, and a run that does not start at 1 is not a numbering this rule can judge."""
    parts = [(att.label or att.kind, att.sections) for att in dec.attachments]
    if not dec.attachments:
        parts = [(dec.type or "văn bản", [h for h in dec.headings if h.level == "section"])]
    for name, sections in parts:
        items = [(h.number, f"{h.number}. {quote(h.title, 60)}", h.loc) for h in sections]
        if items and _number(items[0][0]) == 1:
            yield from _numbering_findings(dec, "numbering_sections", "Các mục La Mã", "Roman sections", items, f" của {name}", f" of the {name}")
    for group in numbered_items(dec):
        if _number(group[0][0]) == 1:
            yield from _numbering_findings(dec, "numbering_sections", "Các đoạn đánh số", "Numbered paragraphs", group)


def _task_groups(tasks: list[Task]) -> dict[tuple[int, str], list[Task]]:
    groups: dict[tuple[int, str], list[Task]] = {}
    for t in tasks:
        groups.setdefault((t.table, t.section), []).append(t)
    return groups


@rule("numbering_table", "numbering_gap", "warning", "task numbers (TT) in a section of a task table that skip or repeat")
def numbering_table(dec: Decision) -> Iterator[Finding]:
    """TT 1, 2, 2, 4 in section "III. CẢI CÁCH TỔ CHỨC BỘ MÁY". A task with several products
    (rows with an empty TT under it) is one task, not a repeat. The sections of the table
    (I, II, ... VII) are checked too."""
    for (table, section), tasks in _task_groups(dec.tasks).items():
        items: list[tuple[str, str, Loc]] = []
        for t in tasks:
            if is_continuation(t) or not t.task_no:
                continue
            items.append((t.task_no, f"{t.task_no}. {quote(t.task, 60)}", t.loc))
        scope_vi = f", mục {section}" if section else ""
        scope_en = f", section {section}" if section else ""
        yield from _numbering_findings(dec, "numbering_table", "Số thứ tự nhiệm vụ trong bảng", "Task numbers in the table", items, scope_vi, scope_en)
    by_table: dict[int, list[tuple[str, str, Loc]]] = {}
    for t in dec.tasks:
        rows = by_table.setdefault(t.table, [])
        if t.section and (not rows or rows[-1][0] != t.section):
            rows.append((t.section, f"{t.section}. {t.section_title}", t.loc))
    for table, items in by_table.items():
        yield from _numbering_findings(dec, "numbering_table", "Các mục của bảng nhiệm vụ", "The sections of the task table", items)


def appendix_sections(dec: Decision) -> list[tuple[str, str, Loc]]:
    """The sections of the task table(s) in order: (roman number, title, loc of its first task)."""
    out: list[tuple[str, str, Loc]] = []
    seen: set[tuple[int, str]] = set()
    for t in dec.tasks:
        if t.section and (t.table, t.section) not in seen:
            seen.add((t.table, t.section))
            out.append((t.section, t.section_title, t.loc))
    return out


def _section_loc(dec: Decision, number: str, title: str, fallback: Loc) -> Loc:
    """The line of the section header row ("VII. CÔNG TÁC ...") in the table, else the first task's."""
    needle = f"{number}. {title}"
    at = dec.text.find(needle)
    if at >= 0:
        return Loc(at, at + len(needle), line_of(dec, at))
    return fallback


@rule("areas_vs_appendix", "structure_mismatch", "info", "the plan's task areas and the appendix's sections do not match")
def areas_vs_appendix(dec: Decision) -> Iterator[Finding]:
    """Area 7 "Tổ chức chỉ đạo, điều hành" of the plan and section VII "CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH
    VÀ TUYÊN TRUYỀN" of its appendix. Titles are compared by their folded content words; one
    that is a shortening of the other ("Cải cách tổ chức bộ máy hành chính") agrees."""
    plan = next((a for a in dec.attachments if a.kind != "Phụ lục" and a.areas), None)
    sections = appendix_sections(dec)
    if plan is None or not sections:
        return
    areas = plan.areas
    if len(areas) != len(sections):
        yield make_finding(
            dec,
            "areas_vs_appendix",
            f"Kế hoạch có {len(areas)} lĩnh vực nhiệm vụ nhưng bảng nhiệm vụ ở Phụ lục có {len(sections)} mục.",
            f"The plan has {len(areas)} task areas but the appendix's task table has {len(sections)} sections.",
            [(f"{areas[-1].number}. {areas[-1].title}", areas[-1].loc), (f"{sections[-1][0]}. {sections[-1][1]}", _section_loc(dec, *sections[-1]))],
            key="count",
        )
    for area, (num, title, first) in zip(areas, sections):
        wa, ws = content_words(area.title), content_words(title)
        if not wa or not ws or wa <= ws or ws <= wa:
            continue
        only_area = _in_order(area.title, wa - ws)
        only_sec = _in_order(title, ws - wa)
        yield make_finding(
            dec,
            "areas_vs_appendix",
            f"Lĩnh vực {area.number} của Kế hoạch \"{area.title}\" và mục {num} của Phụ lục \"{title}\" có tên khác nhau "
            f"(chỉ ở Kế hoạch: {' '.join(only_area)}; chỉ ở Phụ lục: {' '.join(only_sec)}).",
            f"Area {area.number} of the plan, \"{area.title}\", and section {num} of the appendix, \"{title}\", are titled differently "
            f"(only in the plan: {' '.join(only_area)}; only in the appendix: {' '.join(only_sec)}).",
            [(f"{area.number}. {area.title}", area.loc), (f"{num}. {title}", _section_loc(dec, num, title, first))],
        )


def _in_order(title: str, words: frozenset[str]) -> list[str]:
    """The words of a title that are in `words`, in the title's order and case."""
    from vanban.normalize.fold import fold_tone_placement

    out: list[str] = []
    for w in re.findall(r"\w+", title):
        if fold_tone_placement(w).lower() in words and w.lower() not in (x.lower() for x in out):
            out.append(w.lower())
    return out


_APPENDIX_REF = re.compile(
    r"(?P<ref>(?:tại|theo|ở|tham khảo|chi tiết (?:tại|theo|ở))?\s*Phụ lục(?:\s+(?P<label>[IVX]+|\d+)\b)?(?P<tail>[^\n;.)]{0,40}))",
)
_OTHER_DOC = re.compile(r"^\s*(?:[IVX]+|\d+)?\s*(?:của|ban hành kèm theo|kèm theo)\s+(?:Nghị định|Thông tư|Quyết định số|Nghị quyết|Luật|Công văn|Văn bản)", re.IGNORECASE)


@rule("missing_appendix", "structure_mismatch", "warning", "the text refers to an appendix the document does not have")
def missing_appendix(dec: Decision) -> Iterator[Finding]:
    """"(Các nhiệm vụ cụ thể tại Phụ lục kèm theo)" in a file with no appendix; "Phụ lục II" when
    only Phụ lục I is attached. An appendix of another document ("Phụ lục I Nghị định số
    30/2020/NĐ-CP") is not this document's."""
    appendices = [a for a in dec.attachments if a.kind == "Phụ lục"]
    labels = set()
    for a in appendices:
        m = re.search(r"(?:Phụ lục|PHỤ LỤC)\s+([IVX]+|\d+)", a.label or "")
        labels.add(_number(m.group(1)) if m else 1)
    reported: set[str] = set()
    first_appendix_line = min((a.first_line or 10**9) for a in appendices) if appendices else 10**9
    for m in _APPENDIX_REF.finditer(dec.text):
        at = m.start("ref")
        line = line_of(dec, at)
        if line >= first_appendix_line:
            break  # inside the appendices themselves
        tail = m.group("tail") or ""
        if _OTHER_DOC.match((m.group("label") or "") + tail) or _OTHER_DOC.match(tail):
            continue
        label = m.group("label")
        line_text = dec.text[dec.text.rfind("\n", 0, at) + 1 : (dec.text.find("\n", at) + 1 or len(dec.text) + 1) - 1]
        if line_text.lstrip().upper().startswith("PHỤ LỤC"):
            continue  # a heading, not a reference
        if label is None:
            if appendices or "phụ lục" in reported:
                continue
            reported.add("phụ lục")
            vi = f"Văn bản dẫn chiếu Phụ lục (\"{quote(line_text.strip(), 80)}\") nhưng tệp này không có phụ lục nào."
            en = f"The text refers to an appendix (\"{quote(line_text.strip(), 80)}\") but this file has none."
        else:
            n = _number(label)
            if n in labels or label in reported:
                continue
            reported.add(label)
            have = ", ".join(f"Phụ lục {_as_written(x, label)}" for x in sorted(x for x in labels if x)) or "không có"
            vi = f"Văn bản dẫn chiếu Phụ lục {label} nhưng không có phụ lục này (có: {have})."
            en = f"The text refers to Appendix {label}, which is not in the document (present: {have if appendices else 'none'})."
        yield make_finding(dec, "missing_appendix", vi, en, [(line_text.strip(), Loc(at, m.end(), line))])


_HEADER_DATE = re.compile(r"\S,?\s*ngày\s+\S{1,3}\s*tháng\s+\S{1,3}\s+năm\s+\d{4}", re.IGNORECASE)


def _header_date_line(dec: Decision) -> bool:
    """Whether the first lines hold a "<Địa danh>, ngày ... tháng ... năm ..." line (the structure
    stage may miss one that shares its line with "Số: ...", as PDFs render the header)."""
    head = "\n".join(dec.text.split("\n")[:20])
    return bool(_HEADER_DATE.search(head))


#: Document types that carry their own header (number, place and date, issuer).
_HEADED_TYPES = frozenset(
    ("Quyết định", "Nghị quyết", "Nghị định", "Thông tư", "Thông tư liên tịch", "Chỉ thị", "Kế hoạch", "Công điện", "Thông báo", "Báo cáo", "Tờ trình")
)


@rule("missing_header_field", "missing_field", "warning", "a decision without its number, date, issuer or signer")
def missing_header_field(dec: Decision) -> Iterator[Finding]:
    """A decision whose header has no "Số: .../QĐ-UBND" line or no "Thừa Thiên Huế, ngày ..."
    line, no issuing organ, or no signer. When the number and date are known from the captions
    of the attachments, an info: the text as published lost its header, not its identity."""
    if dec.type not in _HEADED_TYPES:  # an appendix or a regulation filed alone carries a caption, not a header
        return
    start = Loc(0, 0, 1)
    draft = any("left blank" in n for n in dec.notes)
    missing: list[tuple[str, str]] = []
    if dec.number_from != "header" and not draft:
        missing.append(("số, ký hiệu", "number and symbol"))
    if (dec.place is None or dec.date is None) and not _header_date_line(dec):
        if not draft:
            missing.append(("địa danh, ngày tháng năm ban hành", "place and date of issue"))
    if missing:
        known = dec.number_from == "caption" and dec.number
        what_vi = " và ".join(m[0] for m in missing)
        what_en = ", nor ".join(m[1] for m in missing)
        if known:
            cap = next((a.caption for a in dec.attachments if a.caption and a.caption.refers_to == dec.number), None)
            yield make_finding(
                dec,
                "missing_header_field",
                f"Phần đầu {dec.type.lower()} không có {what_vi} (dòng \"Số: ...\" và dòng \"..., ngày ... tháng ... năm ...\"); "
                f"chỉ biết số {dec.number} qua chú thích của phần đính kèm.",
                f"The {dec.type}'s header has no {what_en} (no \"Số: ...\" line, no \"..., ngày ...\" line); its number {dec.number} "
                "is known only from the captions of its attachments.",
                [("(không có dòng Số: / ngày tháng năm)", start)] + ([(cap.text, cap.loc)] if cap else []),
                severity="info",
                key="header",
            )
        else:
            yield make_finding(
                dec,
                "missing_header_field",
                f"{dec.type} không có {what_vi}.",
                f"The {dec.type} has no {what_en}.",
                [("(phần đầu văn bản)", start)],
                key="header",
            )
    if dec.type in ("Quyết định", "Kế hoạch", "Nghị quyết", "Chỉ thị", "Nghị định", "Thông tư") and not dec.issuer:
        yield make_finding(dec, "missing_header_field", f"{dec.type} không ghi cơ quan ban hành.", f"The {dec.type} names no issuing body.", [("(phần đầu văn bản)", start)], key="issuer")
    if dec.type in ("Quyết định", "Nghị quyết", "Chỉ thị", "Nghị định", "Thông tư") and (dec.signer is None or not dec.signer.name):
        # in a scan the signature block is the part OCR reads worst: worth a look, not a warning
        ocr_vi = " (văn bản quét: có thể do nhận dạng chữ)" if dec.ocr else ""
        ocr_en = " (a scan: possibly an OCR miss)" if dec.ocr else ""
        yield make_finding(
            dec,
            "missing_header_field",
            f"{dec.type} không có người ký (chức vụ và họ tên){ocr_vi}.",
            f"The {dec.type} has no signer (title and name){ocr_en}.",
            [("(phần ký)", dec.signer.loc if dec.signer else start)],
            severity="info" if dec.ocr else None,
            key="signer",
        )


@rule("task_missing_field", "missing_field", "warning", "a task row with no lead agency or no deadline, after merged cells are filled")
def task_missing_field(dec: Decision) -> Iterator[Finding]:
    """A row of the task table whose "Cơ quan chủ trì" or "Thời gian hoàn thành" cell is empty
    and is not the continuation of a merged cell above (a product row under a task takes the
    agencies and deadline of the row above)."""
    for t in dec.tasks:
        missing = []
        if not t.lead.strip():
            missing.append(("cơ quan chủ trì", "lead agency"))
        if not t.deadline.strip():
            missing.append(("thời gian hoàn thành", "deadline"))
        if not missing:
            continue
        label = task_label(t)
        yield make_finding(
            dec,
            "task_missing_field",
            f"Nhiệm vụ {label} (\"{quote(t.product or t.task, 70)}\") không có {' và '.join(m[0] for m in missing)}.",
            f"Task {label} (\"{quote(t.product or t.task, 70)}\") has no {' and '.join(m[1] for m in missing)}.",
            [(t.product or t.task, t.loc)],
            key=str(t.loc.line),
        )

