"""The shape of a document: header, legal bases, articles, signature, recipients,
attached parts (plan, appendices) with their captions, and their headings.

It reads the paragraphs of a SourceDocument in order, as a reader of the paper
would: the type line ("QUYẾT ĐỊNH") and the subject under it; "Căn cứ ..." lines;
"Theo đề nghị của ..."; the formula "QUYẾT ĐỊNH:"; "Điều 1. ..."; "Nơi nhận:" and
its dashes; the signature block ("TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / name); then
each attachment, which starts with its kind ("KẾ HOẠCH", "PHỤ LỤC") and names the
decision it belongs to in a caption "(Ban hành kèm theo Quyết định số ... ngày ...)".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from vanban.model import Attachment, Caption, Decision, Heading, Loc, Signer, SourceDocument, TextValue
from vanban.normalize.fold import strip_diacritics
from vanban.normalize.symbols import HEADER_SYMBOL as _SYMBOL, symbol_is_plausible

# Document-type words as they stand alone (in capitals) on the title line.
DOC_TYPES = {
    "QUYẾT ĐỊNH": "Quyết định",
    "KẾ HOẠCH": "Kế hoạch",
    "NGHỊ ĐỊNH": "Nghị định",
    "NGHỊ QUYẾT": "Nghị quyết",
    "THÔNG TƯ LIÊN TỊCH": "Thông tư liên tịch",
    "THÔNG TƯ": "Thông tư",
    "CHỈ THỊ": "Chỉ thị",
    "CÔNG ĐIỆN": "Công điện",
    "CHƯƠNG TRÌNH": "Chương trình",
    "TỜ TRÌNH": "Tờ trình",
    "BÁO CÁO": "Báo cáo",
    "THÔNG BÁO": "Thông báo",
    "HƯỚNG DẪN": "Hướng dẫn",
    "LUẬT": "Luật",
    "PHỤ LỤC": "Phụ lục",
    "QUY CHẾ": "Quy chế",
    "QUY ĐỊNH": "Quy định",
    "ĐIỀU LỆ": "Điều lệ",
    "ĐỀ ÁN": "Đề án",
    "PHƯƠNG ÁN": "Phương án",
}
# Kinds that start an attached part (after the decision's signature).
ATTACHMENT_KINDS = ("KẾ HOẠCH", "CHƯƠNG TRÌNH", "QUY CHẾ", "QUY ĐỊNH", "ĐIỀU LỆ", "ĐỀ ÁN", "PHƯƠNG ÁN", "PHỤ LỤC", "HƯỚNG DẪN")

_NUMBER_LINE = re.compile(r"^\s*(?:(?:Luật|Nghị quyết|Pháp lệnh|Lệnh)\s+)?Số\s*:?\s*(?P<symbol>[^\s,;]*(?:\s*/\s*[^\s,;]+)*)", re.IGNORECASE)
_CAPTION = re.compile(
    r"^\(?\s*(?:Ban hành\s+)?(?:kèm|Kèm|KÈM)\s+theo\s+(?P<body>.+?)\)?\s*$", re.DOTALL
)
_BLANK_SYMBOL = re.compile(r"^\s*/\s*\d{0,4}/?[A-ZĐ]")  # "Số:      /KH-UBND": a draft with the number left blank
_ROMAN = re.compile(r"^(?P<num>[IVXLC]+)\s*[.)-]\s*(?P<title>\S.*)$")
_AREA = re.compile(r"^(?P<num>\d{1,2})\s*[.)]\s*(?P<title>\S.*)$")
_BLOCK = re.compile(r"^(?P<num>[a-zđ])\s*\)\s*(?P<title>\S.*)$")
_ARTICLE = re.compile(r"^Điều\s+(?P<num>\d+)\s*[.:]?\s*(?P<title>.*)$")
_CHAPTER = re.compile(r"^(?:Chương|CHƯƠNG)\s+(?P<num>[IVXLC]+|\d+)\b\.?\s*(?P<title>.*)$")
_AUTHORITY = re.compile(r"^(?P<auth>TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*[.]?\s+(?P<rest>.+)$")
_FORMULA = re.compile(r"^(QUYẾT ĐỊNH|QUYẾT NGHỊ|CHỈ THỊ|NGHỊ ĐỊNH)\s*:\s*$")
_PLACE_DATE = re.compile(r"(?:^|\s)(?P<place>[A-ZĐ][^,\d:;]{1,40}),\s*(?:ngày|NGÀY)\s+(?P<date>.+?(?:năm|NĂM)\s+\d{4})")
_YEAR = re.compile(r"\bnăm\s+(?P<year>(?:19|20)\d{2})\b", re.IGNORECASE)
_PERIOD = re.compile(r"giai đoạn\s+(?P<a>(?:19|20)\d{2})\s*[-–]\s*(?P<b>(?:19|20)\d{2})", re.IGNORECASE)
_EFFECTIVE = re.compile(r"có hiệu lực(?:\s+thi hành)?\s+(?P<when>(?:kể\s+)?từ\s+ngày\s+(?:ký(?:\s+ban hành)?|[^.;]+))", re.IGNORECASE)
_ORGAN_WORDS = ("ỦY BAN", "UỶ BAN", "UBND", "HỘI ĐỒNG", "SỞ ", "BỘ ", "CHÍNH PHỦ", "THỦ TƯỚNG", "VĂN PHÒNG", "BAN ", "TỈNH ỦY", "QUỐC HỘI", "CHỦ TỊCH")
_NAME = re.compile(r"^[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÝỲỶỸỴÉÈẺẼẸÓÒỎÕỌ][^\s\d,.;:()]*(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÝỲỶỸỴÉÈẺẼẸÓÒỎÕỌ][^\s\d,.;:()]*){1,5}$")


@dataclass(slots=True)
class Para:
    """A non-empty line of the document with where it is."""

    text: str
    loc: Loc
    bold: bool = False
    in_table: bool = False


_PIECE_BREAK = re.compile(r"\n|\t|\s*[-_*=~]{3,}\s*| {4,}")


def _pieces(text: str, start: int) -> Iterator[tuple[str, int]]:
    """The pieces of a paragraph or cell between line breaks, tabs and decoration
    rules ("-----", "_____"), with their offsets: 'CHÍNH PHỦ ----- Số: 07/2025/NĐ-CP'
    is two pieces."""
    pos = 0
    for m in _PIECE_BREAK.finditer(text):
        if not m.group().strip(" ") and not text[m.end() : m.end() + 1].isupper():
            continue  # wide spaces before a capital are a column gap; before "/KH" or "tháng", a blank to fill
        yield text[pos : m.start()], start + pos
        pos = m.end()
    yield text[pos:], start + pos


def paragraphs(src: SourceDocument) -> list[Para]:
    """The non-empty lines of the document, in reading order, each with where it is.

    Paragraphs and table cells are cut at line breaks, tabs and decoration
    rules, so that a header cell "CHÍNH PHỦ ----- Số: 07/2025/NĐ-CP" gives the
    organ and the number as two lines, as a reader sees them.
    """
    out: list[Para] = []
    text = src.text
    for block in src.blocks:
        if block.kind == "paragraph":
            for piece, off in _pieces(block.text, block.loc.start):
                stripped = piece.strip()
                if stripped:
                    off += len(piece) - len(piece.lstrip())
                    line = (block.loc.line or 1) + text.count("\n", block.loc.start, off)
                    out.append(Para(stripped, Loc(off, off + len(stripped), line, block.loc.page), block.bold))
        elif block.kind == "table":
            for row in block.rows:
                for cell in row.cells:
                    for piece, off in _pieces(cell.text, cell.loc.start):
                        stripped = piece.strip()
                        if stripped:
                            off += len(piece) - len(piece.lstrip())
                            line = (cell.loc.line or 1) + text.count("\n", cell.loc.start, off)
                            out.append(Para(stripped, Loc(off, off + len(stripped), line, cell.loc.page), in_table=True))
    return out


def is_upper_title(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


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


def parse_caption(para: Para) -> Caption | None:
    """'(Ban hành kèm theo Quyết định số 3248/QĐ-UBND ngày 24/12/2020 của UBND tỉnh)'."""
    text = para.text.strip()
    if not text.startswith("(") and not re.match(r"^(Ban hành )?[Kk]èm theo", text):
        return None
    m = _CAPTION.match(text.lstrip("("))
    if not m:
        return None
    body = m.group("body")
    dv = parse_date_text(body)
    return Caption(
        text=text,
        refers_to=_symbol_in(body),
        date=dv.iso if dv else None,
        date_raw=dv.raw if dv else None,
        loc=para.loc,
    )


def find_province(text: str) -> str | None:
    """The province named most often as 'tỉnh X' / 'UBND tỉnh X' with X capitalised."""
    counts: dict[str, int] = {}
    for m in re.finditer(r"\btỉnh\s+((?:[A-ZĐ][\wà-ỹ]*)(?:\s+[A-ZĐ][\wà-ỹ]*){0,3})", text):
        name = m.group(1)
        counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], len(kv[0])))[0]


def _strip_bullet(text: str) -> str:
    return re.sub(r"^[-–•+*]\s*", "", text).strip()


def _trim_end(text: str) -> str:
    return re.sub(r"[;.,:\s]+$", "", text.replace("./.", "")).strip()


def parse_structure(src: SourceDocument, dec: Decision) -> list[Para]:
    """Fill the decision's metadata, parts and headings from the document's paragraphs."""
    paras = paragraphs(src)
    dec.text = src.text
    n = len(paras)
    title_idx = _find_title(paras)
    _parse_header(paras, title_idx, dec)

    # The body of the decision: bases, proposal, articles, recipients, signature.
    body_end = n
    i = (title_idx + 1) if title_idx is not None else 0
    # subject lines right after the type line, then (in a decision) the authority line
    if title_idx is not None:
        i = _parse_subject(paras, title_idx, dec)
        if dec.issuer is None and i < n and _is_organ_line(paras[i].text) and not _FORMULA.match(paras[i].text):
            dec.issuer = issuer_name(paras[i].text)
            dec.issuer_loc = paras[i].loc
            i += 1
    if dec.issuer and dec.issuer.lower().endswith(("tỉnh", "thành phố")):
        place = find_province(src.text)
        if place:
            dec.issuer = f"{dec.issuer} {place}"

    attach_starts: list[int] = []
    signature_seen = False
    k = i
    while k < n:
        p = paras[k]
        t = p.text
        if t.startswith("Căn cứ") and not dec.articles:
            for piece in _split_bases(t[len("Căn cứ"):].strip()):
                dec.legal_bases.append(TextValue(piece, p.loc))
        elif t.startswith("Theo đề nghị") and not dec.articles:
            dec.proposed_by = TextValue(_trim_end(re.sub(r"^Theo đề nghị( của)?\s*", "", t)), p.loc)
        elif (m := _ARTICLE.match(t)) and not signature_seen:
            dec.articles.append(Heading("dieu", m.group("num"), m.group("title").strip(), p.loc))
            if dec.effective is None and (me := _EFFECTIVE.search(t)):
                dec.effective = _trim_end(me.group("when"))
        elif t.rstrip(":").strip().lower() in ("nơi nhận",) or t.lower().startswith("nơi nhận:"):
            rest = t.split(":", 1)[1].strip() if ":" in t else ""
            if rest:
                dec.recipients.append(TextValue(_trim_end(_strip_bullet(rest)), p.loc))
            k += 1
            interleaved: list[Para] = []
            while k < n:
                t2 = paras[k].text.strip()
                if _AUTHORITY.match(t2):
                    break  # the signature block starts
                if t2.startswith(("-", "–", "+", "•")):
                    dec.recipients.append(TextValue(_trim_end(_strip_bullet(t2)), paras[k].loc))
                elif (_SIGNED.search(t2) or (is_upper_title(t2) and len(t2) < 40) or _NAME.match(t2)) and not _ARTICLE.match(t2):
                    interleaved.append(paras[k])  # a signature column laid out beside the list
                else:
                    break
                k += 1
            _complete_signer(dec, interleaved)
            continue
        elif (m := _AUTHORITY.match(t)) and not signature_seen and (dec.articles or dec.type != "Quyết định"):
            k = _parse_signature(paras, k, dec)
            signature_seen = True
            continue
        elif signature_seen and _starts_attachment(paras, k):
            attach_starts.append(k)
        k += 1

    # Attachments: from each start to the next.
    for j, start in enumerate(attach_starts):
        end = attach_starts[j + 1] if j + 1 < len(attach_starts) else n
        dec.attachments.append(_parse_attachment(paras, start, end, src))
        if j == 0:
            body_end = start

    # Parts: which lines belong to the decision, the plan, each appendix.
    last_line = src.text.count("\n") + 1
    first_attach_line = paras[attach_starts[0]].loc.line if attach_starts else last_line + 1
    # the document's own body: a plan filed on its own is a plan, anything else the main text
    own = "plan" if dec.type in ("Kế hoạch", "Chương trình", "Đề án", "Phương án") else ("appendix" if dec.type == "Phụ lục" else "decision")
    dec.parts.append((own, 1, (first_attach_line or last_line + 1) - 1))
    for j, att in enumerate(dec.attachments):
        nxt = dec.attachments[j + 1].first_line if j + 1 < len(dec.attachments) else last_line + 1
        att.last_line = (nxt or last_line + 1) - 1
        part = "appendix" if att.kind == "Phụ lục" else "plan"
        dec.parts.append((part, att.first_line or 1, att.last_line))

    # The document's own headings (when it is itself a plan, not a decision with one attached).
    if not any(a.kind != "Phụ lục" for a in dec.attachments):
        secs, areas = _headings(paras, i, body_end)
        dec.headings = secs + areas
    if dec.type in ("Kế hoạch", "Chương trình") or (dec.attachments and dec.attachments[0].kind != "Phụ lục"):
        years = [a.plan_year for a in dec.attachments if a.plan_year] or [_year_of(dec.subject)]
        dec.plan_year = next((y for y in years if y), None)
        periods = [a.period for a in dec.attachments if a.period] or [_period_of(dec.subject)]
        dec.period = next((p for p in periods if p), None)
    return paras


_SUBJECT_STOP = ("Căn cứ", "Theo đề nghị", "Xét đề nghị", "(", "Thực hiện", "Nhằm", "Để ", "Tiếp tục", "Kính gửi", "Trên cơ sở")
_SIGNING_TITLES = ("CHỦ TỊCH", "BỘ TRƯỞNG", "TRƯỞNG BAN", "GIÁM ĐỐC", "THỦ TRƯỞNG", "CHÁNH VĂN PHÒNG")


@dataclass(slots=True)
class TypeLine:
    """A line that opens with a document-type word: 'QUYẾT ĐỊNH', 'PHỤ LỤC II', 'KẾ HOẠCH Cải cách ...'."""

    type: str  # the key of DOC_TYPES, e.g. "QUYẾT ĐỊNH"
    label: str | None
    rest: str


_FOLDED_TYPES = {strip_diacritics(k).upper(): k for k in DOC_TYPES}
_TYPE_FOLDED = re.compile(
    r"^(?P<type>" + "|".join(sorted(map(re.escape, _FOLDED_TYPES), key=len, reverse=True)) + r")\b"
    r"(?P<label>\s+(?:[IVXLC]+|\d+)\b(?!\s*[/.,]\d))?\s*(?P<rest>.*)$",
    re.DOTALL,
)


def match_type_line(text: str) -> TypeLine | None:
    """The type word at the start of a line, matched without diacritics so that an
    OCR'd 'QUYÉT ĐỊNH' is still a decision; the type word itself must be in capitals."""
    if not text[:1].isupper():  # most lines: "- ...", "1. ...", "Căn cứ" fails below anyway
        return None
    folded = strip_diacritics(text)
    if len(folded) != len(text):  # not NFC-shaped: fall back to the exact form
        folded = text
    m = _TYPE_FOLDED.match(folded.upper())
    if not m or not is_upper_title(text[: m.end("type")]):
        alone = re.match(r"^Phụ lục(?:\s+(?P<label>[IVXLC]+|\d+))?\s*$", text)  # "Phụ lục I" on a line of its own
        return TypeLine("PHỤ LỤC", alone.group("label"), "") if alone else None
    label = text[m.start("label") : m.end("label")].strip() if m.group("label") else None
    return TypeLine(_FOLDED_TYPES[m.group("type")], label, text[m.start("rest") :].strip())


