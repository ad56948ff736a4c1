"""Rules on the document's skeleton: parts that should mirror each other (the plan's areas
and the appendix's sections, an appendix the text refers to), and what a decision or a task
row must have. Numbering is `rules.numbering`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vanban.model import Decision, Finding, Loc, Task
from vanban.normalize.lines import HEADED_KINDS
from vanban.normalize.wordre import word_start
from vanban.rules.common import content_words, line_of, quote, table_tasks, task_label
from vanban.rules.engine import make_finding, rule
from vanban.rules.numbering import as_written, number_value

def appendix_sections(dec: Decision) -> list[tuple[str, str, Loc]]:
    """The sections of the task table(s) in order: (roman number, title, loc of its first task)."""
    out: list[tuple[str, str, Loc]] = []
    seen: set[tuple[int | None, str]] = set()
    for t in table_tasks(dec):
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


#: "Phụ lục", "PHỤ LỤC II", "phụ lục 01", "phụ lục kèm theo"; not the common noun ("phụ lục hợp đồng")
_APPENDIX_MENTION = re.compile(word_start(["Phụ lục", "PHỤ LỤC", r"phụ lục(?=\s+(?:[IVX]+\b|\d|kèm theo))"]) + r"(?:\s+(?P<label>[IVX]+|\d+[a-z]?)\b)?")
#: the rest of a clause after a mention: up to ";", "." or ")" (a cell may wrap it onto the next line)
_CLAUSE_END = re.compile(r"[;.)]|\n\s*\n")
_DOC_WORD = re.compile(
    r"\b(?:Nghị định|Thông tư|Quyết định|Nghị quyết|Luật|Công văn|Văn bản|Kế hoạch|Chỉ thị|Hướng dẫn|Tờ trình|Báo cáo"
    r"|Chương trình|Đề án|Quy chế|Quy định|Thông báo|Điều lệ)\b",
    re.IGNORECASE,
)
_THIS = re.compile(r"\s*(?:này|nầy)\b")
_SYMBOL_LIKE = re.compile(r"\b\d+/(?:\d{4}/)?[A-ZĐ]")
_TOC_LINE = re.compile(r"(?:\t|\.{3,}|…)\s*\d{1,3}\s*$")  # "Phụ lục 1 ........ 39": a table of contents
_APPENDIX_HEADING = re.compile(r"(?im)^[ \t*]*(?:PHỤ LỤC|Phụ lục|PHU LUC)(?:[ \t]+(?P<label>[IVX]+|\d+[a-z]?)\b)?[^\n]{0,80}$")


_AMENDS = re.compile(r"(?i)sửa đổi,?\s+bổ sung")
_KEM_THEO = re.compile(r"(?:\s+(?:[IVX]+|\d+[a-z]?))?\s*(?:\(|,)?\s*(?:được\s+)?(?:ban hành\s+)?kèm theo")


def _names_another_document(clause: str) -> bool:
    """Whether the clause after "Phụ lục ..." names a document other than this one
    ("Phụ lục I Nghị định số 30/2020/NĐ-CP", "tại Phụ lục 3a ... Quyết định số 477/2004/QĐ-NHNN");
    "kèm theo Kế hoạch này" names this one."""
    if _SYMBOL_LIKE.search(clause):
        return True
    return any(not _THIS.match(clause, m.end()) for m in _DOC_WORD.finditer(clause))


def _appendix_labels(dec: Decision) -> set[int] | None:
    """The numbers of the appendices the file holds (1 for an unnumbered one), from its
    attachments and from "PHỤ LỤC II" headings; None when it holds none."""
    labels: set[int] = set()
    for a in dec.attachments:
        if a.kind == "Phụ lục":
            m = re.search(r"(?:Phụ lục|PHỤ LỤC)\s+([IVX]+|\d+)", a.label or "")
            labels.add((number_value(m.group(1)) or 1) if m else 1)
    for m in _APPENDIX_HEADING.finditer(dec.text):
        if _TOC_LINE.search(m.group(0)):
            continue
        labels.add((number_value(m.group("label")) or 1) if m.group("label") else 1)
    return labels or None


@rule("missing_appendix", "structure_mismatch", "info", "the text refers to an appendix of its own that the file does not hold")
def missing_appendix(dec: Decision) -> Iterator[Finding]:
    """"(Các nhiệm vụ cụ thể tại Phụ lục kèm theo)" in a file with no appendix; "Phụ lục II kèm
    theo Kế hoạch này" when only Phụ lục I is attached. Only a reference to the document's own
    appendix counts: an appendix of another document ("Phụ lục I Nghị định số 30/2020/NĐ-CP",
    "biểu A01 tại Phụ lục 3a ... Quyết định số 477/2004/QĐ-NHNN"), a heading, or a line of a
    table of contents is not one."""
    reported: set[str] = set()
    held = _appendix_labels(dec)
    amending = bool(_AMENDS.search(dec.subject or "") or _AMENDS.search(dec.text[:600]))
    for m in _APPENDIX_MENTION.finditer(dec.text):
        at = m.start()
        line_start = dec.text.rfind("\n", 0, at) + 1
        line_end = dec.text.find("\n", at)
        line_text = dec.text[line_start : line_end if line_end >= 0 else len(dec.text)]
        if _APPENDIX_HEADING.fullmatch(line_text.strip()) or line_text.lstrip().upper().startswith("PHỤ LỤC") or _TOC_LINE.search(line_text):
            continue
        end = _CLAUSE_END.search(dec.text, m.end(), m.end() + 200)
        clause = dec.text[m.end() : end.start() if end else m.end() + 200]
        if _names_another_document(clause) or (amending and not _KEM_THEO.match(clause)):
            continue  # an amending text rewrites the appendices of the document it amends
        label = m.group("label")
        if label is None:
            if held or "phụ lục" in reported:
                continue
            reported.add("phụ lục")
            vi = f"Văn bản dẫn chiếu Phụ lục (\"{quote(line_text.strip(), 80)}\") nhưng tệp này không có phụ lục nào."
            en = f"The text refers to an appendix (\"{quote(line_text.strip(), 80)}\") but this file has none."
        else:
            n = number_value(label)
            if (held and n in held) or label in reported or (n is None and held):
                continue
            reported.add(label)
            have = ", ".join(f"Phụ lục {as_written(x, label)}" for x in sorted(held or ())) or "không có"
            vi = f"Văn bản dẫn chiếu Phụ lục {label} nhưng tệp này không có phụ lục đó (có: {have})."
            en = f"The text refers to Appendix {label}, which is not in this file (present: {have if held else 'none'})."
        if dec.format == "html":
            # the national database shows a document's appendices as separate attachments
            vi += " (Trang cơ sở dữ liệu quốc gia thường đăng phụ lục thành tệp đính kèm riêng.)"
            en += " (The national database usually publishes appendices as separate attachments.)"
        yield make_finding(
            dec, "missing_appendix", vi, en, [(line_text.strip(), Loc(at, m.end(), line_of(dec, at)))], severity="info" if dec.format == "html" else None
        )


#: on a scan, what OCR could not read is not what the document lacks
_OCR_VI = " (văn bản quét: có thể do nhận dạng chữ không đọc được)"
_OCR_EN = " (a scan: OCR may not have read it)"


#: the kinds whose copies must carry a signature block (a joint circular's: one per issuing organ)
_SIGNED_KINDS = ("Quyết định", "Nghị quyết", "Chỉ thị", "Nghị định", "Thông tư", "Thông tư liên tịch", "Nghị quyết liên tịch")
#: the kinds whose header must name the issuing body
_ISSUED_KINDS = _SIGNED_KINDS + ("Kế hoạch",)


@rule("missing_header_field", "missing_field", "info", "a decision without its number, date or issuer")
def missing_header_field(dec: Decision) -> Iterator[Finding]:
    """A decision whose header has no "Số: .../QĐ-UBND" line or no "Thừa Thiên Huế, ngày ..."
    line, or no issuing organ (a missing signer is `missing_signer`). When the number and date are known from the captions
    of the attachments, an info: the text as published lost its header, not its identity."""
    if dec.type not in HEADED_KINDS:  # an appendix or a regulation filed alone carries a caption, not a header
        return
    if dec.number_from == "catalogue":  # a national database page's record of it, without the document's text
        return
    start = Loc(0, 0, 1)
    draft = any("left blank" in n for n in dec.notes)
    missing: list[tuple[str, str]] = []
    if dec.number_from != "header" and not draft and "number" not in dec.header_written:
        missing.append(("số, ký hiệu", "number and symbol"))
    if (dec.place is None or dec.date is None) and "date" not in dec.header_written and not draft:
        # what is missing, no more: a reprint's heading dates it ("số 176/1998/TTLT-... ngày 25 tháng 12 năm 1998")
        # but prints no place
        if dec.date is not None:
            missing.append(("địa danh", "place of issue"))
        elif dec.place is not None:
            missing.append(("ngày tháng năm ban hành", "date of issue"))
        else:
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
                f"{dec.type} không có {what_vi}{_OCR_VI if dec.ocr else ''}.",
                f"The {dec.type} has no {what_en}{_OCR_EN if dec.ocr else ''}.",
                [("(phần đầu văn bản)", start)],
                key="header",
                severity="info" if dec.ocr else None,
            )
    if dec.type in _ISSUED_KINDS and not dec.issuer:
        yield make_finding(
            dec, "missing_header_field", f"{dec.type} không ghi cơ quan ban hành{_OCR_VI if dec.ocr else ''}.",
            f"The {dec.type} names no issuing body{_OCR_EN if dec.ocr else ''}.", [("(phần đầu văn bản)", start)], key="issuer",
            severity="info" if dec.ocr else None,
        )


@rule("missing_signer", "missing_field", "info", "a decision, decree or circular whose signature block names no signer")
def missing_signer(dec: Decision) -> Iterator[Finding]:
    """A Quyết định with no "CHỦ TỊCH / Nguyễn Văn A" at its end. Context rather than an error:
    database reprints (LAWDATA, Công báo digests) drop the signature block and drafts leave the
    name blank. A scan is not judged: its signature block is the part OCR reads worst."""
    if dec.type not in _SIGNED_KINDS or (dec.signer and dec.signer.name):
        return
    if dec.ocr:
        return  # a scan's signature block (seal, signature, name) is what OCR reads worst: no evidence either way
    yield make_finding(
        dec,
        "missing_signer",
        f"{dec.type} không có người ký (chức vụ và họ tên).",
        f"The {dec.type} has no signer (title and name).",
        [("(phần ký)", dec.signer.loc if dec.signer else Loc(0, 0, 1))],
        key="signer",
    )


def _optional_columns(tasks: list[Task]) -> set[tuple[int | None, str]]:
    """(table, column) pairs a table leaves empty in half its rows or more: the table's habit
    (a procedure whose steps have no deadline, a list whose lead is named once above it),
    not a row's omission."""
    out: set[tuple[int | None, str]] = set()
    by_table: dict[int | None, list[Task]] = {}
    for t in tasks:
        by_table.setdefault(t.table, []).append(t)
    for table, rows in by_table.items():
        for column in ("lead", "deadline"):
            empty = sum(1 for t in rows if not getattr(t, column).strip())
            if len(rows) >= 4 and empty * 2 >= len(rows):
                out.add((table, column))
    return out


@rule("task_missing_field", "missing_field", "warning", "a task row with no lead agency or no deadline, after merged cells are filled")
def task_missing_field(dec: Decision) -> Iterator[Finding]:
    """A row of the task table whose "Cơ quan chủ trì" or "Thời gian hoàn thành" cell is empty
    and is not the continuation of a merged cell above (a product row under a task takes the
    agencies and deadline of the row above)."""
    tasks = table_tasks(dec)  # an assignment in prose need not name a deadline
    optional = _optional_columns(tasks)
    for t in tasks:
        if not (t.task.strip() or t.product.strip()):
            continue  # a row with nothing to do is not a task (a heading row of a list)
        missing = []
        if not t.lead.strip() and (t.table, "lead") not in optional:
            missing.append(("cơ quan chủ trì", "lead agency"))
        if not t.deadline.strip() and (t.table, "deadline") not in optional:
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

