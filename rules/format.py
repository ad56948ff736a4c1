"""Format rules on the parts of a document's form (thể thức): Quốc hiệu and Tiêu ngữ, the issuing
organ, the number and symbol, the place-and-date line, the type line and subject, the signing
authority, the recipients; and, for Party documents, their title and symbol (Nghị định
30/2020/NĐ-CP Phụ lục I Phần I Mục II and Phụ lục III; Hướng dẫn 36-HD/VPTW mục II.1).

The parts are found by `format_parts.form_of`; how a part looks (bold, italic, size) is read
from a Word file's resolved run properties (`Decision.layout.styles`). Each rule gives at most
one finding per part, naming every departure of that part. Two departures are plainly wrong
and are errors: a type code that contradicts the document's type, and a "KT." signed by the
head himself; the others are info.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from vanban.model import Decision, Finding, TextStyle
from vanban.normalize.fold import nfc, strip_diacritics, upper_key
from vanban.normalize.lines import is_upper_title
from vanban.corpus import table as corpus_table
from vanban.rules.engine import make_finding, rule
from vanban.rules.format_page import applies
from vanban.rules.format_parts import _AUTHORITY, _DATE_LINE, Form, Looks, Piece, all_signatures, facts, form_of, source, span
from vanban.normalize.dates import YEAR


def _looks(dec: Decision, p: Piece | None, element: str, regime: str, *, bold: bool = True, italic: bool = False,
           looks: Looks | None = None) -> list[tuple[str, str]]:
    """How a part departs from its bold / italic / size rule, in Vietnamese and English."""
    if p is None:
        return []
    looks = looks if looks is not None else Looks(dec)
    st: TextStyle | None = looks.of(p) if looks else None
    if st is None:
        return []
    f = facts(regime)
    out: list[tuple[str, str]] = []
    if (element, "bold") in f and bold and st.bold is not True:
        out.append(("không in đậm" if st.bold is False else "chỉ in đậm một phần", "not bold" if st.bold is False else "only partly bold"))
    if (element, "italic") in f and italic and st.italic is not True:
        out.append(("không in nghiêng" if st.italic is False else "chỉ in nghiêng một phần", "not italic" if st.italic is False else "only partly italic"))
    if (element, "size") in f and st.size:
        lo, hi = span(f[(element, "size")])
        if not lo <= st.size <= hi:
            want = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
            out.append((f"cỡ chữ {st.size:g} (quy định {want})", f"size {st.size:g} pt (the rule: {want})"))
    return out


def _finding(dec: Decision, rule_id: str, what_vi: str, what_en: str, p: Piece, problems: list[tuple[str, str]],
             src: str, severity: str | None = None) -> Finding:
    vi = "; ".join(x[0] for x in problems)
    en = "; ".join(x[1] for x in problems)
    return make_finding(dec, rule_id, f"{what_vi}: {vi} ({src}).", f"{what_en}: {en} ({src}).", [(p.text, p.loc)], severity=severity)


def _key(text: str) -> str:
    """Spacing, 'HOÀ'/'HÒA' and dashes folded: for comparing a written title with the rule's."""
    return " ".join(nfc(text).replace("HOÀ", "HÒA").replace("Hoà", "Hòa").replace("hoà", "hòa").split())


# --------------------------------------------------------------------------- Quốc hiệu, Tiêu ngữ


def _national_problems(p: Piece, want: str) -> list[tuple[str, str]]:
    text = _key(p.text)
    if want in text:
        return []
    if strip_diacritics(text).upper() == strip_diacritics(want).upper() and text.upper() == text:
        return [(f"sai dấu: \"{p.text}\"", f"wrong or missing diacritics: \"{p.text}\"")]
    if text.upper() != text:
        return [("không viết in hoa", "not in capitals")]
    return [(f"viết khác quy định: \"{p.text}\"", f"written differently: \"{p.text}\"")]


def _motto_problems(p: Piece, want: str) -> list[tuple[str, str]]:
    text = _key(p.text)
    if want in text:
        return []
    if text.upper() == text:
        return [("viết in hoa toàn bộ (quy định: in thường, viết hoa chữ cái đầu mỗi cụm từ)", "all in capitals (the rule: lower case, each phrase's first letter capital)")]
    if strip_diacritics(_key(re.sub(r"\s*-\s*", " - ", text))) == strip_diacritics(want) and "-" in text:
        if strip_diacritics(text) == strip_diacritics(want):
            return [(f"sai dấu: \"{p.text}\"", f"wrong or missing diacritics: \"{p.text}\"")]
        return [("giữa các cụm từ phải có gạch nối (-) và cách chữ", "the phrases must be joined by a hyphen with a space on each side")]
    return [(f"viết khác quy định: \"{p.text}\"", f"written differently: \"{p.text}\"")]


