"""Rules on references that cannot exist as written: an organ code that disagrees with
the issuer named after it, unknown codes, impossible dates, malformed standards,
look-alike letters in symbols (facts §2.3, §2.4, "Cross-check issuer words")."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from vanban.model import Decision, Finding, Loc
from vanban.corpus import table as corpus_table
from vanban.normalize.fold import match_key
from vanban.rules.common import line_of
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import YEAR
from vanban.normalize.wordre import word_start

@functools.lru_cache(maxsize=None)
def _issuer_families() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(organ code, the folded issuer words that name it) from the `issuer_words` of `corpus/organ_codes.tsv`:
    "Thủ tướng Chính phủ" names TTg, "Chính phủ" CP (the name that starts first, then the longer, wins)."""
    return tuple(
        (r["code"], tuple(match_key(w) for w in r["issuer_words"].split("|")))
        for r in corpus_table("organ_codes.tsv") if r["issuer_words"]
    )


_ISO_START = word_start([r"TCVN\s+ISO", "ISO"])  # "(?:TCVN\s+)?ISO" where a word starts
_STANDARD = re.compile(rf"(?P<all>{_ISO_START}(?:/IEC)?\s*(?P<num>\d{{3,5}})(?:\s*:\s*(?P<ver>{YEAR}))?)\b")


@functools.lru_cache(maxsize=None)
def _ministries() -> tuple[tuple[str, str], ...]:
    """(folded organ name, code) of the ministries and central bodies of `corpus/organ_codes.tsv`."""
    rows = corpus_table("organ_codes.tsv")
    return tuple((match_key(r["organ"]), r["code"]) for r in rows if r.get("scope") == "state" and r["organ"].startswith(("Bộ ", "Ngân hàng", "Thanh tra", "Kiểm toán", "Tòa án", "Viện kiểm sát")))


#: words before an organ's name that make the written issuer a unit of that organ, not the organ
#: ("Văn phòng Ủy ban nhân dân tỉnh" signs VP, "Sở Nội vụ tỉnh ..." SNV, "Cục ... Bộ Công an" C04)
_UNIT_WORDS = re.compile(
    r"\b(?:van phong|so|ban|cuc|vu|phong|chi cuc|tong cuc|vien|trung tam|thanh tra|cong an|bo chi huy|hoi dong|ban quan ly|to)\b"
)


_OF = re.compile(r"^cua\s+")
_DOUBLED = re.compile(r"([a-z])\1+")


def _issuer_key(written: str) -> str:
    key = " " + _OF.sub("", match_key(written)) + " "
    return _DOUBLED.sub(r"\1", key)  # a doubled letter is a slip ("Thủ tưướng"), not another organ


@functools.lru_cache(maxsize=None)
def _family_names() -> tuple[tuple[str, int, str], ...]:
    """(" folded name ", minus its length, code) of every issuer family and ministry, made once."""
    names = [(alias, code) for code, aliases in _issuer_families() for alias in aliases] + list(_ministries())
    return tuple((" " + alias + " ", -len(alias), code) for alias, code in names)


def _family_at(key: str) -> tuple[int, int, str] | None:
    best: tuple[int, int, str] | None = None
    for spaced, minus_len, code in _family_names():
        pos = key.find(spaced)
        if pos < 0:
            continue
        cand = (pos, minus_len, code)
        if best is None or cand < best:
            best = cand
    return best


def issuer_family(written: str | None) -> str | None:
    """The organ code family that written issuer words name: "của Thủ tướng Chính phủ" -> "TTg".

    The name that starts first wins, and the longer one on a tie, so "Văn phòng Chính phủ"
    is VPCP, not CP; "Chủ tịch UBND tỉnh" is UBND.
    """
    if not written:
        return None
    best = _family_at(_issuer_key(written))
    return best[2] if best else None


def names_a_unit(written: str) -> bool:
    """Whether written issuer words name a unit of an organ rather than the organ itself:
    "Văn phòng Ủy ban nhân dân tỉnh" (VP), "Phòng Cảnh sát ... Công an tỉnh", "Sở Nội vụ"."""
    key = _issuer_key(written)
    best = _family_at(key)
    if best is None:
        return True
    return bool(_UNIT_WORDS.search(key[: best[0]].strip()))


@functools.lru_cache(maxsize=None)
def known_organ_codes() -> frozenset[str]:
    """The organ codes of `corpus/organ_codes.tsv` and of the issuer families."""
    return frozenset(r["code"] for r in corpus_table("organ_codes.tsv")) | {code for code, _ in _issuer_families()}


