"""The parts of a document's form (thể thức) that the `format` rules judge, found in its text,
and how each part looks where the file records it.

`form_of(dec)` reads the document as a clerk checks a draft: the header above the type line
(Quốc hiệu and Tiêu ngữ, or the Party's "ĐẢNG CỘNG SẢN VIỆT NAM"; the issuing organ; "Số:";
the place-and-date line), the type line ("QUYẾT ĐỊNH") and the subject under it, each
signature block ("TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH") and the recipients
("Nơi nhận:" and its dashes). It also decides which presentation rules govern the document:

- `hd36`: a Party document (the title "ĐẢNG CỘNG SẢN VIỆT NAM", or a Party symbol "Số 15-HD/TU"),
  from Hướng dẫn 36-HD/VPTW's date on;
- `nd30`: an administrative document of a State body (the Quốc hiệu in its header), dated from
  Nghị định 30/2020/NĐ-CP's entry into force (05/3/2020) or undated (a draft);
- none: the rest, and why: no header of either kind, both kinds, a legal normative document
  (a year in its symbol: its form is set by the law on legal documents, not by NĐ 30), a date
  before the rules, or a document read by OCR (only the type code and the signing authority
  are judged on OCR text, whose letters and digits may be misread).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from vanban.model import Decision, Loc, TextStyle
from vanban.normalize.fold import upper_key
from vanban.normalize.lines import _pieces as _line_pieces
from vanban.normalize.lines import is_upper_title, match_type_line
from vanban.corpus import table as corpus_table
from vanban.normalize.dates import YEAR

#: lines of the document read for the header when no type line is found
HEADER_LINES = 14


@dataclass(slots=True)
class Piece:
    """A line of the document cut at tabs and decoration rules: what a reader sees as one line."""

    text: str
    loc: Loc

    @property
    def folded(self) -> str:
        return upper_key(self.text)


@dataclass
class Form:
    regime: str | None  # "nd30", "hd36" or None
    why: str = ""  # when regime is None: why no presentation rules apply
    ocr: bool = False
    header: list[Piece] = field(default_factory=list)
    national_title: Piece | None = None
    motto: Piece | None = None
    party_title: Piece | None = None
    issuer: list[Piece] = field(default_factory=list)
    number: Piece | None = None
    date_line: Piece | None = None
    title: Piece | None = None
    subject: list[Piece] = field(default_factory=list)
    signatures: list[list[Piece]] = field(default_factory=list)
    recipients_label: Piece | None = None
    recipients: list[Piece] = field(default_factory=list)


# --------------------------------------------------------------------------- facts


def facts(regime: str) -> dict[tuple[str, str], str]:
    """(element, property) -> value of `corpus/format_rules.tsv` for a regime."""
    return {(r["element"], r["property"]): r["value"] for r in corpus_table("format_rules.tsv") if r["set"] == regime}


def source(regime: str, element: str, prop: str) -> str:
    """Where a fact comes from: 'NĐ 30/2020/NĐ-CP, Phụ lục I, Phần I, Mục I, khoản 3'."""
    for r in corpus_table("format_rules.tsv"):
        if (r["set"], r["element"], r["property"]) == (regime, element, prop):
            src = r["source"]
            return src if src.startswith(("NĐ", "HD")) else f"NĐ 30/2020/NĐ-CP, {src}"
    return ""


def span(value: str) -> tuple[float, float]:
    """'20-25' -> (20.0, 25.0); '20' -> (20.0, 20.0)."""
    lo, _, hi = value.partition("-")
    return float(lo), float(hi or lo)


# --------------------------------------------------------------------------- pieces


def pieces(dec: Decision, first_line: int = 1, last_line: int | None = None) -> list[Piece]:
    """The pieces of lines `first_line`..`last_line` of the document's text, in order."""
    out: list[Piece] = []
    text = dec.text
    pos = 0
    line = 1
    while pos <= len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if line >= first_line:
            if last_line is not None and line > last_line:
                break
            for piece, off in _line_pieces(text[pos:end], pos):
                stripped = piece.strip()
                if stripped:
                    off += len(piece) - len(piece.lstrip())
                    out.append(Piece(stripped, Loc(off, off + len(stripped), line)))
        pos = end + 1
        line += 1
    return out