@rule("format_national_title", "format", "info", "Quốc hiệu or Tiêu ngữ written or presented otherwise than the rule")
def format_national_title(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục II, khoản 1): the Quốc hiệu "CỘNG HÒA XÃ HỘI CHỦ
    NGHĨA VIỆT NAM" in capitals, bold, 12-13 pt; under it the Tiêu ngữ "Độc lập - Tự do - Hạnh
    phúc": lower case with each phrase's first letter capital, hyphens with a space each side,
    bold, 13-14 pt. A Quốc hiệu without diacritics, a Tiêu ngữ in capitals or "Độc lập-Tự do-Hạnh
    phúc", a missing Tiêu ngữ; in Word files a Quốc hiệu not bold or in 14 pt."""
    form = applies(dec, ("nd30",))
    if form is None or form.national_title is None:
        return
    f = facts("nd30")
    looks = Looks(dec)
    nt = form.national_title
    problems = _national_problems(nt, f[("national_title", "text")]) + _looks(dec, nt, "national_title", "nd30", looks=looks)
    if problems:
        yield _finding(dec, "format_national_title", "Quốc hiệu", "The national title (Quốc hiệu)", nt, problems,
                       source("nd30", "national_title", "text"))
    if form.motto is None:
        yield _finding(dec, "format_national_title", "Tiêu ngữ", "The motto (Tiêu ngữ)", nt,
                       [("không có Tiêu ngữ \"Độc lập - Tự do - Hạnh phúc\" dưới Quốc hiệu", "no motto \"Độc lập - Tự do - Hạnh phúc\" under the national title")],
                       source("nd30", "motto", "text"))
        return
    problems = _motto_problems(form.motto, f[("motto", "text")]) + _looks(dec, form.motto, "motto", "nd30", looks=looks)
    if problems:
        yield _finding(dec, "format_national_title", "Tiêu ngữ", "The motto (Tiêu ngữ)", form.motto, problems,
                       source("nd30", "motto", "text"))


# --------------------------------------------------------------------------- issuing organ

_NOT_ORGAN = ("DU THAO", "KHAN", "HOA TOC", "THUONG KHAN", "MAT", "TOI MAT", "TUYET MAT", "BAN SAO", "SAO Y")