def _is_organ_line(text: str) -> bool:
    return is_upper_title(text) and text.upper().startswith(_ORGAN_WORDS + _SIGNING_TITLES)


def _parse_subject(paras: list[Para], title_idx: int, dec: Decision) -> int:
    """The subject ("trích yếu") on the type line or the lines under it; returns the next index.

    It ends at a blank line, a decoration rule, the issuing authority's line
    ("ỦY BAN NHÂN DÂN TỈNH"), "Căn cứ ...", an introductory sentence ("Thực hiện
    ...", a line ending with ':') or after four lines.
    """
    tl = match_type_line(paras[title_idx].text)
    rest = tl.rest if tl else ""
    parts: list[Para] = []
    i = title_idx + 1
    if rest.upper().startswith(("CỦA ", "CUA ")):
        # old style: "QUYẾT ĐỊNH CỦA ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ" names the issuer, not the subject
        if dec.issuer is None:
            dec.issuer = issuer_name(rest[4:])
            dec.issuer_loc = paras[title_idx].loc
        rest = ""
    if rest and not rest.startswith(":"):
        off = paras[title_idx].loc.end - len(rest)
        parts.append(Para(rest, Loc(off, paras[title_idx].loc.end, paras[title_idx].loc.line, paras[title_idx].loc.page)))
        return i if not _continues_subject(paras, i, parts) else _more_subject(paras, i, parts, dec)
    return _more_subject(paras, i, parts, dec)


