"""The header of a document: its number ("Số: 779/QĐ-UBND"), place and date, and issuing organ.

The header is the block above the type line: the issuing organ top left (a
parent organ may stand above it: "UBND TỈNH LÂM ĐỒNG" / "SỞ NỘI VỤ"), the
national motto top right, "Số: ..." under the organ and "<place>, ngày ... tháng
... năm ..." under the motto.
"""

from __future__ import annotations

import functools
import re

from vanban.model import Loc
from vanban.normalize.dates import GAZETTE_DATE, HEADER_DATE_LINE, PLACE_DATE_START as _PLACE_DATE
from vanban.normalize.found import Structure
from vanban.normalize.lines import DOC_TYPES, Para, is_upper_title, match_type_line
from vanban.normalize.symbols import HEADER_SYMBOL as _SYMBOL, symbol_is_plausible  # noqa: F401 (this module's API too)

_NUMBER_LINE = re.compile(r"^\s*(?:(?:Luật|Nghị quyết|Pháp lệnh|Lệnh)\s+)?Số\s*:?\s*(?P<symbol>[^\s,;]*(?:\s*/\s*[^\s,;]+)*)", re.IGNORECASE)
_BLANK_SYMBOL = re.compile(r"^\s*/\s*\d{0,4}/?[A-ZĐ]")  # "Số:      /KH-UBND": a draft with the number left blank
_ORGAN_WORDS = ("ỦY BAN", "UỶ BAN", "UBND", "HỘI ĐỒNG", "SỞ ", "BỘ ", "CHÍNH PHỦ", "THỦ TƯỚNG", "VĂN PHÒNG", "BAN ", "TỈNH ỦY",
                "TỈNH UỶ", "QUỐC HỘI", "CHỦ TỊCH", "PHÒNG ", "BQL ", "CỤC ", "CHI CỤC ", "TỔNG CỤC ", "TRUNG TÂM ", "HỘI ",
                "ĐẢNG ỦY", "ĐẢNG UỶ", "HUYỆN ỦY", "HUYỆN UỶ", "THÀNH ỦY", "THÀNH UỶ", "QUẬN ỦY", "QUẬN UỶ", "THỊ ỦY", "THỊ UỶ",
                "CHI BỘ", "ĐẢNG BỘ")
# an issuing body that a rendering ran onto its parent's line: "BAN CHẤP HÀNH TRUNG ƯƠNG VĂN PHÒNG"
_BODY_ON_PARENT_LINE = re.compile(r"\s(?=(?:SỞ|VĂN PHÒNG|PHÒNG|BAN QUẢN LÝ|BQL|CỤC|CHI CỤC|TRUNG TÂM)(?:\s+\S|$))")
# the number run onto the organ's line: "BỘ XÂY DỰNG Số: 65/2025/TT-BXD"
_NUMBER_ON_LINE = re.compile(r"\s(?=(?:Số|SỐ)\s*:\s*\d|(?:Số|SỐ)\s*:\s*/)")
_SIGNING_TITLES = ("CHỦ TỊCH", "BỘ TRƯỞNG", "TRƯỞNG BAN", "GIÁM ĐỐC", "THỦ TRƯỞNG", "CHÁNH VĂN PHÒNG")


def _symbol_in(text: str) -> str | None:
    m = _SYMBOL.search(text)
    if not m:
        return None
    from vanban.normalize.fold import fold_homoglyphs

    sym, _ = fold_homoglyphs(re.sub(r"\s+", "", m.group("symbol")))
    return sym


def parse_date_text(text: str):
    """The first date in a text (a DateValue), or None."""
    from vanban.normalize.dates import find_dates

    found = find_dates(text)
    return found[0] if found else None


def find_province(text: str) -> str | None:
    """The province named most often as 'tỉnh X' / 'UBND tỉnh X' with X capitalised."""
    counts: dict[str, int] = {}
    for m in re.finditer(r"\btỉnh\s+((?:[A-ZĐ][\wà-ỹ]*)(?:\s+[A-ZĐ][\wà-ỹ]*){0,3})", text):
        name = m.group(1)
        counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], len(kv[0])))[0]


