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
from dataclasses import dataclass

from vanban.model import Attachment, Caption, Decision, Heading, Loc, Signer, SourceDocument, TextValue
from vanban.normalize.fold import strip_diacritics

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

_TYPE_LINE = re.compile(
    r"^(?P<type>" + "|".join(sorted(map(re.escape, DOC_TYPES), key=len, reverse=True)) + r")"
    r"(?P<label>\s+(?:[IVXLC]+|\d+|SỐ\s+\d+)\b)?\s*(?P<rest>.*)$"
)
_NUMBER_LINE = re.compile(r"^\s*Số\s*:?\s*(?P<symbol>[^\s,;]*(?:\s*/\s*[^\s,;]+)*)", re.IGNORECASE)
_CAPTION = re.compile(
    r"^\(?\s*(?:Ban hành\s+)?(?:kèm|Kèm|KÈM)\s+theo\s+(?P<body>.+?)\)?\s*$", re.DOTALL
)
_SYMBOL = re.compile(
    r"(?P<symbol>\d+[a-zA-Z]?(?:\.\d+)?\s*(?:/\s*\d{4})?\s*/\s*[A-ZĐÐa-zđ][\wĐđÐ&]*(?:\s*[-/]\s*[A-ZĐÐ][\wĐđÐ&]*)*"
    r"|\d+-[A-ZĐ][\wĐđ]*/[A-ZĐ][\wĐđ-]*)"
)
_BLANK_SYMBOL = re.compile(r"^\s*/\s*\d{0,4}/?[A-ZĐ]")  # "Số:      /KH-UBND": a draft with the number left blank
_ROMAN = re.compile(r"^(?P<num>[IVXLC]+)\s*[.)-]\s*(?P<title>\S.*)$")
_AREA = re.compile(r"^(?P<num>\d{1,2})\s*[.)]\s*(?P<title>\S.*)$")
_BLOCK = re.compile(r"^(?P<num>[a-zđ])\s*\)\s*(?P<title>\S.*)$")
_ARTICLE = re.compile(r"^Điều\s+(?P<num>\d+)\s*[.:]?\s*(?P<title>.*)$")
_CHAPTER = re.compile(r"^(?:Chương|CHƯƠNG)\s+(?P<num>[IVXLC]+|\d+)\b\.?\s*(?P<title>.*)$")
_AUTHORITY = re.compile(r"^(?P<auth>TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*[.]?\s+(?P<rest>.+)$")
_FORMULA = re.compile(r"^(QUYẾT ĐỊNH|QUYẾT NGHỊ|CHỈ THỊ|NGHỊ ĐỊNH)\s*:\s*$")
_PLACE_DATE = re.compile(r"^(?P<place>[^,\d]{2,40}),\s*ngày\s+(?P<date>.+?năm\s+\d{4})", re.IGNORECASE)
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


def paragraphs(src: SourceDocument) -> list[Para]:
    """The non-empty paragraphs, with the text of table cells before the first
    heading (header tables, signature tables) split into lines of their own."""
    out: list[Para] = []
    for block in src.blocks:
        if block.kind == "paragraph":
            for i, piece in enumerate(block.text.split("\n")):
                if piece.strip():
                    off = block.loc.start + sum(len(p) + 1 for p in block.text.split("\n")[:i])
                    out.append(Para(piece.strip(), Loc(off, off + len(piece), (block.loc.line or 0) + i, block.loc.page), block.bold))
        elif block.kind == "table":
            for row in block.rows:
                for cell in row.cells:
                    if not cell.text.strip():
                        continue
                    off = cell.loc.start
                    for piece in cell.text.split("\n"):
                        if piece.strip():
                            out.append(Para(piece.strip(), Loc(off, off + len(piece), cell.loc.line, cell.loc.page), in_table=True))
                        off += len(piece) + 1
    return out