def _continues_subject(paras: list[Para], i: int, parts: list[Para]) -> bool:
    if i >= len(paras) or len(parts) >= 4:
        return False
    p = paras[i]
    t = p.text
    if parts and (p.loc.line or 0) - (parts[-1].loc.line or 0) > 1:
        return False  # a blank line ends it
    if parts and parts[-1].text.endswith((":", ".")) and not parts[-1].text.endswith("./."):
        return False
    if (
        t.startswith(_SUBJECT_STOP)
        or _FORMULA.match(t)
        or _ARTICLE.match(t)
        or _AUTHORITY.match(t)
        or _ROMAN.match(t)
        or _is_organ_line(t)
        or t.endswith(":")
        or p.in_table
        or len(t) > 250
        or sum(len(q.text) for q in parts) + len(t) > 400
    ):
        return False
    if parts and is_upper_title(t) != is_upper_title(parts[0].text):
        return False
    return True


def _more_subject(paras: list[Para], i: int, parts: list[Para], dec: Decision) -> int:
    while _continues_subject(paras, i, parts):
        parts.append(paras[i])
        i += 1
    if parts:
        dec.subject = " ".join(p.text for p in parts)
        first, last = parts[0].loc, parts[-1].loc
        dec.subject_loc = Loc(first.start, last.end, first.line, first.page)
    return i


