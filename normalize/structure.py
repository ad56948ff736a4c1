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

from vanban.model import Attachment, Caption, Heading, Loc, SourceDocument, TextValue
from vanban.normalize.found import Structure
from vanban.normalize.fold import strip_diacritics
from vanban.normalize.header import (  # noqa: F401  (issuer_name, symbol_is_plausible: part of this module's API)
    _is_organ_line,
    _symbol_in,
    find_province,
    gazette_heading,
    is_gazette_heading,
    issuer_name,
    parse_date_text,
    parse_cong_van,
    parse_header,
    symbol_is_plausible,
)
from vanban.normalize.lines import (  # noqa: F401  (re-exported: other stages import them from here)
    ATTACHMENT_KINDS,
    BASIS_KINDS,
    DOC_TYPES,
    Para,
    TypeLine,
    _strip_bullet,
    _trim_end,
    is_upper_title,
    match_type_line,
    paragraphs,
)
from vanban.normalize.signer import _AUTHORITY, parse_recipients, parse_signature, position_title, signs_here  # noqa: F401
from vanban.normalize.dates import YEAR
from vanban.normalize.numerals import ROMAN

_CAPTION = re.compile(
    r"^\(?\s*(?:Ban hành\s+)?(?:kèm|Kèm|KÈM)\s+theo\s+(?P<body>.+?)\)?\s*$", re.DOTALL
)
_ROMAN = re.compile(rf"^(?P<num>{ROMAN})\s*[.)-]\s*(?P<title>\S.*)$")
_AREA = re.compile(r"^(?P<num>\d{1,2})\s*[.)]\s*(?P<title>\S.*)$")
_ARTICLE = re.compile(r"^Điều\s+(?P<num>\d+)\s*[.:]?\s*(?P<title>.*)$")
_CHAPTER = re.compile(rf"^(?:Chương|CHƯƠNG)\s+(?P<num>{ROMAN}|\d+)\b\.?\s*(?P<title>.*)$")
_FORMULA = re.compile(r"^(QUYẾT ĐỊNH|QUYẾT NGHỊ|CHỈ THỊ|NGHỊ ĐỊNH)\s*:\s*$")
_YEAR = re.compile(rf"\bnăm\s+(?P<year>{YEAR})\b", re.IGNORECASE)
_PERIOD = re.compile(rf"giai đoạn\s+(?P<a>{YEAR})\s*[-–]\s*(?P<b>{YEAR})", re.IGNORECASE)
_EFFECTIVE = re.compile(r"có hiệu lực(?:\s+thi hành)?\s+(?P<when>(?:kể\s+)?từ\s+ngày\s+(?:ký(?:\s+ban hành)?|[^.;]+))", re.IGNORECASE)


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


def parse_structure(src: SourceDocument) -> Structure:
    """What the document's paragraphs give: header, subject, body, signature, attachments, parts,
    headings, plan year and period (`Structure`; `normalize()` sets it on the Decision)."""
    st = Structure.of(src, paragraphs(src))
    title_idx = _find_title(st.paras)
    parse_header(st.paras, title_idx, st, src.ocr_checked)
    i = read_heading(st, title_idx)
    if st.issuer and st.issuer.lower().endswith(("tỉnh", "thành phố")) and (place := find_province(src.text)):
        st.issuer = f"{st.issuer} {place}"
    attach_starts = read_body(st, i)
    for j, start in enumerate(attach_starts):  # each attachment runs to the next one
        end = attach_starts[j + 1] if j + 1 < len(attach_starts) else len(st.paras)
        st.attachments.append(_parse_attachment(st.paras, start, end, src))
    read_parts(st, attach_starts)
    body_end = attach_starts[0] if attach_starts else len(st.paras)
    read_plan(st, i, body_end)
    return st


def read_heading(st: Structure, title_idx: int | None) -> int:
    """The subject under the type line, a gazette heading's values, the authority line under the
    subject (or a Công văn's "V/v ..."); returns the index of the body's first paragraph."""
    paras = st.paras
    if title_idx is None:
        after = parse_cong_van(paras, st)
        return after if after is not None else 0
    i = _parse_subject(paras, title_idx, st)
    gazette_heading(st)
    if st.issuer is None and i < len(paras) and _is_organ_line(paras[i].text) and not _FORMULA.match(paras[i].text):
        st.issuer = issuer_name(paras[i].text)
        st.issuer_loc = paras[i].loc
        i += 1
    return i