_NATIONAL = "CONG HOA XA HOI CHU NGHIA VIET NAM"
_PARTY = "DANG CONG SAN VIET NAM"
_NUMBER = re.compile(r"^(?:Số|SỐ|số)\s*(?::|\.|\s)?\s*(?=[\d/.…_\s-]|$)")
_PARTY_SYMBOL = re.compile(r"^(?:Số|SỐ)\s*:?\s*\d*\s*-\s*[A-ZĐ][A-Za-zĐđ]*\s*/\s*[A-ZĐ]")
_DATE_LINE = re.compile(
    r"^(?P<place>[^,\d]{2,60}?)\s*,?\s*(?P<ngay>ngày|Ngày|NGÀY)\s+(?P<d>\S*?)\s*(?P<thang>tháng|THÁNG)\s+(?P<m>\S*?)\s*"
    r"(?:năm|NĂM)\s+(?P<y>\S*)"
)
_AUTHORITY = re.compile(r"^(?P<auth>TUQ\.?|T\.?M\.?|T/M|K\.?T\.?|K/T|T\.?L\.?|T/L|Q\.)\s*(?P<rest>\S.*)$")
def _title_index(ps: list[Piece]) -> int | None:
    for i, p in enumerate(ps[:45]):
        tl = match_type_line(p.text)
        if tl and not tl.rest.startswith(":") and tl.type != "PHỤ LỤC" and not _NUMBER.match(p.text):
            if p.text.upper() == p.text and len(p.text) > 60 and tl.type not in ("KẾ HOẠCH", "QUYẾT ĐỊNH"):
                continue
            return i
    return None


def _read_header(form: Form, header: list[Piece]) -> None:
    form.header = header
    for p in header:
        f = p.folded
        if form.national_title is None and _NATIONAL in f:
            form.national_title = p
            if "DOC LAP" in f and "HANH PHUC" in f:
                form.motto = p  # one line in the file (a flattened page)
        elif form.party_title is None and f.strip("* ") == _PARTY:
            form.party_title = p
        elif form.motto is None and "DOC LAP" in f and "HANH PHUC" in f:
            form.motto = p
        elif form.number is None and _NUMBER.match(p.text) and ("/" in p.text or "-" in p.text):
            form.number = p
        elif form.date_line is None and _DATE_LINE.match(p.text):
            form.date_line = p
    # the issuing organ: the capitals above "Số" (or above the title), other than the titles
    stop = header.index(form.number) if form.number in header else len(header)
    taken = {id(x) for x in (form.national_title, form.motto, form.party_title, form.date_line) if x is not None}
    for p in header[:stop]:
        if id(p) in taken or sum(ch.isalpha() for ch in p.text) < 3:
            continue
        if len(p.text) > 120 or p.text.startswith(("V/v", "Về việc", "Kính gửi")):
            break
        form.issuer.append(p)


def _regime(dec: Decision, form: Form) -> tuple[str | None, str]:
    party = form.party_title is not None or (form.number is not None and _PARTY_SYMBOL.match(form.number.text))
    state = form.national_title is not None
    if party and state:
        return None, "the header has both the Quốc hiệu and Party marks"
    if not party and not state:
        return None, "no Quốc hiệu or Party title in the header: not a document of either kind"
    regime = "hd36" if party else "nd30"
    if regime == "nd30":
        if (dec.number and re.match(rf"^\d+[a-zA-Z]?/{YEAR}/", dec.number)) or dec.type in _NORMATIVE_KINDS:
            return None, "a legal normative document (a year in its symbol): its form is not set by NĐ 30/2020"
        if not _nd30_kind(dec, form):
            return None, "not one of the kinds of administrative document of NĐ 30/2020, Điều 7"
    start = facts(regime).get(("scope", "from"), "")
    when = _when(dec, form)
    if start and when is not None and when < start:
        return None, f"dated {when}, before {start}, when the rules of {'NĐ 30/2020' if regime == 'nd30' else 'HD 36'} began"
    return regime, ""


#: kinds whose form the law on legal normative documents sets, not NĐ 30 (Thông tư, Nghị định, Luật ...)
_NORMATIVE_KINDS = frozenset({"Luật", "Nghị định", "Thông tư", "Thông tư liên tịch", "Pháp lệnh", "Lệnh"})


def _nd30_kind(dec: Decision, form: Form) -> bool:
    """A kind NĐ 30/2020 (Điều 7) lists, by the type line; without one, a công văn: its subject
    follows "V/v" under the number (Phụ lục I, Phần I, Mục II, khoản 5 điểm b)."""
    if form.title is not None:
        return dec.type in {r["kind"] for r in corpus_table("doc_types.tsv") if r["set"] == "nd30"}
    return any(p.text.startswith(("V/v", "V/V")) for p in form.header)


