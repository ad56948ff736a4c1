"""Rules on how a cited document is written: a type word its symbol contradicts, a normative
document cited without the year its symbol must carry, a Party symbol written the State way, and
one document cited under two forms of its symbol with two dates (vn-format-facts §2.3, §2.5)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator

from vanban.model import Citation, Decision, Finding
from vanban.normalize.codes import doc_types
from vanban.normalize.symbols import symbol_key
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import vi_date

#: From this year on, a cited document's symbol follows the form of the rules on administrative documents
#: (TTLT 55/2005/TTLT-BNV-VPCP, then TT 01/2011/TT-BNV, NĐ 30/2020/NĐ-CP): type code, then organ code.
#: Older documents were numbered in other ways ("Nghị định số 15/CP ngày 2/3/1993", "Quyết định 118/TTg").
FORM_SINCE = 2005

#: Kinds a document may be called though its symbol carries another type code: a Quy chế, Quy định, Điều lệ
#: or Kế hoạch is often issued by a Quyết định and cited by its symbol; Party regulations were "QĐ" before
#: 2018 (Quy định số 66-QĐ/TW, 2017); "Thông tư liên tịch" was "Thông tư liên bộ" (TTLB).
_ISSUED_BY_DECISION = frozenset(
    {"Quy chế", "Quy định", "Điều lệ", "Kế hoạch", "Đề án", "Phương án", "Chương trình", "Hướng dẫn", "Dự án"}
)
_ALSO = {("Thông tư liên tịch", "TTLB")}

#: Type codes of documents that are always normative (legal normative documents carry the year of issue
#: in their symbol: "116/2021/NĐ-CP", vn-format-facts §2.3).
NORMATIVE_CODES = {"NĐ": "Nghị định", "TT": "Thông tư", "TTLT": "Thông tư liên tịch", "NQLT": "Nghị quyết liên tịch"}

#: Kinds that carry no type code in their symbol (a công văn's symbol is organ-unit: "865/VPCP-KTTH").
_NO_CODE_KINDS = frozenset({"Công văn", "Văn bản"})


@functools.cache
def _kinds_of_code() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for row in doc_types():
        if row["code"]:
            out[row["code"]].add(row["kind"])
    return {code: frozenset(kinds) for code, kinds in out.items()}


def _year(c: Citation) -> int | None:
    return int(c.date[:4]) if c.date else c.year


def _word_written(c: Citation) -> bool:
    """The citation starts with its type word, capitalised ("Quyết định số ..."): a list member ("..., 12/QĐ-UBND")
    takes its list's word, and a lower-case one ("theo hướng dẫn 83/BCĐ-KHTC") is a common noun."""
    return bool(c.raw) and c.raw[0].isupper() and c.raw[0].isalpha()


def _agrees(kind: str, code: str) -> bool:
    kinds = _kinds_of_code().get(code)
    if kinds is None:
        return True  # an unknown code: unknown_symbol_code's business
    if any(kind.startswith(k) or k.startswith(kind) for k in kinds):
        return True  # "Chương trình hành động" and CTr, "Thông tư liên bộ" and TT
    if code == "QĐ" and kind in _ISSUED_BY_DECISION:
        return True
    return (kind, code) in _ALSO


def type_mismatch(c: Citation) -> str | None:
    """Why the written type word and the symbol disagree, or None.

    >>> from vanban.normalize.citations import find_citations
    >>> type_mismatch(find_citations("Quyết định số 2104/UBND-NC ngày 12/5/2025")[0])
    'no_code'
    >>> type_mismatch(find_citations("Công văn số 545/HD-BTV ngày 12/5/2025")[0])
    'HD'
    >>> type_mismatch(find_citations("Quyết định số 12/QĐ-UBND ngày 12/5/2025")[0]) is None
    True
    """
    if not c.number or c.party or not _word_written(c) or c.kind in ("Văn bản",):
        return None
    year = _year(c)
    if year is None or year < FORM_SINCE:
        return None
    if c.type_code is None:
        if c.normative or c.kind in _NO_CODE_KINDS or c.kind == "Công điện":
            return None
        return "no_code"
    return None if _agrees(c.kind, c.type_code) else c.type_code


@rule("citation_type_mismatch", "invalid_reference", "warning", "the type word of a citation disagrees with the type code of its symbol")
def citation_type_mismatch(dec: Decision) -> Iterator[Finding]:
    """"Quyết định số 2104/UBND-NC" (a công văn's symbol: organ and unit, no type code), "Kế hoạch số
    6159/UBND-NC", "Công văn số 545/HD-BTV" (HD is a Hướng dẫn): the word and the symbol name different kinds
    of document, so one of them is wrong. Documents before 2005, numbered other ways ("Nghị định số 15/CP"),
    and a Quy chế, Quy định or Kế hoạch cited by the symbol of the Quyết định that issued it are not findings."""
    if dec.ocr:
        return
    seen: set[tuple[str, str]] = set()
    for c in dec.citations:
        why = type_mismatch(c)
        if why is None or (c.id, c.kind) in seen:
            continue
        seen.add((c.id, c.kind))
        if why == "no_code":
            vi = (f"{c.kind} số {c.id}: ký hiệu không có chữ viết tắt tên loại văn bản (dạng ký hiệu của công văn), "
                  f"trong khi văn bản được gọi là {c.kind}.")
            en = f"{c.kind} {c.id}: the symbol has no document-type code (a công văn's form), yet the text calls it a {c.kind}."
        else:
            names = " / ".join(sorted(_kinds_of_code()[why]))
            vi = f"{c.kind} số {c.id}: chữ viết tắt \"{why}\" trong ký hiệu là của {names}, không phải {c.kind}."
            en = f"{c.kind} {c.id}: the code \"{why}\" in the symbol stands for {names}, not {c.kind}."
        yield make_finding(dec, "citation_type_mismatch", vi, en, [(c.raw, c.loc)], key=c.id)