def _is_organ_line(text: str) -> bool:
    return is_upper_title(text) and text.upper().startswith(_ORGAN_WORDS + _SIGNING_TITLES)


_NO_VOWEL = re.compile(r"^[^aeiouyăâêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]+$", re.IGNORECASE)
_CAPITALISED = (
    ("ủy ban nhân dân", "Ủy ban nhân dân"), ("uỷ ban nhân dân", "Ủy ban nhân dân"), ("hội đồng nhân dân", "Hội đồng nhân dân"),
    ("chính phủ", "Chính phủ"), ("quốc hội", "Quốc hội"), ("ban chỉ đạo", "Ban Chỉ đạo"), ("ủy ban thường vụ", "Ủy ban Thường vụ"),
)


def issuer_name(text: str) -> str:
    """An issuing organ's name as a reader writes it in a sentence.

    >>> issuer_name("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG")
    'Ủy ban nhân dân tỉnh Lâm Đồng'
    >>> issuer_name("VĂN PHÒNG CHÍNH PHỦ")
    'Văn phòng Chính phủ'
    """
    t = " ".join(text.replace("UBND", "ỦY BAN NHÂN DÂN").replace("HĐND", "HỘI ĐỒNG NHÂN DÂN").split())
    if not t.upper().startswith(("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "CHỦ TỊCH")):
        from vanban.normalize.agencies import canonical_name

        known = canonical_name(t)
        if known and not known.startswith(("UBND", "HĐND")):
            return known
    if not is_upper_title(t):
        return t
    words = []
    for w in t.split():
        words.append(w if _NO_VOWEL.match(w) or any(ch.isdigit() for ch in w) else w.lower())
    low = " ".join(words)
    m = re.search(r"\b(tỉnh|thành phố|huyện|xã|phường|quận|thị xã|tp\.)\s+(.+)$", low)
    if m:
        low = low[: m.start(2)] + " ".join(w[:1].upper() + w[1:] for w in m.group(2).split())
    for a, b in _CAPITALISED:
        low = low.replace(a, b)
    low = re.sub(r"\b(bộ|sở)\s+(\w)", lambda mm: mm.group(1) + " " + mm.group(2).upper(), low)
    return low[:1].upper() + low[1:]


_MOTTO = re.compile(r"CỘNG\s+H[OÒ][AÀ]\b|CỘNG\s+HOÀ|ĐỘC\s+LẬP|Độc\s+lập|ĐẢNG\s+CỘNG\s+SẢN|Đảng\s+Cộng\s+sản", re.IGNORECASE)


def left_of_motto(p: Para) -> Para | None:
    """The organ's column of a header line that also holds the national motto (or the Party's):
    'ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM' -> 'ỦY BAN NHÂN DÂN' (a text layer or
    OCR joins the two columns of one height); None for the motto alone."""
    m = _MOTTO.search(p.text)
    if m is None:
        return p
    left = p.text[: m.start()].rstrip(" -–\t")
    if not left.strip():
        return None
    return Para(left, Loc(p.loc.start, p.loc.start + len(left), p.loc.line, p.loc.page), p.bold, p.in_table)


def _header_number(p: Para, m: re.Match[str], dec: Structure, checked: dict[str, str | None]) -> None:
    t = p.text
    after = t[m.start("symbol") :]
    if "number" in checked and dec.ocr:
        _checked_number(p, after, dec, checked["number"])
        return
    if _BLANK_SYMBOL.match(after) or not re.match(r"\s*\d", after):
        if dec.signatures:  # a signed PDF is issued: its number was stamped, or is unreadable
            dec.notes.append("the number is left blank in the text and no signature widget stamps it")
        else:
            dec.notes.append("the number is left blank (a draft)")
        return
    number = _symbol_in(after) or m.group("symbol")
    if dec.ocr and not symbol_is_plausible(number):
        # OCR misreads handwritten numbers ("1716" as "4⁄6"): say so rather than invent one
        dec.notes.append(f"the number is unreadable in the OCR text: {after.strip()!r}")
        return
    dec.number = number
    dec.number_loc = p.loc
    dec.number_from = "header"


def _checked_number(p: Para, after: str, dec: Structure, digits: str | None) -> None:
    """A scan's number as the digits-only second read gave it (`vanban.extract.ocr_header`)."""
    rest = re.search(r"/\s*[A-ZĐÐ][^\s,;]*", after)
    number = _symbol_in(digits + rest.group()) if digits and rest else None
    if number is None or not symbol_is_plausible(number):
        dec.notes.append(f"the number is unreadable in the scan, left empty: the OCR text reads {after.strip()[:40]!r}")
        return
    dec.number = number
    dec.number_loc = p.loc
    dec.number_from = "header"


def _header_date(p: Para, pm: re.Match[str], dec: Structure, checked: dict[str, str | None]) -> None:
    from vanban.normalize.dates import find_place_date

    t = p.text
    place, dv = find_place_date(t[pm.start("place") :])
    dec.place = place or pm.group("place").strip()
    if dec.ocr and "day" in checked:
        day = checked["day"]
        written = re.search(r"tháng\s+(\d{1,2})\s+năm\s+(\d{4})", t)
        if day is None or written is None:
            dec.notes.append(f"the day of the date is unreadable in the scan, left empty: {t[pm.start('date'):].strip()[:40]!r}")
            return
        from vanban.normalize.dates import find_dates

        found = find_dates(f"ngày {day} tháng {written.group(1)} năm {written.group(2)}")
        dv = found[0] if found else None
    if dv is not None and dv.iso:
        dec.date = dv.iso
        dec.date_loc = p.loc
    elif dv is not None:
        dec.notes.append(f"the date is not complete: {dv.raw!r} ({dv.error})")


def parse_header(paras: list[Para], title_idx: int | None, dec: Structure, checked: dict[str, str | None] | None = None) -> None:
    """Number, place and date, and the issuing organ from the lines above the title.

    `checked` holds what a digits-only second OCR read of a scan's number and day gave
    (`SourceDocument.ocr_checked`): for a scan, a value it could not confirm stays empty."""
    checked = checked or {}
    stop = title_idx if title_idx is not None else min(len(paras), 12)
    issuer_lines: list[Para] = []
    soft: list[Para] = []  # an organ written in small letters ("Bộ Tài chính"): used when no line is in capitals
    for p in header_lines(paras[:stop], dec.ocr):
        t = p.text
        m = _NUMBER_LINE.match(t)
        if m and dec.number is None:
            _header_number(p, m, dec, checked)
        if dec.date is None and (pm := _PLACE_DATE.search(t)):
            _header_date(p, pm, dec, checked)
            continue
        if m:
            continue
        p = left_of_motto(p)
        if p is None:
            continue
        t = p.text
        letters = sum(ch.isalpha() for ch in t)
        if is_upper_title(t) and len(t) < 120 and letters >= 5 and len(t.split()) >= 2:
            issuer_lines.append(p)
        elif not issuer_lines and _soft_organ(t):
            soft.append(p)
    issuer_lines = issuer_lines or soft[:1]
    if title_idx is not None:
        tl = match_type_line(paras[title_idx].text) or match_type_line(paras[title_idx].text, any_case=True)
        if tl:
            dec.type = DOC_TYPES[tl.type]
    if issuer_lines:
        _issuer(issuer_lines, title_idx, dec)


def _soft_organ(t: str) -> bool:
    """'Bộ Tài chính', 'Ủy ban nhân dân tỉnh An Giang': an organ's name in small letters, alone on its line."""
    return (t[:1].isupper() and t.upper().startswith(_ORGAN_WORDS) and 2 <= len(t.split()) <= 8
            and not any(ch.isdigit() for ch in t) and not t.rstrip().endswith((".", ";", ",", ":")))


def _split(p: Para, at: int) -> tuple[Para, Para]:
    left, right = p.text[:at].rstrip(), p.text[at:].lstrip()
    off = p.loc.start + len(p.text) - len(right)
    return (Para(left, Loc(p.loc.start, p.loc.start + len(left), p.loc.line, p.loc.page), p.bold, p.in_table),
            Para(right, Loc(off, off + len(right), p.loc.line, p.loc.page), p.bold, p.in_table))


_RECEIVED = re.compile(r"\bĐẾN\b|Chuyển\s*:|ký hiệu HS|Lưu hồ sơ số|^[\W_]*Ngà\s?y\s*\d")
# the stamp's date run onto the organ's line by OCR: "- Ngày14019005. HỘI KHUYẾN HỌC TỈNH ..."
_RECEIVED_DATE = re.compile(r"^[\W_]*Ngà\s?y\s*[\d./]+\S*\s+")


def header_lines(paras: list[Para], ocr: bool = False) -> list[Para]:
    """The header's lines, with what a rendering ran together cut apart: the number run onto
    the organ's line ("BỘ XÂY DỰNG Số: 65/2025/TT-BXD"), an issuing body run onto its parent's
    ("BAN CHẤP HÀNH TRUNG ƯƠNG VĂN PHÒNG"). On a scan, the receiving office's stamp ("ĐẾN",
    "Số:....", "Ngày ...", "Chuyển:") at the top is left out: it is not the document's header."""
    if ocr:
        marks = [i for i, p in enumerate(paras[:6]) if _RECEIVED.search(p.text)]
        if marks:
            kept = []
            for i, p in enumerate(paras):
                if i <= marks[-1] and (m := _RECEIVED_DATE.match(p.text)) and len(p.text) > m.end():
                    p = _split(p, m.end())[1]
                if i > marks[-1] or _MOTTO.search(p.text):
                    kept.append(p)
            paras = kept
    out: list[Para] = []
    for p in paras:
        m = _NUMBER_ON_LINE.search(p.text)
        if m and is_upper_title(p.text[: m.start()]) and len(p.text[: m.start()].split()) >= 2:
            out.extend(_split(p, m.start()))
            continue
        m = _BODY_ON_PARENT_LINE.search(p.text)
        if m and is_upper_title(p.text) and p.text.upper().startswith(_ORGAN_WORDS) and len(p.text[: m.start()].split()) >= 2:
            out.extend(_split(p, m.start()))
            continue
        out.append(p)
    return out


def _is_place(text: str) -> bool:
    from vanban.normalize.fold import match_key

    return match_key(re.sub(r"^(?:TỈNH|THÀNH PHỐ|tỉnh|thành phố)\s+", "", text)) in _places()


@functools.cache
def _places() -> frozenset[str]:
    from vanban.corpus import table
    from vanban.normalize.fold import match_key

    return frozenset(match_key(r["name"]) for r in table("places.tsv"))


def _issuer(issuer_lines: list[Para], title_idx: int | None, dec: Structure) -> None:
    """The issuing organ: the top-left block, from its last organ word on (a parent organ may stand
    above it: "UBND TỈNH LÂM ĐỒNG" / "SỞ NỘI VỤ"; it is kept as `issuer_parent`)."""
    starts = [i for i, p in enumerate(issuer_lines) if p.text.upper().startswith(_ORGAN_WORDS)]
    if not starts and title_idx is None:
        return  # no title and no organ word: capitals here are a heading, not an issuer
    first = starts[-1] if starts else 0
    block = issuer_lines[first:]
    keep = 1
    while keep < len(block) and (block[keep].text.upper().startswith(("TỈNH", "THÀNH PHỐ", "HUYỆN", "XÃ")) or _is_place(block[keep].text)):
        keep += 1  # "ỦY BAN NHÂN DÂN" / "TỈNH LÂM ĐỒNG"; "BQL CÁC KHU CÔNG NGHIỆP" / "BÀ RỊA - VŨNG TÀU"
    block = block[:keep]
    dec.issuer = issuer_name(" ".join(p.text for p in block))
    dec.issuer_loc = Loc(block[0].loc.start, block[-1].loc.end, block[0].loc.line, block[0].loc.page)
    if len(starts) > 1:
        parent = issuer_lines[starts[-2] : first]
        if (block[0].loc.line or 0) - (parent[-1].loc.line or 0) <= 2:
            dec.issuer_parent = issuer_name(" ".join(p.text for p in parent))


_VV = re.compile(r"^(?:V/v|V/V|v/v)\s*[.:]?\s*(?=\S)")


def parse_cong_van(paras: list[Para], dec: Structure, limit: int = 15) -> int | None:
    """A công văn (official letter) has no type word: its subject "V/v ..." stands under
    its number (Nghị định 30/2020/NĐ-CP, Phụ lục I). Sets the type and the subject when
    the header has such a line; returns the index after the subject, or None."""
    for i, p in enumerate(paras[:limit]):
        if p.text.startswith("Kính gửi"):
            return None
        if not _VV.match(p.text):
            continue
        parts = [p]
        j = i + 1
        while j < len(paras) and len(parts) < 4:
            q = paras[j]
            t = q.text
            if (
                (q.loc.line or 0) - (parts[-1].loc.line or 0) > 1
                or _MOTTO.search(t) or _PLACE_DATE.search(t) or _NUMBER_LINE.match(t)
                or t.startswith(("Kính gửi", "Căn cứ")) or is_upper_title(t) or len(t) > 200
                or parts[-1].text.endswith((".", ":", ";"))
            ):
                break
            parts.append(q)
            j += 1
        dec.type = "Công văn"
        dec.subject = " ".join(q.text for q in parts)
        dec.subject_loc = Loc(parts[0].loc.start, parts[-1].loc.end, parts[0].loc.line, parts[0].loc.page)
        return j
    return None


# The heading of a document as the Official Gazette (Công báo) and the old databases print it:
# "QUYẾT ĐỊNH" / "CỦA THỦ TƯỚNG CHÍNH PHỦ SỐ 115/2004/QĐ-TTG NGÀY 25 THÁNG 6 NĂM 2004 VỀ VIỆC ..."
_GAZETTE_TAIL = (r"\s*,?\s+(?:số|SỐ|Số)\s*:?\s*(?P<symbol>\d+[^\s,;]*)"
                 rf"(?:\s*,?\s+(?:ngày|NGÀY|Ngày)\s+(?P<date>{GAZETTE_DATE}))?"
                 r"\s*(?P<rest>.*)$")
_GAZETTE = re.compile(r"^(?:của|CỦA|Của)\s+(?P<issuer>.+?)" + _GAZETTE_TAIL, re.DOTALL)
# a joint circular's or resolution's: "Thông tư" / "liên tịch của Bộ Tài chính - Công nghiệp - Tổng cục Hải quan
# số 176/1998/TTLT-BTC-BCN-TCHQ ngày ...", "Thông tư" / "Liên tịch Bộ Tài chính - ... Số 120/2000/TTLT-..." (the
# organs named without "của")
_JOINT_GAZETTE = re.compile(
    r"^(?:liên tịch|Liên tịch|LIÊN TỊCH)\s+(?:(?:của|CỦA|Của)\s+)?"
    r"(?P<issuer>(?:Bộ|BỘ|Chính phủ|CHÍNH PHỦ|Ủy ban|Uỷ ban|ỦY BAN|UỶ BAN|Ban|BAN|Văn phòng|VĂN PHÒNG|Ngân hàng|NGÂN HÀNG"
    r"|Tổng cục|TỔNG CỤC|Tòa án|Toà án|TÒA ÁN|Viện|VIỆN|Trung ương|TRUNG ƯƠNG)\b.+?)" + _GAZETTE_TAIL,
    re.DOTALL,
)


def is_gazette_heading(text: str) -> bool:
    """'CỦA CHÍNH PHỦ SỐ 115/2003/NĐ-CP NGÀY ...': a gazette heading, not an issuer's name alone."""
    return _GAZETTE.match(text) is not None


def canonical_number(written: str, kind: str | None) -> str | None:
    """A symbol written after a type word as vanban writes a number, read as a citation of that kind
    ("63/2023/ND-CP" of a Nghị định -> "63/2023/NĐ-CP"); None when it does not read as a plausible symbol."""
    from vanban.normalize.citations import find_citations

    cites = find_citations(f"{kind or 'Văn bản'} số {written}")
    return cites[0].id if cites and cites[0].number and symbol_is_plausible(cites[0].id) else None


#: the note of a document whose number is read from a reprint's heading
REPRINT_NOTE = ("a reprint: its number, and the issuer and date it lacked, are read from the heading the gazette prints "
                "in place of the header; no place line is printed")


def gazette_heading(dec: Structure) -> None:
    """Issuer, number and date from a subject that is a gazette heading ("CỦA BỘ TÀI CHÍNH SỐ
    169/1998/TT-BTC NGÀY 22 THÁNG 12 NĂM 1998 HƯỚNG DẪN ..."); the subject becomes the rest."""
    m = _GAZETTE.match(dec.subject or "")
    if m is None and dec.type in ("Thông tư", "Nghị quyết") and (m := _JOINT_GAZETTE.match(dec.subject or "")):
        dec.type = f"{dec.type} liên tịch"
    if m is None or dec.type is None:
        return
    from vanban.normalize.dates import find_dates

    if dec.number is None and (number := canonical_number(m.group("symbol"), dec.type)):
        dec.number, dec.number_loc, dec.number_from = number, dec.subject_loc, "header"
        dec.notes.append(REPRINT_NOTE)
    written = re.sub(r"(?<=[^\W\d_])(?=\d)", " ", m.group("date") or "")  # "năm1998": the space lost
    if dec.date is None and written and (found := find_dates("ngày " + written.lower())) and found[0].iso:
        dec.date, dec.date_loc = found[0].iso, dec.subject_loc
    if dec.issuer is None:
        dec.issuer, dec.issuer_loc = issuer_name(m.group("issuer")), dec.subject_loc
    rest = m.group("rest").strip()
    if rest:
        dec.subject = rest[:1].upper() + rest[1:]


#: "Số: 65/2025/TT-BXD" in a header, or "NGHỊ ĐỊNH CỦA CHÍNH PHỦ SỐ 29/1998/NĐ-CP NGÀY ..." in the
#: title line of a reprint (LAWDATA, Công báo digests): the number is there even when the structure
#: stage did not take it as the header's
_NUMBER_WRITTEN = re.compile(r"(?i)(?<!\w)s[ốỐ]\s*:?\s*\d{1,5}\s*[/-]\s*\w")


def header_written(text: str) -> set[str]:
    """What the first lines write even where the header was not read from them: "number" when the
    header or title lines (those before the legal bases, "Căn cứ ...") write a number, "date" when
    the first 20 lines hold a "<Địa danh>, ngày ... tháng ... năm ..." line (the structure stage may
    miss one that shares its line with "Số: ...", as PDFs render the header)."""
    found = set()
    head = []
    for line in text.split("\n", 25)[:25]:
        if line.lstrip(" \t-").startswith(("Căn cứ", "CĂN CỨ")):
            break
        head.append(line)
    if _NUMBER_WRITTEN.search("\n".join(head)):
        found.add("number")
    if HEADER_DATE_LINE.search("\n".join(text.split("\n")[:20])):
        found.add("date")
    return found