def _when(dec: Decision, form: Form) -> str | None:
    """The document's date (ISO), or for an undated one (a draft) the year of its date line, or of
    the latest document it cites (a document is not older than what it cites), as '<year>-12-31';
    None when nothing tells (a draft citing nothing: judged as written today)."""
    if dec.date:
        return dec.date
    if form.date_line is not None:
        m = _DATE_LINE.match(form.date_line.text)
        if m and m.group("y")[:4].isdigit():
            return f"{m.group('y')[:4]}-12-31"
    years = [c.year or int(c.date[:4]) for c in dec.citations if c.year or c.date]
    if years:
        return f"{max(years)}-12-31"
    return "1999-12-31" if dec.encoding in ("tcvn3", "vni") else None


def _signatures(ps: list[Piece], start: int) -> list[list[Piece]]:
    """Each signature block: its authority line and the capital lines under it (titles), then the name."""
    out: list[list[Piece]] = []
    i = start
    while i < len(ps):
        p = ps[i]
        m = _AUTHORITY.match(p.text)
        if not (m and is_upper_title(m.group("rest")) and len(p.text) < 90):
            i += 1
            continue
        block = [p]
        j = i + 1
        while j < len(ps) and len(block) < 4:
            t = ps[j].text
            if _AUTHORITY.match(t) and is_upper_title(t):
                block.append(ps[j])
            elif is_upper_title(t) and len(t) < 60 and not t.startswith(("-", "+")):
                block.append(ps[j])
            elif t.startswith(("(", "[")):
                pass  # "(Đã ký)", "(ký, ghi rõ họ tên)"
            else:
                break
            j += 1
        out.append(block)
        i = j
    return out


def _recipients(form: Form, ps: list[Piece], start: int) -> None:
    for i in range(start, len(ps)):
        p = ps[i]
        if p.folded.startswith("NOI NHAN") and (len(p.folded) <= 10 or p.folded[8:].lstrip().startswith(":")):
            form.recipients_label = p
            last_line = (p.loc.line or 0) + 30
            for q in ps[i + 1 :]:
                if (q.loc.line or 0) > last_line or match_type_line(q.text):
                    break
                if q.text.startswith(("-", "+", "•")) or q.folded.startswith("LUU"):
                    form.recipients.append(q)
            return


_CACHE: list[tuple[Decision, Form]] = []


def form_of(dec: Decision) -> Form:
    """The document's form (cached for the last document: every format rule asks for it)."""
    if _CACHE and _CACHE[0][0] is dec:
        return _CACHE[0][1]
    form = _read_form(dec)
    _CACHE[:] = [(dec, form)]
    return form


def _read_form(dec: Decision) -> Form:
    ps = pieces(dec, 1, 80)
    t = _title_index(ps)
    if t is not None and (ps[t].loc.line or 0) > 40:
        t = None
    header = ps[:t] if t is not None else [p for p in ps if (p.loc.line or 0) <= HEADER_LINES]
    form = Form(regime=None, ocr=dec.ocr)
    _read_header(form, header)
    if t is not None:
        form.title = ps[t]
        if dec.subject_loc is not None and dec.subject_loc.start >= ps[t].loc.end:
            form.subject = [p for p in ps[t + 1 : t + 8] if p.loc.start < dec.subject_loc.end and p.loc.end > dec.subject_loc.start]
    form.regime, form.why = _regime(dec, form)
    if form.regime is None:
        return form
    body = pieces(dec, 1, _own_part_end(dec))
    start = next((i for i, p in enumerate(body) if form.title is not None and p.loc.start >= form.title.loc.end), 0)
    form.signatures = _signatures(body, start)
    _recipients(form, body, start)
    return form


def _own_part_end(dec: Decision) -> int | None:
    """The last line of the document's own part (before any attached plan or appendix)."""
    return dec.parts[0][2] if dec.parts else None


def all_signatures(dec: Decision) -> list[list[Piece]]:
    """Every signature block of the whole file, attachments included (for the signing-authority errors)."""
    return _signatures(pieces(dec), 0)


# --------------------------------------------------------------------------- looks


class Looks:
    """The text styles of a Word document, looked up by where a piece is."""

    def __init__(self, dec: Decision):
        self.styles: list[TextStyle] = list(dec.layout.styles) if dec.layout is not None else []
        self.starts = [s.loc.start for s in self.styles]

    def __bool__(self) -> bool:
        return bool(self.styles)

    def of(self, p: Piece) -> TextStyle | None:
        i = bisect.bisect_right(self.starts, p.loc.start) - 1
        if i >= 0 and self.styles[i].loc.start <= p.loc.start < max(self.styles[i].loc.end, self.styles[i].loc.start + 1):
            return self.styles[i]
        return None
