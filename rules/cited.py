"""Rules on cited documents: one document cited with two dates or titles, a date that
disagrees with the symbol, with the citing document or with the registry of known
documents (`corpus/registry.tsv`), and the same across the documents of a run."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator

from vanban.model import Citation, Decision, Finding
from vanban.normalize.identity import signing_order, signing_time
from vanban.normalize.symbols import symbol_key
from vanban.rules.common import content_words, quote
from vanban.rules.engine import Context, make_finding, rule
from vanban.normalize.dates import vi_date


def _year(c: Citation) -> int | None:
    if c.year:
        return c.year
    return int(c.date[:4]) if c.date else None


def identity(c: Citation) -> str | None:
    """The key under which two citations are the same document.

    A symbol with its year inside ("107/2020/NĐ-CP") is unique; one without
    ("13/CT-TTg", "39-NQ/TW") recurs across years, so it is keyed with the year of
    its date: two dates of different years are two documents, not a conflict.
    A law cited by name is the document its name resolved to in the registry (`Citation.symbol`), and is
    left out when it resolved to none (a name is not a key), or when the citation gives a day the registry
    does not know that document by: some names are given to two laws in one year (Luật Tổ chức chính
    quyền địa phương 65/2025/QH15 of 19/02/2025 and 72/2025/QH15 of 16/06/2025), so a name, a year and
    another day may be another law, not a wrong date. Leading zeros of the number do not count:
    "09/2010/NĐ-CP" is "9/2010/NĐ-CP".
    """
    symbol = c.symbol or (c.id if c.number else None)
    if not symbol:
        return None
    if not c.number and c.date and c.date != (c.registry or {}).get("date"):
        return None  # a name and a year are not one law when a day is given that the registry does not confirm
    key = symbol_key(symbol)
    if c.normative or (c.year and str(c.year) in symbol):
        return key
    y = _year(c)
    return f"{key}@{y}" if y else None


def _same_doc_groups(dec: Decision) -> dict[str, list[Citation]]:
    groups: dict[str, list[Citation]] = defaultdict(list)
    for c in dec.citations:
        key = identity(c)
        if key:
            groups[key].append(c)
    return groups


def _span(c: Citation) -> tuple[str, object]:
    return (c.raw, c.loc)


@rule("citation_date_mismatch", "citation_conflict", "warning", "one cited document written with two different dates")
def citation_date_mismatch(dec: Decision) -> Iterator[Finding]:
    """"Nghị định số 16/2015/NĐ-CP ngày 14/2/2015" in one place and "... ngày 14/3/2015" in
    another. Compared as calendar dates: "14/2/2015" and "14/02/2015" are the same."""
    for key, cites in _same_doc_groups(dec).items():
        dated = [c for c in cites if c.date]
        dates = sorted({c.date for c in dated})
        if len(dates) < 2:
            continue
        firsts = [next(c for c in dated if c.date == d) for d in dates]
        sym = firsts[0].id
        listing = ", ".join(f"ngày {vi_date(c.date)} (dòng {c.loc.line})" for c in firsts)
        listing_en = ", ".join(f"{c.date} (line {c.loc.line})" for c in firsts)
        yield make_finding(
            dec,
            "citation_date_mismatch",
            f"Văn bản số {sym} được dẫn với các ngày khác nhau: {listing}.",
            f"Document {sym} is cited with different dates: {listing_en}.",
            [_span(c) for c in firsts],
        )


#: distinct titles of one cited document compared with each other (more is a pathological document)
_MAX_TITLES = 1000


#: "Khoản 2 Điều 30 Nghị định số 126/2024/NĐ-CP quy định hội bị giải thể ...": the words after the
#: symbol say what the provision says, not what the document is about
#: "khoản 2 Điều 2 của", "khoản 3, Điều 2, " (a comma before the document too) right before a citation
_PROVISION_BEFORE = re.compile(r"(?i)(?:khoản|điểm|điều|mục|chương|phụ lục|tiết)\s+[\w.]{1,6}(?:\s*,\s*[\w.]{1,6})*\s*,?\s*(?:của\s*)?$")


def _cites_a_provision(text: str, c: Citation) -> bool:
    before = text[max(0, c.loc.start - 60) : c.loc.start]
    return bool(_PROVISION_BEFORE.search(before.split("\n")[-1]))


@rule("citation_title_mismatch", "citation_conflict", "info", "one cited document described with two unrelated titles")
def citation_title_mismatch(dec: Decision) -> Iterator[Finding]:
    """"Nghị định số 45/2020/NĐ-CP ... về thực hiện TTHC trên môi trường điện tử" and later
    "Nghị định số 45/2020/NĐ-CP ... về tinh giản biên chế". Titles that share most words,
    or one of which is a shortening of the other, agree."""
    for key, cites in _same_doc_groups(dec).items():
        words: dict[str, frozenset[str]] = {}
        for c in cites:
            if c.title and c.title not in words:
                words[c.title] = content_words(c.title)
        titled = [c for c in cites if c.title and len(words[c.title]) >= 3 and not _cites_a_provision(dec.text, c)]
        # Each distinct title is compared once with each other one, and each citation is paired with
        # the first later citation whose title is unrelated: linear in the citations, however many
        # times a document cites the same decree (a 2,000-page plan: thousands).
        positions: dict[frozenset[str], list[int]] = defaultdict(list)
        for i, c in enumerate(titled):
            positions[words[c.title or ""]].append(i)
        distinct = list(positions)[:_MAX_TITLES]
        unrelated = {wa: [wb for wb in distinct if len(wa & wb) / min(len(wa), len(wb)) < 0.34] for wa in distinct}
        for i, a in enumerate(titled):
            later = [p[k] for wb in unrelated.get(words[a.title or ""], ()) for p in (positions[wb],)
                     if (k := bisect.bisect_right(p, i)) < len(p)]
            if later:
                b = titled[min(later)]
                yield make_finding(
                    dec,
                    "citation_title_mismatch",
                    f"Văn bản số {a.id} được mô tả hai cách khác nhau: \"{quote(a.title or '')}\" (dòng {a.loc.line}) và "
                    f"\"{quote(b.title or '')}\" (dòng {b.loc.line}).",
                    f"Document {a.id} is described in two unrelated ways: \"{quote(a.title or '')}\" (line {a.loc.line}) and "
                    f"\"{quote(b.title or '')}\" (line {b.loc.line}).",
                    [_span(a), _span(b)],
                )


def signed_on(dec: Decision) -> str | None:
    """The calendar day (ISO) the document was first digitally signed, in the signature's own time zone (UTC+7
    when the file gives none): the day its content was fixed. None without a signing time."""
    ordered = signing_order(dec.signatures)
    when = signing_time(ordered[0]) if ordered else None
    return when.date().isoformat() if when else None


@rule("citation_after_document", "citation_conflict", "warning", "a cited document dated after the citing document")
def citation_after_document(dec: Decision) -> Iterator[Finding]:
    """A decision dated 24/12/2020 that cites "Nghị quyết số 76/NQ-CP ngày 15/7/2021": a
    document cannot cite one issued after it (one of the two dates is wrong). Where the document
    has no date of its own (a draft's "ngày ... tháng 12 năm 2025") or a later one, the time it was
    digitally signed bounds it too: nothing it cites can be dated after the day it was signed. The
    document's own number, cited in its captions, is left to the self-reference rules."""
    signed = signed_on(dec)
    if not dec.date and not signed:
        return
    own = {dec.number} | {a.caption.refers_to for a in dec.attachments if a.caption and a.caption.refers_to}
    for c in dec.citations:
        if not c.date or c.id in own:
            continue
        if dec.date and c.date > dec.date:
            yield make_finding(
                dec,
                "citation_after_document",
                f"Văn bản dẫn {c.kind} số {c.id} ngày {vi_date(c.date)}, sau ngày ban hành của chính văn bản ({vi_date(dec.date)}).",
                f"The document cites {c.kind} {c.id} of {c.date}, after its own date ({dec.date}).",
                [_span(c)],
            )
        elif signed and c.date > signed:
            yield make_finding(
                dec,
                "citation_after_document",
                f"Văn bản dẫn {c.kind} số {c.id} ngày {vi_date(c.date)}, sau ngày văn bản được ký số ({vi_date(signed)}).",
                f"The document cites {c.kind} {c.id} of {c.date}, after the day it was digitally signed ({signed}).",
                [_span(c)],
                key="signed",
            )


@rule("citation_symbol_year", "citation_conflict", "warning", "the year inside a symbol disagrees with the date written after it")
def citation_symbol_year(dec: Decision) -> Iterator[Finding]:
    """"Nghị định số 107/2020/NĐ-CP ngày 14/9/2019": the symbol says 2020, the date 2019."""
    for c in dec.citations:
        if c.year and c.date and c.id and str(c.year) in c.id and int(c.date[:4]) != c.year:
            yield make_finding(
                dec,
                "citation_symbol_year",
                f"Ký hiệu {c.id} mang năm {c.year} nhưng ngày ghi kèm là {vi_date(c.date)}.",
                f"Symbol {c.id} carries the year {c.year} but the date written with it is {c.date}.",
                [_span(c)],
            )


def registry_row(c: Citation) -> dict[str, str] | None:
    """The registry row the citation stage resolved the citation to (`Citation.registry`).

    That stage keys symbols that recur (13/CT-TTg: 2015, 2024, 2026) by the year of their
    date, so a row is only there when it is the right year's."""
    return dict(c.registry) if c.registry else None


_STATUS_SEVERITY = {"confirmed": "warning", "single_source": "info"}  # memory, conflict: say nothing


@rule("citation_registry_date", "citation_conflict", "warning", "a cited date that disagrees with the registry of known documents")
def citation_registry_date(dec: Decision) -> Iterator[Finding]:
    """"Nghị định số 45/2020/NĐ-CP ngày 08/5/2020" where the registry (confirmed in a public
    text) says 08/04/2020. Only confirmed rows raise a warning; single-source rows an info;
    rows from memory or with conflicting sources say nothing."""
    for c in dec.citations:
        if not c.date or not c.id:
            continue
        row = registry_row(c)
        if not row or not row.get("date") or row["date"] == c.date:
            continue
        sev = _STATUS_SEVERITY.get(row.get("status", ""))
        if sev is None:
            continue
        yield make_finding(
            dec,
            "citation_registry_date",
            f"{c.kind} số {c.id} được ghi ngày {vi_date(c.date)}; theo danh mục văn bản đã biết ({row.get('status')}) văn bản này "
            f"ban hành ngày {vi_date(row['date'])}.",
            f"{c.kind} {c.id} is dated {c.date} here; the registry of known documents ({row.get('status')}) "
            f"dates it {row['date']}.",
            [_span(c)],
            severity=sev,
        )


@rule(
    "citation_corpus_date",
    "citation_conflict",
    "warning",
    "one cited document written with different dates in different documents of a run",
    corpus=True,
)
def citation_corpus_date(dec: Decision, context: Context) -> Iterator[Finding]:
    """Document A cites "Nghị định số 16/2015/NĐ-CP ngày 14/02/2015", document B of the same
    run "Nghị định số 16/2015/NĐ-CP ngày 14/3/2015". Reported on each document whose date
    is not the one most documents of the run write (on both when they are as many), and not
    where the document itself already writes two dates."""
    def build() -> dict[str, dict[str, list]]:
        # (cited document, date) -> [documents writing it, the first few of them]: bounded per key,
        # built in one pass over the run (the decisions may be read from disk one at a time)
        index: dict[str, dict[str, list]] = defaultdict(dict)
        for other in context.decisions:
            for oc in other.citations:
                okey = identity(oc)
                if okey and oc.date:
                    entry = index[okey].setdefault(oc.date, [0, []])
                    if other.doc_id not in entry[1]:
                        entry[0] += 1
                        if len(entry[1]) < 4:
                            entry[1].append(other.doc_id)
        return index

    everywhere = context.memo("citation_corpus_date", build)
    own_dates: dict[str, set[str]] = defaultdict(set)
    for c in dec.citations:
        if (k := identity(c)) and c.date:
            own_dates[k].add(c.date)
    seen: set[tuple[str, str]] = set()
    for c in dec.citations:
        key = identity(c)
        if not key or not c.date or key not in everywhere or (key, c.date) in seen or len(own_dates[key]) > 1:
            continue  # two dates inside the document itself: citation_date_mismatch says so
        others = {}
        for d, (count, ids) in everywhere[key].items():
            if d != c.date and count - (dec.doc_id in ids) > 0:
                others[d] = [i for i in ids if i != dec.doc_id][:3]
        if not others:
            continue
        mine = everywhere[key].get(c.date, [1])[0]
        most = max(everywhere[key][d][0] for d in others)
        if mine > most:
            continue  # the run's other documents mostly agree with this one: the odd ones are told
        # as many documents on each side: one of them is wrong, and nothing here says which
        severity = "info" if mine == most else None
        seen.add((key, c.date))
        where = "; ".join(f"ngày {vi_date(d)} trong {', '.join(sorted(set(docs))[:3])}" for d, docs in sorted(others.items()))
        where_en = "; ".join(f"{d} in {', '.join(sorted(set(docs))[:3])}" for d, docs in sorted(others.items()))
        yield make_finding(
            dec,
            "citation_corpus_date",
            f"{c.kind} số {c.id} được ghi ngày {vi_date(c.date)} ở đây, nhưng {where}.",
            f"{c.kind} {c.id} is dated {c.date} here, but {where_en}.",
            [_span(c)],
            key=",".join(sorted(others)),
            severity=severity,
        )