@rule("normative_without_year", "invalid_reference", "info", "a decree or circular cited without the year its symbol carries")
def normative_without_year(dec: Decision) -> Iterator[Finding]:
    """"Nghị định số 116/NĐ-CP ngày 21/12/2021": a decree's symbol carries its year of issue (116/2021/NĐ-CP),
    as every legal normative document's does; without it the citation matches no document. Only decrees,
    circulars and joint circulars dated 2005 or later: older ones were numbered otherwise."""
    if dec.ocr:
        return
    for c in dec.citations:
        kind = NORMATIVE_CODES.get(c.type_code or "")
        year = _year(c)
        if not kind or c.normative or c.party or not c.date or year is None or year < FORM_SINCE:
            continue
        if _word_written(c) and not c.kind.startswith(" ".join(kind.split()[:2])):
            continue  # "Tờ trình số 11/TT-LĐCL": TT is not a Thông tư there (citation_type_mismatch says so)
        expected = f"{c.number}/{year}/{c.id.split('/', 1)[1]}"
        yield make_finding(
            dec,
            "normative_without_year",
            f"{kind} số {c.id} ngày {c.date[8:]}/{c.date[5:7]}/{c.date[:4]}: ký hiệu của văn bản quy phạm pháp luật phải có năm "
            f"ban hành ({expected}).",
            f"{kind} {c.id} of {c.date}: the symbol of a legal normative document carries its year of issue ({expected}).",
            [(c.raw, c.loc)],
            key=c.id,
        )


@rule("symbol_party_form", "typo", "info", "a Party document's symbol written the State way (57/NQ/TW for 57-NQ/TW)")
def symbol_party_form(dec: Decision) -> Iterator[Finding]:
    """"Nghị quyết số 57/NQ/TW" or "18/NQ-TU": a Party document's symbol is number-type/organ with a hyphen
    ("57-NQ/TW", Hướng dẫn 36-HD/VPTW); vanban reads it as that document, so its dates are compared with the
    other citations of 57-NQ/TW."""
    if dec.ocr:
        return
    seen: set[str] = set()
    for c in dec.citations:
        if "party_form" in c.noise:
            written = c.raw[c.raw.find(c.number or "") :].split()[0] if c.number else c.raw
            if written in seen:
                continue
            seen.add(written)
            yield make_finding(
                dec,
                "symbol_party_form",
                f"Ký hiệu văn bản của Đảng viết sai dạng: \"{written}\"; đúng là {c.id}.",
                f"A Party document's symbol written the wrong way: \"{written}\"; it is {c.id}.",
                [(c.raw, c.loc)],
            )


def _family(c: Citation) -> tuple[str, str] | None:
    """(symbol, year) of a dated non-normative citation: the year tells two documents of one number apart."""
    if not c.number or c.normative or not c.date:
        return None
    return symbol_key(c.id), c.date[:4]


@rule("citation_variant_dates", "citation_conflict", "info", "one document cited under two forms of its symbol with two dates")
def citation_variant_dates(dec: Decision) -> Iterator[Finding]:
    """"Kế hoạch số 176/KH-TCTLN ngày 08/10/2025" in one place and "Kế hoạch số 176/KH-TCTLN-PC04 ngày
    18/10/2025" in another: the same number, type and organ in the same year, one written with a unit's code
    more, and two dates. Either they are one document and a date is wrong, or the writer mixed up two."""
    longer: dict[tuple[str, str], list[Citation]] = defaultdict(list)  # (a shorter form, year) -> citations
    for c in dec.citations:
        fam = _family(c)
        if fam:
            key, year = fam
            parts = key.split("-")
            for n in range(1, len(parts)):
                longer[("-".join(parts[:n]), year)].append(c)
    seen: set[tuple[str, str]] = set()
    for c in dec.citations:
        fam = _family(c)
        for o in longer.get(fam, []) if fam else []:
            if o.date == c.date or (c.id, o.id) in seen:
                continue
            seen.add((c.id, o.id))
            yield make_finding(
                dec,
                "citation_variant_dates",
                f"{c.kind} số {c.id} ngày {vi_date(c.date)} (dòng {c.loc.line}) và {o.kind} số {o.id} ngày {vi_date(o.date)} "
                f"(dòng {o.loc.line}): cùng số, cùng loại, cùng cơ quan, cùng năm nhưng ký hiệu và ngày khác nhau.",
                f"{c.kind} {c.id} of {c.date} (line {c.loc.line}) and {o.kind} {o.id} of {o.date} (line {o.loc.line}): "
                f"the same number, type and organ in the same year, with different symbols and dates.",
                [(c.raw, c.loc), (o.raw, o.loc)],
            )