def read_body(st: Structure, i: int) -> list[int]:
    """Legal bases, proposal, articles, recipients and signature from paragraph `i` on; returns where
    each attachment (a plan, an appendix) starts, after the signature."""
    paras, n = st.paras, len(st.paras)
    attach_starts: list[int] = []
    signature_seen = False
    k = i
    while k < n:
        p = paras[k]
        t = p.text
        if t.startswith("Căn cứ") and not st.articles:
            st.legal_bases.extend(TextValue(piece, p.loc) for piece in _split_bases(t[len("Căn cứ"):].strip()))
        elif t.startswith("Theo đề nghị") and not st.articles:
            st.proposed_by = TextValue(_trim_end(re.sub(r"^Theo đề nghị( của)?\s*", "", t)), p.loc)
        elif (m := _ARTICLE.match(t)) and not signature_seen:
            st.articles.append(Heading("dieu", m.group("num"), m.group("title").strip(), p.loc))
            if st.effective is None and (me := _EFFECTIVE.search(t)):
                st.effective = _trim_end(me.group("when"))
        elif m and not p.in_table:
            st.annex_articles.append(Heading("dieu", m.group("num"), m.group("title").strip(), p.loc))
        elif t.rstrip(": ").lower() in ("nơi nhận", "nơi gửi") or t.lower().startswith(("nơi nhận:", "nơi gửi:", "nơi nhận :")):
            k = parse_recipients(paras, k, st, _ARTICLE)
            signature_seen = signature_seen or st.signer is not None
            continue
        elif not signature_seen and (st.articles or st.type != "Quyết định") and (
            _AUTHORITY.match(t) or (k > i + 1 and signs_here(paras, k))
        ):
            k = parse_signature(paras, k, st)
            signature_seen = True
            continue
        elif signature_seen and _starts_attachment(paras, k):
            attach_starts.append(k)
        k += 1
    return attach_starts


def read_parts(st: Structure, attach_starts: list[int]) -> None:
    """Which lines belong to the document's own body, the plan, each appendix; each attachment's last line."""
    last_line = st.text.count("\n") + 1
    first_attach_line = st.paras[attach_starts[0]].loc.line if attach_starts else last_line + 1
    # the document's own body: a plan filed on its own is a plan, anything else the main text
    own = "plan" if st.type in ("Kế hoạch", "Chương trình", "Đề án", "Phương án") else ("appendix" if st.type == "Phụ lục" else "decision")
    st.parts.append((own, 1, (first_attach_line or last_line + 1) - 1))
    for j, att in enumerate(st.attachments):
        nxt = st.attachments[j + 1].first_line if j + 1 < len(st.attachments) else last_line + 1
        att.last_line = (nxt or last_line + 1) - 1
        part = "appendix" if att.kind == "Phụ lục" else "plan"
        st.parts.append((part, att.first_line or 1, att.last_line))


def read_plan(st: Structure, i: int, body_end: int) -> None:
    """The document's own headings (when it is itself a plan, not a decision with one attached), and the
    plan year and period of a plan (its attachments', or its subject's)."""
    if not any(a.kind != "Phụ lục" for a in st.attachments):
        secs, areas = _headings(st.paras, i, body_end)
        st.headings = secs + areas
    if st.type in ("Kế hoạch", "Chương trình") or (st.attachments and st.attachments[0].kind != "Phụ lục"):
        years = [a.plan_year for a in st.attachments if a.plan_year] or [_year_of(st.subject)]
        st.plan_year = next((y for y in years if y), None)
        periods = [a.period for a in st.attachments if a.period] or [_period_of(st.subject)]
        st.period = next((p for p in periods if p), None)


_SUBJECT_STOP = ("Căn cứ", "Theo đề nghị", "Xét đề nghị", "(", "Thực hiện", "Nhằm", "Để ", "Tiếp tục", "Kính gửi", "Trên cơ sở")


def _parse_subject(paras: list[Para], title_idx: int, dec: Structure) -> int:
    """The subject ("trích yếu") on the type line or the lines under it; returns the next index.

    It ends at a blank line, a decoration rule, the issuing authority's line
    ("ỦY BAN NHÂN DÂN TỈNH"), "Căn cứ ...", an introductory sentence ("Thực hiện
    ...", a line ending with ':') or after four lines.
    """
    tl = match_type_line(paras[title_idx].text) or match_type_line(paras[title_idx].text, any_case=True)
    rest = tl.rest if tl else ""
    parts: list[Para] = []
    i = title_idx + 1
    if rest.upper().startswith(("CỦA ", "CUA ")) and not is_gazette_heading(rest):
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


def _more_subject(paras: list[Para], i: int, parts: list[Para], dec: Structure) -> int:
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
        if _FORMULA.match(t):
            continue
        tl = match_type_line(t)
        if tl is None and idx < 12 and (low := match_type_line(t, any_case=True)) and (not low.rest or low.rest.lower().startswith("của ")):
            tl = low  # "quyết định của bộ trưởng bộ tài chính": a title whose capitals font was lost
        if p.in_table and not (idx < 10 and tl and not tl.rest and not tl.label):
            continue  # a table's cell, unless the type word alone in a header laid out as a table
        if tl and not tl.rest.startswith(":"):
            if t.upper() == t and len(t) > 60 and tl.type not in ("KẾ HOẠCH", "QUYẾT ĐỊNH"):
                continue
            return idx
    return None


_BASIS_BREAK = re.compile(rf";\s*(?=(?:{'|'.join(map(re.escape, BASIS_KINDS))})\b)")


def _split_bases(text: str) -> list[str]:
    """The pieces of a legal basis: a semicolon before a kind of `BASIS_KINDS` starts a new one."""
    pieces = [p.strip() for p in _BASIS_BREAK.split(text)]
    return [_trim_end(p) for p in pieces if p]


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