@functools.lru_cache(maxsize=None)
def _unit_codes() -> frozenset[str]:
    """Codes of units inside an organ ("TCCB", Vụ Tổ chức cán bộ): they name no issuer."""
    return frozenset(r["code"] for r in corpus_table("organ_codes.tsv") if r.get("scope") == "unit")


def _base_code(code: str | None) -> str | None:
    """'QH15' -> 'QH', 'UBTVQH14' -> 'UBTVQH'."""
    return code.rstrip("0123456789") if code else None


@rule("issuer_organ_mismatch", "invalid_reference", "warning", "the organ code of a symbol disagrees with the issuer written after it")
def issuer_organ_mismatch(dec: Decision) -> Iterator[Finding]:
    """"Nghị quyết số 76/NQ-CP ... của Thủ tướng Chính phủ" (CP is the Government, not the
    Prime Minister); "Nghị quyết số 202/2025/QH15 ... của Ủy ban Thường vụ Quốc hội" (QH is the
    National Assembly; its Standing Committee signs UBTVQH)."""
    groups: dict[tuple[str, str], list] = {}
    for c in dec.citations:
        code = _base_code(c.organ_code)
        if not code or not c.issuer or "-" in (c.organ_code or ""):
            continue
        if code not in known_organ_codes() or code in _unit_codes() or names_a_unit(c.issuer):
            # an office's or a unit's code ("123/VP-NCKSTTHC ... của Văn phòng UBND tỉnh"), an
            # old form ("07-TC/CĐKT"), an OCR misreading ("CT-TTE"): nothing to compare
            continue
        written = issuer_family(c.issuer)
        implied = issuer_family(c.issuer_implied) or code
        if written is None or written == implied or written == code or code.endswith(written):
            continue  # "QĐ-CTUBND ... của Chủ tịch UBND tỉnh": the title and its organ agree
        groups.setdefault((c.id, c.issuer), []).append(c)
    for (_, issuer), cites in groups.items():
        c = cites[0]
        where = ", ".join(str(x.loc.line) for x in cites)
        yield make_finding(
            dec,
            "issuer_organ_mismatch",
            f"{c.kind} số {c.id} mang mã cơ quan {c.organ_code} ({c.issuer_implied or c.organ_code}) nhưng văn bản ghi "
            f"\"của {issuer}\" (dòng {where}).",
            f"{c.kind} {c.id} carries the organ code {c.organ_code} ({c.issuer_implied or c.organ_code}) but the text says it was "
            f"issued by \"{issuer}\" (line {where}).",
            [(x.raw + (f" của {issuer}" if issuer not in x.raw else ""), x.loc) for x in cites],
            severity="info" if dec.ocr else None,
        )


@functools.lru_cache(maxsize=None)
def _type_codes() -> frozenset[str]:
    return frozenset(r["code"] for r in corpus_table("doc_types.tsv") if r.get("code"))


@rule("unknown_symbol_code", "invalid_reference", "info", "a symbol with a document-type or (normative) organ code that does not exist")
def unknown_symbol_code(dec: Decision) -> Iterator[Finding]:
    """"Quyết định số 12/XYZ-UBND" (no document type is abbreviated XYZ, NĐ 30/2020 Phụ lục III);
    "Nghị định số 12/2020/NĐ-ABC" (a legal normative document issued by no known organ)."""
    if dec.ocr:  # an OCR misreading ("QĐĐ") is the reader's, not the document's
        return
    for c in dec.citations:
        if c.type_code and c.type_code not in _type_codes():
            yield make_finding(
                dec,
                "unknown_symbol_code",
                f"Ký hiệu {c.id}: \"{c.type_code}\" không phải là chữ viết tắt tên loại văn bản nào (Nghị định 30/2020/NĐ-CP, Phụ lục III).",
                f"Symbol {c.id}: \"{c.type_code}\" is not the abbreviation of any document type (Decree 30/2020/NĐ-CP, Appendix III).",
                [(c.raw, c.loc)],
                key="type",
            )
        elif c.normative and c.organ_code and c.number and not c.issuer_implied:
            yield make_finding(
                dec,
                "unknown_symbol_code",
                f"Ký hiệu {c.id}: mã cơ quan \"{c.organ_code}\" không thuộc cơ quan nào có thẩm quyền ban hành văn bản quy phạm pháp luật đã biết.",
                f"Symbol {c.id}: the organ code \"{c.organ_code}\" is not a known issuer of legal normative documents.",
                [(c.raw, c.loc)],
                key="organ",
            )