@rule("format_issuer", "format", "info", "issuing organ not in capitals, or (Word) not bold")
def format_issuer(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục II, khoản 2 điểm b): the issuing organ's name, top
    left, in capitals, bold, 12-13 pt, under the name of its parent body (capitals, not bold) when it
    has one. Read from the lines above "Số:"; the last of them is the issuing organ itself."""
    form = applies(dec, ("nd30",))
    if form is None or form.number is None:
        return
    organ = [p for p in form.issuer if not p.folded.startswith(_NOT_ORGAN) and "/" not in p.text]
    if not organ or len(organ) > 4:
        return
    problems = [(f"\"{p.text}\" không viết in hoa", f"\"{p.text}\" is not in capitals") for p in organ if p.text.upper() != p.text]
    problems += _looks(dec, organ[-1], "issuer", "nd30")
    if problems:
        yield _finding(dec, "format_issuer", "Tên cơ quan ban hành", "The issuing organ's name", organ[-1], problems,
                       source("nd30", "issuer", "case"))


# --------------------------------------------------------------------------- number and symbol

_NUMBER_PARTS = re.compile(r"^(?P<label>Số|SỐ|số)\s*(?P<colon>:?)\s*(?P<num>\d*)\s*(?P<sep>[/-]?)\s*(?P<symbol>.*)$")


@functools.lru_cache(maxsize=1)
def _mixed_case_codes() -> frozenset[str]:
    """Codes written with small letters on purpose: QyĐ, CTr, TTr, TrS (Phụ lục III), TTg, SNgV, ..."""
    codes = {r["code"] for r in corpus_table("doc_types.tsv") if r.get("code")}
    codes |= {r["code"] for r in corpus_table("organ_codes.tsv") if r.get("code")}
    return frozenset(c for c in codes if c != c.upper())


def _symbol(rest: str) -> str:
    """The symbol at the start of what follows the number: its groups joined by "-" or "/" (with
    the spaces around them, a departure of their own), not the date a PDF line may run on into."""
    m = re.match(r"\S+(?:\s*[-/]\s*\S+)*", rest.strip())
    return m.group(0) if m else ""


def _nd30_number(m: re.Match[str], spacing: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if m.group("label") != "Số":
        out.append(("chữ \"Số\" phải in thường", "\"Số\" must be in lower case"))
    if not m.group("colon"):
        out.append(("sau chữ \"Số\" phải có dấu hai chấm (Số:)", "\"Số\" must be followed by a colon (Số:)"))
    num = m.group("num")
    if num and len(num) == 1 and num != "0":
        out.append((f"số nhỏ hơn 10 phải ghi thêm số 0 phía trước (\"0{num}\", không phải \"{num}\")", f"a number under 10 needs a leading 0 (\"0{num}\", not \"{num}\")"))
    symbol = _symbol(m.group("symbol"))
    if m.group("sep") == "-" and "/" in symbol:
        out.append(("số và ký hiệu viết theo kiểu văn bản của Đảng (\"số-ký hiệu/cơ quan\")", "the number and symbol are written the Party way (\"number-type/organ\")"))
    if spacing and re.search(r"\s", symbol):
        out.append((f"ký hiệu có khoảng trắng (\"{symbol}\")", f"the symbol has spaces in it (\"{symbol}\")"))
    small = [tok for tok in re.split(r"[-/\s.]+", symbol) if tok and tok != tok.upper() and tok not in _mixed_case_codes()]
    if small:
        out.append((f"ký hiệu phải viết in hoa (\"{', '.join(small)}\")", f"the symbol must be in capitals (\"{', '.join(small)}\")"))
    return out


def _hd36_number(m: re.Match[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    num = m.group("num")
    if num and len(num) == 1 and num != "0":
        out.append((f"số nhỏ hơn 10 phải ghi thêm số 0 phía trước (\"0{num}\")", f"a number under 10 needs a leading 0 (\"0{num}\")"))
    if m.group("sep") == "/":
        out.append(("số và ký hiệu viết theo kiểu văn bản hành chính (\"số/ký hiệu-cơ quan\"); văn bản của Đảng viết \"Số 15-HD/TU\"",
                    "the number and symbol are written the administrative way (\"number/type-organ\"); a Party document writes \"Số 15-HD/TU\""))
    return out


@rule("format_number", "format", "info", "\"Số:\" line: label, leading zero, symbol in capitals without spaces")
def format_number(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục II, khoản 3 điểm c): "Số" in lower case followed by a
    colon; numbers under 10 with a leading 0 ("Số: 05/QĐ-UBND"); the symbol in capitals (the codes of
    Phụ lục III written with small letters, QyĐ, CTr, TTr, TrS, and TTg excepted), "/" between number
    and symbol, "-" between its groups, no spaces. Party documents (Hướng dẫn 36-HD/VPTW mục II.1.3.2)
    write "Số 15-HD/TU": a leading 0 under 10 too, "-" between number and type, "/" before the organ."""
    form = applies(dec)
    if form is None or form.number is None:
        return
    m = _NUMBER_PARTS.match(form.number.text)
    if not m:
        return
    # a PDF's text layer spaces out what the signing widget stamps ("Số: 779 /QĐ-UBND"): spacing is judged in Word files only
    problems = _nd30_number(m, dec.layout is not None and bool(dec.layout.styles)) if form.regime == "nd30" else _hd36_number(m)
    if problems:
        yield _finding(dec, "format_number", "Số, ký hiệu", "The number and symbol", form.number, problems,
                       source(form.regime, "number", "pad"))


# --------------------------------------------------------------------------- type code

_SYMBOL_CODE = {
    "nd30": re.compile(rf"^\s*\d*\s*/\s*(?:{YEAR}\s*/\s*)?(?P<code>[^\s/-]+)"),
    "hd36": re.compile(r"^\s*\d*\s*-\s*(?P<code>[^\s/-]+)\s*/"),
}
_CODE_SETS = {"nd30": ("nd30", "pre2020"), "hd36": ("party",)}
#: Party documents write Quy định "QĐi" (HD 36 mục II.1.3.1) and, in the Politburo's own practice, "QĐ" (205-QĐ/TW)
_ALSO = {("hd36", "Quy định"): ("QĐ",)}