def _find_title(paras: list[Para]) -> int | None:
    for idx, p in enumerate(paras[:40]):
        t = p.text.strip()
        if _FORMULA.match(t) or p.in_table:
            continue
        tl = match_type_line(t)
        if tl and not tl.rest.startswith(":"):
            if t.upper() == t and len(t) > 60 and tl.type not in ("KẾ HOẠCH", "QUYẾT ĐỊNH"):
                continue
            return idx
    return None


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


def _parse_header(paras: list[Para], title_idx: int | None, dec: Decision) -> None:
    """Number, place and date, and the issuing organ from the lines above the title."""
    from vanban.normalize.dates import find_place_date

    stop = title_idx if title_idx is not None else min(len(paras), 12)
    issuer_lines: list[Para] = []
    for p in paras[:stop]:
        t = p.text
        m = _NUMBER_LINE.match(t)
        if m and dec.number is None:
            after = t[m.start("symbol") :]
            if _BLANK_SYMBOL.match(after) or not re.match(r"\s*\d", after):
                dec.notes.append("the number is left blank (a draft)")
            else:
                number = _symbol_in(after) or m.group("symbol")
                if dec.ocr and not symbol_is_plausible(number):
                    # OCR misreads handwritten numbers ("1716" as "4⁄6"): say so rather than invent one
                    dec.notes.append(f"the number is unreadable in the OCR text: {after.strip()!r}")
                else:
                    dec.number = number
                    dec.number_loc = p.loc
                    dec.number_from = "header"
        if dec.date is None and (pm := _PLACE_DATE.search(t)):
            place, dv = find_place_date(t[pm.start("place") :])
            dec.place = place or pm.group("place").strip()
            if dv is not None and dv.iso:
                dec.date = dv.iso
                dec.date_loc = p.loc
            elif dv is not None:
                dec.notes.append(f"the date is not complete: {dv.raw!r} ({dv.error})")
            continue
        if m:
            continue
        up = t.upper()
        if "CỘNG HÒA" in up or "CỘNG HOÀ" in up or "ĐỘC LẬP" in up or "ĐẢNG CỘNG SẢN" in up:
            continue
        letters = sum(ch.isalpha() for ch in t)
        if is_upper_title(t) and len(t) < 120 and letters >= 5 and len(t.split()) >= 2:
            issuer_lines.append(p)
    if title_idx is not None:
        tl = match_type_line(paras[title_idx].text)
        if tl:
            dec.type = DOC_TYPES[tl.type]
    if issuer_lines:
        # the issuing organ: the top-left block, from its last organ word on (a superior
        # organ may stand above it: "UBND TỈNH LÂM ĐỒNG" / "BAN CHỈ ĐẠO ...")
        starts = [i for i, p in enumerate(issuer_lines) if p.text.upper().startswith(_ORGAN_WORDS)]
        if not starts and title_idx is None:
            return  # no title and no organ word: capitals here are a heading, not an issuer
        block = issuer_lines[starts[-1] if starts else 0 :]
        if len(block) > 1 and not block[-1].text.upper().startswith(("TỈNH", "THÀNH PHỐ", "HUYỆN", "XÃ")):
            block = block[:1]
        dec.issuer = issuer_name(" ".join(p.text for p in block))
        dec.issuer_loc = Loc(block[0].loc.start, block[-1].loc.end, block[0].loc.line, block[0].loc.page)