@rule("impossible_date", "invalid_reference", "warning", "a date that does not exist (31/02, month 13)")
def impossible_date(dec: Decision) -> Iterator[Finding]:
    """"Quyết định số 12/QĐ-UBND ngày 31/02/2020": February has no 31st."""
    for d in dec.dates:
        if d.iso is None and d.error:
            loc = Loc(d.loc.start, d.loc.end, d.loc.line)
            yield make_finding(
                dec,
                "impossible_date",
                f"Ngày \"{d.raw}\" không tồn tại ({_vi_error(d.error)}).",
                f"The date \"{d.raw}\" does not exist ({d.error}).",
                [(_context(dec.text, d.loc.start, d.loc.end), loc)],
            )


def _vi_error(error: str) -> str:
    m = re.match(r"day (\d+) does not exist in (\d+)/(\d+) \(last day (\d+)\)", error)
    if m:
        return f"tháng {int(m.group(2))}/{m.group(3)} chỉ có {m.group(4)} ngày"
    m = re.match(r"month (\d+) does not exist", error)
    if m:
        return f"không có tháng {m.group(1)}"
    return error


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    a, b = max(line_start, start - width), min(line_end, end + width)
    return text[a:b].strip()


@rule("malformed_standard", "invalid_reference", "warning", "a standard designation that cannot exist (TCVN ISO 2008:2015)")
def malformed_standard(dec: Decision) -> Iterator[Finding]:
    """"quản lý nhà nước theo TCVN ISO 2008:2015": a standard number that is a year, with a
    version year after it; the writer meant TCVN ISO 9001:2015 (or 9001:2008). The standards
    the rest of the document cites are quoted in the message."""
    found = [(m, line_of(dec, m.start())) for m in _STANDARD.finditer(dec.text)]
    good = sorted({" ".join(m.group("all").split()) for m, _ in found if not _year_like(m.group("num"))})
    for m, line in found:
        num, ver = m.group("num"), m.group("ver")
        if not (_year_like(num) and ver):
            continue
        written = " ".join(m.group("all").split())
        others = [g for g in good if g.endswith(":" + ver)] or good
        hint_vi = f"; các chỗ khác của văn bản ghi {', '.join(others)}" if others else ""
        hint_en = f"; elsewhere the document cites {', '.join(others)}" if others else ""
        yield make_finding(
            dec,
            "malformed_standard",
            f"\"{written}\" không phải là ký hiệu tiêu chuẩn: số hiệu tiêu chuẩn {num} trông như một năm, ghép với năm phiên bản {ver}{hint_vi}.",
            f"\"{written}\" is not a standard designation: the standard number {num} looks like a year, joined to the version year {ver}{hint_en}.",
            [(written, Loc(m.start(), m.end(), line))],
        )


def _year_like(num: str) -> bool:
    return len(num) == 4 and 1980 <= int(num) <= 2035


@rule("symbol_lookalike_letters", "invalid_reference", "info", "a symbol written with Cyrillic or Greek look-alike letters")
def symbol_lookalike_letters(dec: Decision) -> Iterator[Finding]:
    """"Nghị định 07/2025/NĐ-СР" with a Cyrillic С and Р: it reads the same but does not match
    in a search or a database; "QÐ" with an Icelandic eth instead of "Đ"."""
    if dec.ocr:  # OCR reads letters by shape: look-alikes are the reader's, not the document's
        return
    what = {"cyrillic": ("chữ Kirin", "Cyrillic letters"), "greek": ("chữ Hy Lạp", "Greek letters"), "eth": ("chữ Ð (eth) thay cho Đ", "the eth Ð instead of Đ")}
    for c in dec.citations:
        kinds = [k for k in c.noise if k in what]
        if not kinds:
            continue
        yield make_finding(
            dec,
            "symbol_lookalike_letters",
            f"Ký hiệu {c.id} được viết bằng {', '.join(what[k][0] for k in kinds)} trông giống chữ Latinh: tra cứu theo ký hiệu sẽ không thấy.",
            f"Symbol {c.id} is written with {', '.join(what[k][1] for k in kinds)} that look like Latin ones: a search by symbol will miss it.",
            [(c.raw, c.loc)],
        )