@functools.lru_cache(maxsize=4)
def _codes(regime: str) -> tuple[dict[str, str], frozenset[str]]:
    """(kind -> its code in the regime's table, every code of the regime's tables)."""
    rows = [r for r in corpus_table("doc_types.tsv") if r.get("code") and r["set"] in _CODE_SETS[regime]]
    main = _CODE_SETS[regime][0]
    return {r["kind"]: r["code"] for r in rows if r["set"] == main}, frozenset(r["code"] for r in rows)


def _type_code(form: Form, text: str) -> str | None:
    m = re.match(r"^(?:Số|SỐ|số)\s*:?\s*", text)
    if not m:
        return None
    cm = _SYMBOL_CODE[form.regime].match(text[m.end() :])
    return cm.group("code") if cm else None


@rule("format_type_code", "format", "error", "the symbol's type code contradicts the document's type, or is missing (Phụ lục III)")
def format_type_code(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020, Phụ lục III Mục I, gives each type of document its code: QĐ for Quyết định,
    KH for Kế hoạch, TTr for Tờ trình, ... A Quyết định numbered "Số: 12/KH-UBND" carries the code
    of another type: plainly wrong, an error. A Tờ trình numbered "Số: 519/SNV-TCCC", as a công văn is,
    lacks its code (TTr): a warning (not judged on OCR'd text, where a misread code is not a missing one).
    Party documents use the codes of Hướng dẫn 36-HD/VPTW
    (mục II.1.3.1). A công văn has no type code ("Số: 123/UBND-VP"): one whose symbol opens with a
    type code ("CV" included) is noted as info. Judged on OCR'd text too (the codes are folded)."""
    form = form_of(dec)
    if form.regime is None or form.number is None:
        return
    code = _type_code(form, form.number.text)
    if not code:
        return
    by_kind, known = _codes(form.regime)
    fold = {strip_diacritics(c).upper(): c for c in known | {"CV"}}
    written = fold.get(strip_diacritics(code).upper()) if dec.ocr else (code if code in known | {"CV"} else None)
    expected = by_kind.get(dec.type or "")
    src = "NĐ 30/2020/NĐ-CP, Phụ lục III, Mục I" if form.regime == "nd30" else "HD 36-HD/VPTW, mục II.1.3.1"
    if expected and written and written != expected and written not in _ALSO.get((form.regime, dec.type), ()):
        yield _finding(dec, "format_type_code", f"Ký hiệu của {dec.type}", f"The symbol of this {dec.type}", form.number,
                       [(f"mã tên loại \"{written}\" là của loại văn bản khác; {dec.type} có mã \"{expected}\"",
                         f"type code \"{written}\" belongs to another type of document; a {dec.type} is \"{expected}\"")], src)
    elif expected and written is None and not dec.ocr and not any(code.startswith(k) for k in known):
        # "Tờ trình Số: 519/SNV-TCCC": numbered as a công văn is, the type's code left out ("QĐ.UBND",
        # "QĐUBND" open with a code: a slip of the joint, not a missing code; `format_number` says it)
        yield _finding(dec, "format_type_code", f"Ký hiệu của {dec.type}", f"The symbol of this {dec.type}", form.number,
                       [(f"ký hiệu không có mã tên loại (\"{code}\" không phải mã tên loại); {dec.type} có mã \"{expected}\"",
                         f"the symbol has no type code (\"{code}\" is not one); a {dec.type} is \"{expected}\"")], src,
                       severity="warning")
    elif form.regime == "nd30" and form.title is None and written and _is_cong_van(form):
        yield _finding(dec, "format_type_code", "Ký hiệu công văn", "The symbol of an official letter (công văn)", form.number,
                       [(f"công văn không có mã tên loại, nhưng ký hiệu mở đầu bằng \"{written}\"",
                         f"a công văn has no type code, yet the symbol opens with \"{written}\"")],
                       "NĐ 30/2020/NĐ-CP, Phụ lục I, Phần I, Mục II, khoản 3 điểm b", severity="info")


def _is_cong_van(form: Form) -> bool:
    return any(p.text.startswith(("V/v", "V/V")) for p in form.header)


# --------------------------------------------------------------------------- place and date

_PLACE_ABBREV = re.compile(r"(?<![\wÀ-ỹ])(?:TP|Tp|tp|TX|Tx|TT|Q|H|X|P)\s*\.(?=\s*[A-ZĐÀ-Ỹ0-9])")


def _date_problems(m: re.Match[str], regime: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    f = facts(regime)
    d, mo = m.group("d"), m.group("m")
    if d.isdigit() and len(d) == 1 and int(d) < int(f.get(("date_line", "pad_day"), "10")):
        out.append((f"ngày nhỏ hơn 10 phải ghi thêm số 0 (\"ngày 0{d}\")", f"a day under 10 needs a leading 0 (\"ngày 0{d}\")"))
    if mo.isdigit() and len(mo) == 1 and mo in f.get(("date_line", "pad_month"), "1,2").split(","):
        out.append((f"tháng 1, 2 phải ghi thêm số 0 (\"tháng 0{mo}\")", f"months 1 and 2 need a leading 0 (\"tháng 0{mo}\")"))
    place = m.group("place")
    if regime == "nd30" and _PLACE_ABBREV.search(place):
        out.append((f"địa danh viết tắt (\"{place.strip()}\"); phải ghi tên gọi đầy đủ", f"the place is abbreviated (\"{place.strip()}\"); it must be written in full"))
    return out


@rule("format_date_line", "format", "info", "place-and-date line: leading zeros, place in full, (Word) italic 13-14 pt")
def format_date_line(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục II, khoản 4): "Lâm Đồng, ngày 05 tháng 02 năm 2025":
    days under 10 and the months 1 and 2 with a leading 0 ("ngày 5 tháng 3" is a departure,
    "tháng 3" is not); the place in full ("Thành phố Hồ Chí Minh", not "TP. HCM"); in Word files,
    italic, 13-14 pt. Party documents (Hướng dẫn 36-HD/VPTW mục II.1.4.2) pad the same way."""
    form = applies(dec)
    if form is None or form.date_line is None:
        return
    m = _DATE_LINE.match(form.date_line.text)
    if not m:
        return
    problems = _date_problems(m, form.regime)
    if form.regime == "nd30":
        problems += _looks(dec, form.date_line, "date_line", "nd30", bold=False, italic=True)
    if problems:
        yield _finding(dec, "format_date_line", "Địa danh và thời gian ban hành", "The place-and-date line", form.date_line,
                       problems, source(form.regime, "date_line", "pad_day"))


# --------------------------------------------------------------------------- type line and subject


@rule("format_title", "format", "info", "type name and subject: (Word) bold, 13-14 pt; the subject in lower case")
def format_title(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục II, khoản 5 điểm b): the type name ("QUYẾT ĐỊNH") in
    capitals, bold, 13-14 pt, and right under it the subject (trích yếu) in lower case, bold. A
    subject written all in capitals; in Word files a type name or subject that is not bold."""
    form = applies(dec, ("nd30",))
    if form is None or form.title is None:
        return
    looks = Looks(dec)
    problems = _looks(dec, form.title, "title", "nd30", looks=looks)
    if problems:
        yield _finding(dec, "format_title", "Tên loại văn bản", "The type name", form.title, problems, source("nd30", "title", "case"))
    subject = form.subject
    if not subject:
        return
    problems = []
    letters = "".join(p.text for p in subject)
    if sum(ch.isalpha() for ch in letters) > 12 and letters.upper() == letters:
        problems.append(("trích yếu viết in hoa toàn bộ (quy định: chữ in thường)", "the subject is all in capitals (the rule: lower case)"))
    problems += _looks(dec, subject[0], "subject", "nd30", looks=looks)
    if problems:
        yield _finding(dec, "format_title", "Trích yếu nội dung", "The subject (trích yếu)", subject[0], problems,
                       source("nd30", "subject", "bold"))


# --------------------------------------------------------------------------- signing authority

_PERSONAL_TITLE = re.compile(r"^(?:PHÓ\s+)?(?:CHỦ TỊCH|GIÁM ĐỐC|BỘ TRƯỞNG|THỦ TƯỚNG|TRƯỞNG\b|CHÁNH\b|VIỆN TRƯỞNG|HIỆU TRƯỞNG|"
                             r"CỤC TRƯỞNG|TỔNG CỤC TRƯỞNG|THỨ TRƯỞNG|BÍ THƯ|TỔNG GIÁM ĐỐC)")
_PREFIX_FORMS = {"nd30": ("TM.", "KT.", "TL.", "TUQ.", "Q."), "hd36": ("T/M", "K/T", "T/L", "Q.")}


def _prefix_problem(raw: str, regime: str) -> tuple[str, str] | None:
    ok = _PREFIX_FORMS[regime]
    if raw in ok:
        return None
    letters = re.sub(r"[^A-Z]", "", raw)
    nd30, hd36 = {"TM": ("TM.", "T/M"), "KT": ("KT.", "K/T"), "TL": ("TL.", "T/L"), "TUQ": ("TUQ.", "TUQ."), "Q": ("Q.", "Q.")}.get(letters, (raw, raw))
    want = nd30 if regime == "nd30" else hd36
    if regime == "nd30" and raw in ("T/M", "K/T", "T/L"):
        return (f"\"{raw}\" là cách viết của văn bản Đảng; văn bản hành chính viết \"{want}\"", f"\"{raw}\" is the Party form; an administrative document writes \"{want}\"")
    if regime == "hd36" and raw in ("TM.", "KT.", "TL."):
        return (f"\"{raw}\" là cách viết của văn bản hành chính; văn bản của Đảng viết \"{want}\"", f"\"{raw}\" is the administrative form; a Party document writes \"{want}\"")
    return (f"\"{raw}\" phải viết \"{want}\"", f"\"{raw}\" must be written \"{want}\"")


@rule("format_signing", "format", "info", "signing authority written otherwise than TM./KT./TL./TUQ./Q. (Party: T/M, K/T, T/L), or (Word) not bold")
def format_signing(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục II, khoản 7 điểm b, đ): the signing authority is
    written "TM." before a collective body ("TM. ỦY BAN NHÂN DÂN"), "KT.", "TL.", "TUQ.", "Q." before
    the head's title, in capitals, bold, 13-14 pt, and so is the signer's title under it. "TM" without
    its dot, the Party's "T/M" in an administrative document, "TM." before a person's title
    ("TM. CHỦ TỊCH"); in Word files an authority line that is not bold. Party documents (Hướng dẫn
    36-HD/VPTW mục II.1.7.1) write "T/M", "K/T", "T/L"."""
    form = applies(dec)
    if form is None or not form.signatures:
        return
    block = form.signatures[-1]
    looks = Looks(dec)
    problems: list[tuple[str, str]] = []
    for p in block:
        m = _AUTHORITY.match(p.text)
        if m:
            if (pr := _prefix_problem(m.group("auth"), form.regime)) is not None:
                problems.append(pr)
            rest = m.group("rest").strip()
            if m.group("auth").replace("/", "").rstrip(".") in ("TM", "T.M") and _PERSONAL_TITLE.match(rest):
                problems.append((f"\"TM.\" đặt trước tên tập thể, không đặt trước chức vụ (\"{p.text}\")", f"\"TM.\" goes before a collective body, not a person's title (\"{p.text}\")"))
        if form.regime == "nd30" and is_upper_title(p.text):
            problems += [(f"\"{p.text}\": {vi}", f"\"{p.text}\": {en}") for vi, en in _looks(dec, p, "authority", "nd30", looks=looks)]
    if problems:
        yield _finding(dec, "format_signing", "Quyền hạn, chức vụ người ký", "The signing authority", block[0], problems,
                       source(form.regime, "authority", "prefixes"))


@rule("format_kt_head", "format", "error", "\"KT. <head's title>\" signed under the head's own title")
def format_kt_head(dec: Decision) -> Iterator[Finding]:
    """"KT." (ký thay; Party documents "K/T") means a deputy signs for the head: "KT. CHỦ TỊCH" is
    followed by the deputy's title, "PHÓ CHỦ TỊCH" (Nghị định 30/2020, Phụ lục I, Phần I, Mục II,
    khoản 7 điểm b; Hướng dẫn 36-HD/VPTW mục II.1.7.1). "KT. CHỦ TỊCH" above "CHỦ TỊCH" has the head
    sign for himself: plainly wrong, an error. Every signature block of the file is read,
    attachments included, OCR'd text too."""
    form = form_of(dec)
    if form.regime is None:
        return
    for block in all_signatures(dec):
        for i, p in enumerate(block[:-1]):
            m = _AUTHORITY.match(p.text)
            if not m or m.group("auth").replace("/", "").replace(".", "") != "KT":
                continue
            head, under = upper_key(m.group("rest").replace(".", " ")), upper_key(block[i + 1].text.replace(".", " "))
            if head and under == head:
                yield make_finding(
                    dec, "format_kt_head",
                    f"\"{p.text}\" (ký thay người đứng đầu) nhưng chức vụ ghi dưới là \"{block[i + 1].text}\", chức vụ của chính người đứng đầu: "
                    f"người ký thay phải là cấp phó (ví dụ \"PHÓ {m.group('rest').strip()}\") ({source(form.regime, 'authority', 'prefixes')}).",
                    f"\"{p.text}\" (a deputy signing for the head) but the title under it is \"{block[i + 1].text}\", the head's own: "
                    f"the one signing for the head is a deputy (e.g. \"PHÓ {m.group('rest').strip()}\") ({source(form.regime, 'authority', 'prefixes')}).",
                    [(p.text, p.loc), (block[i + 1].text, block[i + 1].loc)],
                )


# --------------------------------------------------------------------------- recipients, Party title


@rule("format_recipients", "format", "info", "\"Nơi nhận:\" (Word) italic bold 12 pt; the list ends with \"Lưu: VT, ...\"")
def format_recipients(dec: Decision) -> Iterator[Finding]:
    """Nghị định 30/2020 (Phụ lục I, Phần I, Mục II, khoản 9 điểm d): "Nơi nhận:" in italic bold,
    12 pt, then one recipient a line, each after a dash, the last line "- Lưu: VT, <drafting unit>
    (<copies>)." A list without its "Lưu" line, or whose "Lưu" does not keep a copy at the clerk's
    office (VT); in Word files a "Nơi nhận:" not in italic bold 12 pt."""
    form = applies(dec, ("nd30",))
    if form is None or form.recipients_label is None:
        return
    problems = _looks(dec, form.recipients_label, "recipients", "nd30", italic=True)
    where = form.recipients_label
    if form.recipients:
        keep = [p for p in form.recipients if p.folded.lstrip("-+• ").startswith("LUU")]
        if not keep:
            problems.append(("danh sách nơi nhận không có dòng \"Lưu: VT, ...\"", "the list has no \"Lưu: VT, ...\" line"))
            where = form.recipients[-1]
        elif not re.search(r"\bVT\b", keep[-1].folded):
            problems.append((f"dòng lưu không có \"VT\" (văn thư): \"{keep[-1].text}\"", f"the keeping line has no \"VT\" (the clerk's office): \"{keep[-1].text}\""))
            where = keep[-1]
    if problems:
        yield _finding(dec, "format_recipients", "Nơi nhận", "The recipients (Nơi nhận)", where, problems,
                       source("nd30", "recipients", "last"))


@rule("format_party_title", "format", "info", "Party document without \"ĐẢNG CỘNG SẢN VIỆT NAM\", or (Word) not bold capitals")
def format_party_title(dec: Decision) -> Iterator[Finding]:
    """Hướng dẫn 36-HD/VPTW (mục II.1.1; Phụ lục 3, mục 1): a Party document is known by its title
    "ĐẢNG CỘNG SẢN VIỆT NAM", top right of the first page, in capitals, bold, 15 pt. A document with
    a Party symbol ("Số 15-HD/TU") and no such title; in Word files a title not bold."""
    form = applies(dec, ("hd36",))
    if form is None:
        return
    if form.party_title is None:
        if form.number is not None:
            yield _finding(dec, "format_party_title", "Tiêu đề", "The Party title", form.number,
                           [("văn bản của Đảng không có tiêu đề \"ĐẢNG CỘNG SẢN VIỆT NAM\"", "a Party document without the title \"ĐẢNG CỘNG SẢN VIỆT NAM\"")],
                           source("hd36", "party_title", "text"))
        return
    problems = [] if form.party_title.text.upper() == form.party_title.text else [("không viết in hoa", "not in capitals")]
    problems += _looks(dec, form.party_title, "party_title", "hd36")
    if problems:
        yield _finding(dec, "format_party_title", "Tiêu đề \"ĐẢNG CỘNG SẢN VIỆT NAM\"", "The Party title", form.party_title, problems,
                       source("hd36", "party_title", "text"))