def _split_bases(text: str) -> list[str]:
    pieces = [p.strip() for p in re.split(r";\s*(?=(?:Luật|Bộ luật|Nghị định|Nghị quyết|Thông tư|Quyết định|Chỉ thị|Pháp lệnh|Kế hoạch|Văn bản|Công văn)\b)", text)]
    return [_trim_end(p) for p in pieces if p]


_SIGNED = re.compile(r"\(\s*đã ký\s*\)|\(\s*ký\s*(?:,|và)?\s*ghi rõ họ tên\s*\)", re.IGNORECASE)
_SIG_SPLIT = re.compile(r"\s+(?=(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*\.\s)|\s*\(\s*[Đđ]ã ký\s*\)\s*")
_TRAILING_NAME = re.compile(r"^(?P<title>.+?[A-ZĐ])\s+(?P<name>(?:[A-ZĐÂĂÊÔƠƯ][a-zđà-ỹ]+)(?:\s+[A-ZĐÂĂÊÔƠƯ][a-zđà-ỹ]+){1,4})$")


def position_title(text: str) -> str:
    """'PHÓ CHỦ TỊCH' -> 'Phó Chủ tịch'; 'CHỦ TỊCH' -> 'Chủ tịch'."""
    low = " ".join(text.split()).lower()
    low = low[:1].upper() + low[1:]
    return re.sub(r"\b(Phó|Quyền)\s+(\w)", lambda m: f"{m.group(1)} {m.group(2).upper()}", low)


