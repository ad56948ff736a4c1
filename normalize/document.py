"""normalize(SourceDocument) -> Decision: the normalize stage, its steps in order."""

from __future__ import annotations

import bisect
import dataclasses

from vanban.model import Decision, SourceDocument
from vanban.normalize.catalogue import english_page, fill_from_catalogue, number_from_title
from vanban.normalize.dates import find_dates
from vanban.normalize.header import header_written
from vanban.normalize.identity import apply_signatures, mark_stamped
from vanban.normalize.structure import _period_of as period_of
from vanban.normalize.structure import find_abbreviations, parse_structure
from vanban.normalize.targets import extract_targets
from vanban.normalize.prose_tasks import prose_tasks
from vanban.normalize.tasks import extract_tasks


def normalize(src: SourceDocument) -> Decision:
    """Recover a document's metadata, parts, targets, tasks and citations.

    A pure function of the SourceDocument and the reference data in `corpus/`.
    """
    dec = Decision(
        doc_id=src.doc_id,
        source=src.path,
        sha256=src.sha256,
        format=src.format,
        text=src.text,
        ocr=src.ocr,
        encoding=src.encoding,
        pages=src.pages,
        notes=list(src.notes),
        layout=src.layout,
    )
    apply_signatures(src, dec)
    found = parse_structure(src)
    found.apply_to(dec)
    dec.dates = find_dates(src.text)
    dec.header_written = header_written(src.text)
    paras = found.paras
    mark_stamped(dec)
    _recover_number_from_captions(dec)
    fill_from_catalogue(dec)
    english_page(dec)
    number_from_title(dec)

    # targets: in each plan-like part, or in the document itself when it is a plan
    last_line = src.text.count("\n") + 1
    for att in dec.attachments:
        if att.kind != "Phụ lục":
            dec.targets.extend(extract_targets(paras, att.areas, att.first_line or 1, att.last_line or last_line))
    if not any(a.kind != "Phụ lục" for a in dec.attachments):
        areas = [h for h in dec.headings if h.level == "area"]
        body_last = (dec.attachments[0].first_line - 1) if dec.attachments and dec.attachments[0].first_line else last_line
        dec.targets.extend(extract_targets(paras, areas, 1, body_last))

    tasks, tables = extract_tasks(src)
    # the tables' rows, then the tasks written in prose (those a table row restates left out)
    dec.tasks = tasks + prose_tasks(src, dec, tasks)
    # a decision on a programme "giai đoạn 2026-2030" has no plan period of its own; its subject says it
    _parse_deadlines(dec, dec.plan_year, dec.period or period_of(dec.subject))
    _split_agencies(dec)
    for att in dec.attachments:
        if att.kind == "Phụ lục" and tables and not att.table_columns:
            for t in tables:
                if t.header.loc.line and att.first_line and att.first_line <= t.header.loc.line <= (att.last_line or last_line):
                    att.table_columns = [c.text for c in t.header.cells]
                    break

    dec.citations = _find_citations(src, dec)
    dec.abbreviations = find_abbreviations(src.text)
    _set_parts(dec)
    _find_relations(dec)
    return dec


def _find_relations(dec: Decision) -> None:
    """The document's force (effective date, the national database's status) and the relations it states."""
    from vanban.normalize.relations import catalogue, effective_date, find_relations, sentences

    listed = catalogue(dec)
    sents = list(sentences(dec.text))  # both read the sentences: split once
    dec.effective_date = effective_date(dec, sents)
    dec.expires = listed.get("expires")
    dec.force_status = listed.get("status")
    dec.relations = find_relations(dec, sents)


def _recover_number_from_captions(dec: Decision) -> None:
    """A decision with no "Số:" line is known by the captions of its attachments."""
    if dec.number is None:
        for att in dec.attachments:
            if att.caption and att.caption.refers_to:
                dec.number = att.caption.refers_to
                dec.number_loc = att.caption.loc
                dec.number_from = "caption"
                break
    if dec.date is None:
        for att in dec.attachments:
            if att.caption and att.caption.date:
                dec.date = att.caption.date
                dec.date_loc = att.caption.loc
                break


def _parse_deadlines(dec: Decision, year: int | None, period: tuple[int, int] | None) -> None:
    from vanban.normalize.deadlines import parse_deadline

    cache: dict[str, object] = {}
    for task in dec.tasks:
        dl = cache.get(task.deadline)
        if dl is None:
            dl = cache[task.deadline] = parse_deadline(task.deadline, year, period)
        task.deadline_start = dl.start
        task.deadline_end = dl.end
        task.recurrence = dl.recurrence
        task.deadline_kind = dl.kind
        task.deadline_reference = dl.reference


def _split_agencies(dec: Decision) -> None:
    from vanban.normalize.agencies import split_agencies

    cache: dict[str, list] = {}
    for task in dec.tasks:
        for cell, attr in ((task.lead, "lead_agencies"), (task.partners, "partner_agencies"), (task.monitor, "monitor_agencies")):
            if cell not in cache:
                cache[cell] = split_agencies(cell) if cell else []
            setattr(task, attr, cache[cell])
        if task.extra.get("assigned_by") == "Đề nghị":  # a request to a body outside the issuer's authority
            task.lead_agencies = [dataclasses.replace(a, invited=True) for a in task.lead_agencies]


def _find_citations(src: SourceDocument, dec: Decision) -> list:
    from vanban.normalize.citations import find_citations

    cites = find_citations(src.text)
    if dec.number_from == "header" and dec.number_loc is not None:
        # the document's own "Số: 779/QĐ-UBND" is its number, not a citation of another document
        own = dec.number_loc
        cites = [c for c in cites if not (own.start <= c.loc.start < own.end)]
    tables = [(b.loc.start, b.loc.end) for b in src.blocks if b.kind == "table"]
    starts = [b.loc.start for b in src.blocks]
    for c in cites:
        c.in_table = any(a <= c.loc.start <= b for a, b in tables)
        if c.loc.page is None and src.blocks:
            i = max(0, bisect.bisect_right(starts, c.loc.start) - 1)
            c.loc.page = src.blocks[i].loc.page
    return cites


def _set_parts(dec: Decision) -> None:
    """Tell every located value which part of the document it is in."""
    for c in dec.citations:
        c.loc.part = dec.part_of_line(c.loc.line)
    for t in dec.tasks:
        t.loc.part = dec.part_of_line(t.loc.line)
    for t in dec.targets:
        t.loc.part = dec.part_of_line(t.loc.line)