def is_upper_title(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def sentence_case_organ(text: str, place: str | None = None) -> str:
    """'ỦY BAN NHÂN DÂN TỈNH' -> 'Ủy ban nhân dân tỉnh' (+ ' Thừa Thiên Huế' when known)."""
    t = " ".join(text.split())
    if is_upper_title(t):
        low = t.lower()
        # proper names after "tỉnh"/"thành phố" keep capitals
        m = re.search(r"\b(tỉnh|thành phố|huyện|xã|phường|quận|thị xã)\s+(.+)$", low)
        if m:
            name = " ".join(w.capitalize() for w in m.group(2).split())
            low = low[: m.start(2)] + name
        t = low[0].upper() + low[1:]
        t = re.sub(r"\bbộ\s+(\w)", lambda mm: "Bộ " + mm.group(1).upper(), t)
    if place and t.lower().endswith(("tỉnh", "thành phố")):
        t = f"{t} {place}"
    return t


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
        if dec.issuer is None and i < n and is_upper_title(paras[i].text) and not _FORMULA.match(paras[i].text):
            dec.issuer = sentence_case_organ(paras[i].text)
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
            while k < n and paras[k].text.lstrip().startswith(("-", "–", "+", "•")):
                dec.recipients.append(TextValue(_trim_end(_strip_bullet(paras[k].text)), paras[k].loc))
                k += 1
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
    dec.parts.append(("decision", 1, (first_attach_line or last_line + 1) - 1))
    for j, att in enumerate(dec.attachments):
        nxt = dec.attachments[j + 1].first_line if j + 1 < len(dec.attachments) else last_line + 1
        att.last_line = (nxt or last_line + 1) - 1
        part = "appendix" if att.kind == "Phụ lục" else "plan"
        dec.parts.append((part, att.first_line or 1, att.last_line))

    # The document's own headings (when it is itself a plan, not a decision with one).
    if not dec.attachments:
        secs, areas = _headings(paras, i, body_end)
        dec.headings = secs + areas
    if dec.type in ("Kế hoạch", "Chương trình") or (dec.attachments and dec.attachments[0].kind != "Phụ lục"):
        years = [a.plan_year for a in dec.attachments if a.plan_year] or [_year_of(dec.subject)]
        dec.plan_year = next((y for y in years if y), None)
        periods = [a.period for a in dec.attachments if a.period] or [_period_of(dec.subject)]
        dec.period = next((p for p in periods if p), None)
    return paras


def _parse_subject(paras: list[Para], title_idx: int, dec: Decision) -> int:
    """The subject ("trích yếu") on the type line or the lines under it; returns the next index."""
    m = _TYPE_LINE.match(paras[title_idx].text)
    rest = m.group("rest").strip() if m else ""
    parts: list[Para] = []
    i = title_idx + 1
    if rest and not rest.startswith(":"):
        parts.append(Para(rest, paras[title_idx].loc))
    else:
        while i < len(paras) and len(parts) < 3:
            p = paras[i]
            t = p.text
            if (
                t.startswith(("Căn cứ", "Theo đề nghị", "("))
                or _FORMULA.match(t)
                or _ARTICLE.match(t)
                or _AUTHORITY.match(t)
                or (is_upper_title(t) and not t.upper().startswith(("VỀ ", "V/V")))
            ):
                break
            parts.append(p)
            i += 1
    if parts:
        dec.subject = " ".join(p.text for p in parts)
        first, last = parts[0].loc, parts[-1].loc
        dec.subject_loc = Loc(first.start, last.end, first.line, first.page)
    return i


def _find_title(paras: list[Para]) -> int | None:
    for idx, p in enumerate(paras[:40]):
        t = p.text.strip()
        if _FORMULA.match(t):
            continue
        m = _TYPE_LINE.match(t)
        if m and is_upper_title(m.group("type")) and (not m.group("rest") or not m.group("rest").startswith(":")):
            if t.upper() == t and len(t) > 60 and m.group("type") not in ("KẾ HOẠCH", "QUYẾT ĐỊNH"):
                continue
            return idx
    return None


def _parse_header(paras: list[Para], title_idx: int | None, dec: Decision) -> None:
    stop = title_idx if title_idx is not None else min(len(paras), 12)
    issuer_lines: list[Para] = []
    for p in paras[:stop]:
        t = p.text
        if dec.number is None and (m := _NUMBER_LINE.match(t)):
            sym = m.group("symbol")
            if _BLANK_SYMBOL.match(t.split(":", 1)[-1]) or not re.match(r"\s*\d", t.split(":", 1)[-1] if ":" in t else t[2:]):
                dec.notes.append("the number is left blank (a draft)")
            else:
                dec.number = _symbol_in(t) or sym
                dec.number_loc = p.loc
                dec.number_from = "header"
            continue
        if dec.date is None and (m := _PLACE_DATE.match(t)):
            dv = parse_date_text(t)
            dec.place = m.group("place").strip()
            if dv is not None:
                dec.date = dv.iso
                dec.date_loc = p.loc
            continue
        if "CỘNG HÒA" in t.upper() or "CỘNG HOÀ" in t.upper() or "Độc lập" in t or "ĐỘC LẬP" in t or set(t) <= set("-_* "):
            continue
        if is_upper_title(t) and len(t) < 90:
            issuer_lines.append(p)
    if title_idx is not None:
        m = _TYPE_LINE.match(paras[title_idx].text)
        if m:
            dec.type = DOC_TYPES[m.group("type")]
    if issuer_lines:
        # the issuing organ: the top-left block, from its organ word on (a superior
        # organ may stand above it: "BỘ NỘI VỤ" / "VỤ CẢI CÁCH HÀNH CHÍNH")
        starts = [i for i, p in enumerate(issuer_lines) if p.text.upper().startswith(_ORGAN_WORDS)]
        block = issuer_lines[starts[-1] if starts else 0 :]
        dec.issuer = sentence_case_organ(" ".join(p.text for p in block))
        dec.issuer_loc = Loc(block[0].loc.start, block[-1].loc.end, block[0].loc.line, block[0].loc.page)


def _split_bases(text: str) -> list[str]:
    pieces = [p.strip() for p in re.split(r";\s*(?=(?:Luật|Bộ luật|Nghị định|Nghị quyết|Thông tư|Quyết định|Chỉ thị|Pháp lệnh|Kế hoạch|Văn bản|Công văn)\b)", text)]
    return [_trim_end(p) for p in pieces if p]


def _parse_signature(paras: list[Para], k: int, dec: Decision) -> int:
    """'TM. ỦY BAN NHÂN DÂN' / 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH' / (blank) / 'Nguyễn Văn A'."""
    signer = Signer(loc=paras[k].loc)
    n = len(paras)
    titles: list[str] = []
    j = k
    while j < n and j < k + 8:
        t = paras[j].text.strip()
        m = _AUTHORITY.match(t)
        if m:
            auth = m.group("auth").replace("/", "").upper() + "."
            rest = m.group("rest").strip()
            if auth == "TM.":
                signer.authority = signer.authority or "TM."
                signer.on_behalf_of = rest
            else:
                signer.authority = auth
                titles.append(rest)
            j += 1
            continue
        if is_upper_title(t) and len(t) < 40 and not _NAME.match(t.title()) or t.upper() in ("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "BỘ TRƯỞNG", "THỦ TƯỚNG"):
            titles.append(t)
            j += 1
            continue
        if _NAME.match(t) and not is_upper_title(t):
            signer.name = t
            signer.loc = Loc(paras[k].loc.start, paras[j].loc.end, paras[k].loc.line, paras[k].loc.page)
            j += 1
            break
        if "(Đã ký)" in t or "đã ký" in t.lower() or t.startswith("("):
            j += 1
            continue
        break
    if titles:
        title = titles[-1]
        signer.title = title[:1].upper() + title[1:].lower()
    dec.signer = signer
    return j


def _starts_attachment(paras: list[Para], k: int) -> bool:
    t = paras[k].text.strip()
    m = _TYPE_LINE.match(t)
    if not m or m.group("type") not in ATTACHMENT_KINDS or paras[k].in_table:
        return False
    # an attachment's opening is followed, within a few lines, by its caption
    for q in paras[k + 1 : k + 5]:
        if parse_caption(q):
            return True
    return m.group("type") == "PHỤ LỤC" and is_upper_title(m.group("type"))


def _parse_attachment(paras: list[Para], start: int, end: int, src: SourceDocument) -> Attachment:
    head = paras[start]
    m = _TYPE_LINE.match(head.text.strip())
    assert m is not None
    kind = DOC_TYPES[m.group("type")]
    label = (kind + m.group("label")) if m.group("label") else None
    title = m.group("rest").strip()
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
            if [strip_diacritics(w)[0].upper() for w in cand] == letters:
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