def _signature_lines(paras: list[Para], k: int, limit: int = 10) -> list[Para]:
    """The lines of a signature block, with lines that a rendering ran together
    ('TM. CHÍNH PHỦ KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG (Đã ký) Lê Thành Long') cut apart."""
    out: list[Para] = []
    for p in paras[k : k + limit]:
        for piece in _SIG_SPLIT.split(p.text):
            piece = piece.strip()
            if not piece:
                continue
            m = _TRAILING_NAME.match(piece)
            if m and is_upper_title(m.group("title")):
                out.append(Para(m.group("title"), p.loc, in_table=p.in_table))
                out.append(Para(m.group("name"), p.loc, in_table=p.in_table))
            else:
                out.append(Para(piece, p.loc, in_table=p.in_table))
    return out


def _parse_signature(paras: list[Para], k: int, dec: Decision) -> int:
    """'TM. ỦY BAN NHÂN DÂN' / 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH' / (signature) / 'Nguyễn Văn A'.

    Returns the index of the first paragraph after the block."""
    signer = Signer(loc=paras[k].loc)
    titles: list[str] = []
    consumed_loc = paras[k].loc
    for p in _signature_lines(paras, k):
        t = p.text
        m = _AUTHORITY.match(t)
        if m:
            auth = m.group("auth").replace("/", "").upper() + "."
            rest = m.group("rest").strip()
            if auth == "TM.":
                signer.authority = signer.authority or "TM."
                signer.on_behalf_of = rest
            else:
                signer.authority = auth
                # "KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG" run together: the head's title, then the deputy's
                head, sep, deputy = rest.partition(" PHÓ ")
                titles.extend([head, "PHÓ " + deputy] if sep else [rest])
        elif _SIGNED.search(t) or t.startswith("("):
            pass
        elif is_upper_title(t) and len(t) < 60:
            titles.append(t)
        elif _NAME.match(t):
            signer.name = t
            consumed_loc = p.loc
            break
        else:
            break
        consumed_loc = p.loc
    if titles:
        signer.title = position_title(titles[-1])
    signer.loc = Loc(paras[k].loc.start, consumed_loc.end, paras[k].loc.line, paras[k].loc.page)
    dec.signer = signer
    j = k
    while j < len(paras) and paras[j].loc.start <= consumed_loc.start:
        j += 1
    return j


def _complete_signer(dec: Decision, lines: list[Para]) -> None:
    """Signature lines that a two-column layout interleaved with the recipients."""
    s = dec.signer
    if s is None:
        return
    for p in lines:
        t = p.text
        if s.title is None and is_upper_title(t) and not _AUTHORITY.match(t):
            s.title = position_title(t)
        elif s.name is None and _NAME.match(t) and not is_upper_title(t):
            s.name = t


def _starts_attachment(paras: list[Para], k: int) -> bool:
    t = paras[k].text.strip()
    tl = match_type_line(t)
    if not tl or tl.type not in ATTACHMENT_KINDS or paras[k].in_table:
        return False
    # an attachment's opening is followed, within a few lines, by its caption
    for q in paras[k + 1 : k + 5]:
        if parse_caption(q):
            return True
    return tl.type == "PHỤ LỤC"


def _parse_attachment(paras: list[Para], start: int, end: int, src: SourceDocument) -> Attachment:
    head = paras[start]
    tl = match_type_line(head.text.strip())
    assert tl is not None
    kind = DOC_TYPES[tl.type]
    label = f"{kind} {tl.label}" if tl.label else None
    title = tl.rest
    caption = None
    j = start + 1
    while j < min(end, start + 5):
        cap = parse_caption(paras[j])
        if cap:
            caption = cap
            j += 1
            break
        if not title or (is_upper_title(paras[j].text) and not title.isupper()) or is_upper_title(paras[j].text):
            title = (title + " " + paras[j].text).strip() if title else paras[j].text
        j += 1
    att = Attachment(kind=kind, title=title, label=label, caption=caption, first_line=head.loc.line, loc=head.loc)
    att.plan_year = _year_of(title)
    att.period = _period_of(title)
    secs, areas = _headings(paras, j, end)
    att.sections = secs
    att.areas = areas
    return att


def _year_of(text: str | None) -> int | None:
    if not text:
        return None
    m = _YEAR.search(text)
    return int(m.group("year")) if m else None


def _period_of(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    m = _PERIOD.search(text)
    return (int(m.group("a")), int(m.group("b"))) if m else None


def _headings(paras: list[Para], start: int, end: int) -> tuple[list[Heading], list[Heading]]:
    """Roman sections, and the numbered areas of the section that holds the tasks.

    An area heading is short ("1. Cải cách thể chế"), not a numbered sentence
    ("1. Các sở ... trước ngày 31/12/2020.").
    """
    sections: list[Heading] = []
    areas_by_section: dict[int, list[Heading]] = {}
    for p in paras[start:end]:
        if p.in_table:
            continue
        t = p.text.strip()
        if (m := _ROMAN.match(t)) and is_upper_title(m.group("title")):
            sections.append(Heading("section", m.group("num"), m.group("title").strip(), p.loc))
            continue
        if (m := _AREA.match(t)) and _is_heading_text(m.group("title")):
            areas_by_section.setdefault(len(sections) - 1, []).append(Heading("area", m.group("num"), m.group("title").strip().rstrip(":"), p.loc))
    task_sec = next((i for i, s in enumerate(sections) if "NHIỆM VỤ" in s.title.upper()), None)
    if task_sec is None:
        task_sec = max(areas_by_section, key=lambda s: len(areas_by_section[s]), default=None)
    areas = areas_by_section.get(task_sec, []) if task_sec is not None else []
    all_areas = [a for s in sorted(areas_by_section) for a in areas_by_section[s]]
    return sections, areas if areas else all_areas


def _is_heading_text(title: str) -> bool:
    t = title.strip()
    return len(t) <= 120 and len(t.split()) <= 16 and not t.endswith((".", ";", ",")) and t[:1].isupper()


def block_headings(paras: list[Para], start_line: int, end_line: int) -> list[tuple[Heading, Para]]:
    """The a)/b) blocks ("a) Chỉ tiêu", "b) Nhiệm vụ:") between two lines."""
    out = []
    for p in paras:
        if p.loc.line is None or not (start_line <= p.loc.line <= end_line) or p.in_table:
            continue
        m = _BLOCK.match(p.text.strip())
        if m and _is_heading_text(m.group("title").rstrip(":")):
            out.append((Heading("block", m.group("num"), m.group("title").strip().rstrip(":"), p.loc), p))
    return out


def find_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations the text defines: 'cải cách hành chính (CCHC)' -> {'CCHC': 'cải cách hành chính'}.

    The words before the parenthesis whose initials spell the abbreviation, or,
    for a foreign abbreviation ("Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)"),
    the words back to the capitalised word that opens the name.
    """
    found: dict[str, str] = {}
    seen: set[str] = set()
    for m in re.finditer(r"\(([A-ZĐ][A-ZĐ&]{1,9}(?:\s[A-Z][a-zA-Z]{1,9})?)\)", text):
        abbr = m.group(1)
        if abbr.lower() in seen:
            continue
        before = text[max(0, m.start() - 160) : m.start()].split("\n")[-1]
        words = re.findall(r"[\wÀ-ỹ&]+", before)
        if not words:
            continue
        letters = [c for c in strip_diacritics(abbr).upper() if c.isalpha()]
        phrase = None
        k = len(letters)
        if " " not in abbr and 1 < k <= len(words):
            cand = words[-k:]
            if [strip_diacritics(w)[:1].upper() for w in cand] == letters:  # a "word" of marks only folds to ""
                phrase = " ".join(cand)
        if phrase is None:
            for back in range(1, min(len(words), 10) + 1):
                w = words[-back]
                if w[:1].isupper() and not w.isupper():
                    phrase = " ".join(words[-back:])
                    break
        if phrase:
            found[abbr] = phrase
            seen.add(abbr.lower())
    return found
