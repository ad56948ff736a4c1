"""What a document says about other documents' force: the relations it states, with the sentence as
evidence, and its own effective date.

Normative documents state their relations themselves, in their effect article and their title:

- "Nghị định này có hiệu lực thi hành kể từ ngày 01 tháng 3 năm 2026 và thay thế Nghị định số
  110/2004/NĐ-CP" -> (this, replaces, 110/2004/NĐ-CP, 2026-03-01);
- "Bộ luật dân sự số 33/2005/QH11 hết hiệu lực kể từ ngày Bộ luật này có hiệu lực" -> (this,
  repeals, 33/2005/QH11, this document's effective date);
- "Bãi bỏ Điều 5 của Thông tư số ..." -> repeals_part; "Sửa đổi, bổ sung một số điều của ..."
  -> amends; "Quy định chi tiết một số điều của Luật ..." / "hướng dẫn thi hành ..." -> guides.

The subject is the document itself when the sentence says "[type] này" or is the document's title;
it is the document cited before the verb when there is one ("Căn cứ Nghị định số 107/2020/NĐ-CP ...
sửa đổi, bổ sung một số điều của Nghị định số 24/2014/NĐ-CP" is 107/2020 amends 24/2014). A verb
inside a cited name ("Luật sửa đổi, bổ sung một số điều của Luật ...") is part of the name, not a
statement. A list after a colon ("Bãi bỏ các văn bản sau: a) ...; b) ...") shares its verb.

National database pages (vbpl.vn) add "Ngày có hiệu lực", "Ngày hết hiệu lực" and "Tình trạng hiệu
lực": the reader keeps them in the notes ("vbpl.vn catalogue: ...").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from vanban.model import Citation, Decision, Loc, Relation
from vanban.normalize.dates import find_dates
from vanban.normalize.catalogue import property_pattern

#: the relations, in the words of relations.csv
RELATIONS = ("replaces", "repeals", "repeals_part", "amends", "guides")

#: the verbs of each relation; "hết hiệu lực" points back at what is named before it
_VERBS = re.compile(
    r"(?P<passive>được\s+)?(?:"
    r"(?P<replaces>thay\s+thế(?:\s+cho)?(?!\s+(?:các\s+)?(?:cụm\s+)?từ\b))"
    r"|(?P<repeals>bãi\s+bỏ|huỷ\s+bỏ|hủy\s+bỏ)"
    r"|(?P<expires>hết\s+hiệu\s+lực(?:\s+thi\s+hành)?|chấm\s+dứt\s+hiệu\s+lực)"
    r"|(?P<amends>sửa\s+đổi,?\s+bổ\s+sung|sửa\s+đổi|bổ\s+sung\s+(?:một\s+số\s+|các\s+)?(?:điều|khoản|điểm))"
    r"|(?P<guides>quy\s+định\s+chi\s+tiết|hướng\s+dẫn\s+(?:thi\s+hành|thực\s+hiện|chi\s+tiết)?)"
    r")(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
#: a word of every verb of _VERBS, looked for first (plain substring search)
_VERB_WORDS = ("thay", "bỏ", "hiệu", "sửa", "bổ", "chi", "hướng")
#: words between a repealing verb and its target that make the repeal partial
_PART = re.compile(r"\b(?:Điều|Khoản|khoản|điểm|Điểm|Chương|Mục|Phần|Phụ\s+lục|một\s+số|các\s+điều|cụm\s+từ)\b")
#: a label of the national database's property table, not a statement: "Ngày hết hiệu lực", "Tình trạng hiệu lực Hết hiệu lực"
_LABEL_BEFORE = re.compile(r"(?:Ngày|Tình\s+trạng\s+hiệu\s+lực:?)\s*$", re.IGNORECASE)
#: "Nghị định này", "Luật này", "Thông tư này": the stating document itself
_THIS = re.compile(
    r"\b(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+định|Nghị\s+quyết|Thông\s+tư(?:\s+liên\s+tịch)?|Quyết\s+định|Chỉ\s+thị"
    r"|Văn\s+bản|Lệnh|Quy\s+chế|Quy\s+định)\s+này\b"
)
#: the effective-date clause: "có hiệu lực (thi hành) (kể) từ ngày ..."
_EFFECT = re.compile(r"có\s+hiệu\s+lực(?:\s+thi\s+hành)?\s+(?:kể\s+)?từ\s+ngày\s+", re.IGNORECASE)
_SIGNED_DAY = re.compile(r"(?:ký|ban\s+hành)\b", re.IGNORECASE)
_FROM_THIS = re.compile(r"kể\s+từ\s+ngày\s+(?:[\wÀ-ỹ]+\s+){1,3}này\s+có\s+hiệu\s+lực", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]|[-–+•])\s*")
# a run of white space after ".", ";" or ":" before a capital or a digit; a line break; a tab (a tab parts the
# cells of a table row). Written to start with the white space it matches, so that the regex engine skips
# to white space (it is "(?<=[.;:])\s+(?=[A-ZĐÀ-Ỹ0-9])|\n|\t").
_SENTENCE_END = re.compile(r"\s(?:(?<=[.;:]\s)\s*(?=[A-ZĐÀ-Ỹ0-9])|(?<=\n)|(?<=\t))")
#: a line break that starts a new sentence: after ".", ";", ":", or before a list item or an article
_NEW_LINE = re.compile(r"(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]|[-–+•]|Điều\s+\d|Chương\s|Căn\s+cứ|Theo\s+đề\s+nghị|[A-ZĐ]{2,}\b)")


@dataclass(slots=True)
class _Sentence:
    start: int
    end: int
    text: str
    listed_verb: str | None = None  # the verb of the list this line is an item of


def sentences(text: str) -> Iterator[_Sentence]:
    """The sentences of a text (a line, or a part of one ending in "." or ";"), each with the verb of
    the list it belongs to ("Bãi bỏ các văn bản sau:" then "a) ...", "b) ...")."""
    listed: str | None = None
    pos = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        if m and m.group() == "\n" and not _breaks(text, m.start()):
            continue  # a line wrapped inside a sentence (PDF text)
        end = m.start() if m else len(text)
        piece = text[pos:end]
        if piece.strip():
            stripped = piece.strip()
            if listed and not _LIST_ITEM.match(piece):
                listed = None
            yield _Sentence(pos, end, piece, listed)
            if stripped.endswith(":"):
                # "Bãi bỏ các văn bản sau:", "Nghị định này thay thế các Nghị định sau đây:": a list of what
                # the document itself ends; the items of "... như sau:" after an amending verb are new text
                verbs = [v for v in _VERBS.finditer(piece) if not v.group("passive")]
                head = piece[: verbs[-1].start()] if verbs else ""
                ends = verbs and _kind(verbs[-1]) in ("replaces", "repeals", "expires") and not re.search(r"như\s+sau\s*:\s*$", piece)
                listed = _kind(verbs[-1]) if ends and (_THIS.search(head) or _LEAD.match(head)) else None
        pos = m.end() if m else len(text)


def _breaks(text: str, i: int) -> bool:
    """Whether the line break at i ends a sentence."""
    before = text[max(0, i - 3):i].rstrip()
    line = text[text.rfind("\n", 0, i) + 1:i]
    return (not before or before[-1] in ".;:!?" or bool(_NEW_LINE.match(text, i + 1)) or text.startswith("\n", i + 1)
            or line.isupper())  # a heading in capitals ends where its line does


def _kind(m: re.Match[str]) -> str:
    return next(k for k in ("replaces", "repeals", "expires", "amends", "guides") if m.group(k))


def effective_date(dec: Decision, sents: list[_Sentence] | None = None) -> str | None:
    """The ISO date the document takes effect: its "có hiệu lực ... từ ngày D" clause ("kể từ ngày
    ký" is its signing date), else the national database's "Ngày có hiệu lực". `sents`: the text's
    `sentences`, when the caller has them already."""
    for s in sentences(dec.text) if sents is None else sents:
        if not _THIS.search(s.text):
            continue
        m = _EFFECT.search(s.text)
        if not m:
            continue
        if _SIGNED_DAY.match(s.text, m.end()):
            return dec.date
        dates = [d for d in find_dates(s.text[m.end() - 5:m.end() + 40]) if d.iso]
        if dates:
            return dates[0].iso
    return catalogue(dec).get("effective")


_CATALOGUE_DATE = re.compile(r"Ngày (có|hết) hiệu lực:?\s*(\d{1,2}/\d{1,2}/\d{4})")
#: the property table of a national database page ("Tình trạng hiệu lực Hết hiệu lực toàn bộ\tNgày hết hiệu lực16/06/2025")
_PROPERTY = property_pattern(("Tình trạng hiệu lực", "Ngày có hiệu lực", "Ngày hết hiệu lực"))
_CATALOGUE_STATUS = re.compile(r"(Còn hiệu lực|Hết hiệu lực(?: một phần| toàn bộ)?|Chưa có hiệu lực|Ngưng hiệu lực(?: một phần| toàn bộ)?)")


def catalogue(dec: Decision) -> dict[str, str]:
    """What the national database page says of the document: status, effective and expiry dates."""
    out: dict[str, str] = {}
    if dec.format == "html":
        for m in _PROPERTY.finditer(dec.text[:20000]):
            label, value = m.group(1), m.group(2).strip()
            if label == "Tình trạng hiệu lực":
                if sm := _CATALOGUE_STATUS.match(value):
                    out["status"] = sm.group(1)
            elif (d := find_dates(value)) and d[0].iso and d[0].loc.start == 0:
                out["effective" if "có" in label else "expires"] = d[0].iso
    for note in dec.notes:
        if not note.startswith("vbpl.vn catalogue:"):
            continue
        if m := _CATALOGUE_STATUS.search(note):
            out["status"] = m.group(1)
        for m in _CATALOGUE_DATE.finditer(note):
            d = find_dates(m.group(2))
            if d and d[0].iso:
                out["effective" if m.group(1) == "có" else "expires"] = d[0].iso
    return out


def title_symbol(fmt: str | None, cited: list[tuple[int | None, str | None, str]]) -> str | None:
    """A national database page's title names the document itself ("Thông tư số 65/2025/TT-BXD Bãi bỏ ..."):
    its symbol, from the page's citations as (line, number, id), when the header's "Số:" was not read."""
    if fmt != "html":
        return None
    return next((cid for line, number, cid in cited if line == 1 and number), None)


def own_symbol(dec: Decision) -> str | None:
    """The document's symbol: its number, else its national database page's title's."""
    return dec.number or title_symbol(dec.format, [(c.loc.line, c.number, c.id) for c in dec.citations])


def find_relations(dec: Decision, sents: list[_Sentence] | None = None) -> list[Relation]:
    """The relations the document states (see the module's docstring), in order of the text.
    `sents`: the text's `sentences`, when the caller has them already."""
    own_effective = dec.effective_date
    title_end = _title_end(dec)
    out: list[Relation] = []
    cites = sorted(dec.citations, key=lambda c: c.loc.start)
    starts = [c.loc.start for c in cites]
    for s in sentences(dec.text) if sents is None else sents:
        inside = cites[bisect.bisect_left(starts, s.start):bisect.bisect_left(starts, s.end)]
        if not inside:
            continue
        low = s.text.lower()
        if not s.listed_verb and not any(w in low for w in _VERB_WORDS):
            continue  # no verb's word: the regular expression need not scan it (a line of 100 000 citations)
        verbs = [v for v in _VERBS.finditer(s.text)
                 if not _in_citation(s.start + v.start(), inside) and not _LABEL_BEFORE.search(s.text[: v.start()])]
        if not verbs and s.listed_verb:
            out.extend(_listed(s, inside, own_effective))
            continue
        for i, v in enumerate(verbs):
            if v.group("passive"):
                out.extend(_passive(s, v, inside))
                continue
            out.extend(_relations_of(dec, s, v, verbs[i + 1] if i + 1 < len(verbs) else None,
                                     verbs[i - 1] if i else None, inside, own_effective, s.start < title_end))
    out.extend(_amending_laws(dec, cites))
    return _unique(sorted(out, key=lambda r: r.loc.start))


#: an amending law cited by its name and symbol: "Luật sửa đổi, bổ sung một số điều của Luật Sở hữu trí tuệ số 131/2025/QH15"
_AMENDING_NAME = re.compile(r"^(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s+sửa\s+đổi,?\s+bổ\s+sung\s+(?:một\s+số\s+điều\s+)?của\s+(?P<rest>.+)$", re.IGNORECASE)
_LAW_SPLIT = re.compile(r",\s*(?=(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s)|\s+và\s+(?=(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s)")


def _amending_laws(dec: Decision, cites: list[Citation]) -> list[Relation]:
    """The laws an amending law names in its own name: (its symbol, amends, each law named)."""
    out = []
    for c in cites:
        m = _AMENDING_NAME.match(" ".join((c.title or "").split())) if c.number else None
        if not m:
            continue
        line_start = dec.text.rfind("\n", 0, c.loc.start) + 1
        line_end = dec.text.find("\n", c.loc.end)
        evidence = " ".join(dec.text[line_start:line_end if line_end >= 0 else len(dec.text)].split())
        for name in _LAW_SPLIT.split(m.group("rest")):
            if re.match(r"(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s+\S+", name) and not re.match(r"Luật\s+\d", name):
                out.append(Relation(relation="amends", target=name.strip(), evidence=evidence, subject=c.id, target_kind="Luật",
                                    loc=Loc(start=c.loc.start, end=c.loc.end, line=c.loc.line, page=c.loc.page, part=c.loc.part)))
    return out


def _title_end(dec: Decision) -> int:
    """The end of the document's title: the subject line of the header, or a database page's title."""
    if dec.subject_loc is not None:
        return dec.subject_loc.end
    first = dec.text.find("\n")
    return first if first > 0 else 0


def _in_citation(pos: int, cites: list[Citation]) -> bool:
    return any(c.loc.start <= pos < c.loc.end for c in cites)


def _listed(s: _Sentence, inside: list[Citation], own_effective: str | None) -> list[Relation]:
    """An item of a list of documents the document ends: it names the document (or a part of it) first."""
    lead = _LIST_ITEM.match(s.text)
    opening = s.text[lead.end() if lead else 0: inside[0].loc.start - s.start]
    if len(opening.strip()) > 60 and not _PART.match(opening.strip()):
        return []
    kind = s.listed_verb
    if kind == "expires":
        kind = "repeals"
    if kind == "repeals" and _PART.search(s.text[: inside[0].loc.start - s.start]):
        kind = "repeals_part"
    return [_relation(kind, c, None, s, _when(s.text, own_effective)) for c in inside]


def _relations_of(dec, s: _Sentence, v: re.Match[str], nxt, prev, inside: list[Citation], own_effective, in_title: bool):
    kind = _kind(v)
    vstart, vend = s.start + v.start(), s.start + v.end()
    before = [c for c in inside if c.loc.end <= vstart]
    if kind == "expires":  # "Nghị định số X, Nghị định số Y ... hết hiệu lực kể từ ngày ..."
        if prev is not None and not prev.group("passive") and _kind(prev) == "expires":
            before = [c for c in before if c.loc.start >= s.start + prev.end()]
        if not before or _FROM_DAY.search(s.text[: before[0].loc.start - s.start]):
            return []  # "... có hiệu lực từ ngày Nghị quyết số 61/2022/QH15 hết hiệu lực": a time, not a repeal
        when = _when(s.text[v.start():], own_effective)
        # "Luật Nhà ở số 65/2014/QH13 đã được sửa đổi, bổ sung một số điều theo Luật số 61/2020/QH14 ... hết hiệu
        # lực": the amended law ends; the amending ones (Luật Đầu tư 2020 among them) lose only those parts
        agents = {id(c) for p in _VERBS.finditer(s.text, 0, v.start()) if p.group("passive")
                  for c in before if c.loc.start >= s.start + p.end()}
        ended = {c.symbol or c.id for c in before if id(c) not in agents}  # "(sau đây gọi là Luật ... số 45/2013/QH13)"
        return [_relation("repeals", c, None, s, when) if (c.symbol or c.id) in ended else _relation("repeals_part", c, None, s, when)
                for c in _named_once(before) if id(c) not in agents or (c.symbol or c.id) not in ended]
    if kind == "guides" and nxt is not None and _kind(nxt) == "guides" and not nxt.group("passive"):
        nxt = None  # "quy định chi tiết một số điều và biện pháp để tổ chức, hướng dẫn thi hành Luật ..."
    stop = s.start + nxt.start() if nxt else s.end
    after = [c for c in inside if vend <= c.loc.start < stop]
    if not after:
        return []
    subject = _subject(s, v, before, in_title)
    if subject is False:
        return []  # "Giao Sở Tư pháp hướng dẫn thực hiện Nghị định ...": no document is the subject
    if kind in ("repeals", "replaces") and _PART.search(dec.text[vend:after[0].loc.start]):
        kind = "repeals_part" if kind == "repeals" else "amends"  # "Thay thế Phụ lục II ban hành kèm theo ..."
    after = _named_once(after)
    if kind in ("amends", "guides"):
        after = _listed_with(dec.text, after)
    when = _when(s.text[v.start():], own_effective if subject is None else None)
    return [_relation(kind, c, subject, s, when) for c in after]


#: "Chính phủ ban hành Nghị định sửa đổi, bổ sung ...": the enacting formula names the document itself
_ISSUES = re.compile(r"ban\s+hành\s+(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+định|Nghị\s+quyết|Thông\s+tư|Quyết\s+định)\s*$")
_FROM_DAY = re.compile(r"từ\s+ngày\s*$")
_LEAD = re.compile(r"^\s*(?:Điều\s+\d+[a-z]?\s*[.:]\s*|[a-zđ]\)\s*|\d+(?:\.\d+)*[.)]\s*|[-–+•]\s*)?$")


def _subject(s: _Sentence, v: re.Match[str], before: list[Citation], in_title: bool):
    """Who states the relation: None for the document itself ("Nghị định này ... thay thế", a verb that
    opens the sentence or the title), a cited document's symbol when it is named just before the verb,
    False when neither."""
    head = s.text[: v.start()]
    this = list(_THIS.finditer(head))
    last_cite = before[-1] if before else None
    if last_cite is not None and (not this or last_cite.loc.start - s.start > this[-1].start()):
        if len(head) - (last_cite.loc.end - s.start) <= 80:
            return last_cite.symbol or last_cite.id
        return False
    if this or in_title or _LEAD.match(head) or _ISSUES.search(head):
        return None
    return False


def _passive(s: _Sentence, v: re.Match[str], inside: list[Citation]) -> list[Relation]:
    """"Luật số 80/2015/QH13 đã được sửa đổi, bổ sung một số điều theo Luật số 63/2020/QH14": the
    document after "theo"/"bởi"/"bằng" acts on the one before the verb."""
    kind = _kind(v)
    if kind == "expires":
        return []
    before = [c for c in inside if c.loc.end <= s.start + v.start()]
    after = [c for c in inside if c.loc.start >= s.start + v.end()]
    if not before:
        return []
    rest = s.text[v.end():(after[0].loc.start - s.start) if after else len(s.text)]
    if re.match(r"\s*(?:theo|bởi|tại)\s+(?:[\wÀ-ỹ]+\s+){0,8}?(?:của\s+)?" + _THIS.pattern, rest):
        return [_relation(kind, before[-1], None, s, None)]  # "... được sửa đổi, bổ sung theo khoản 1 Điều 1 của Luật này"
    if not after:
        return []
    gap = s.text[v.end(): after[0].loc.start - s.start]
    if len(gap) > 60 or not re.search(r"\b(?:theo|bởi|bằng|tại)\b", gap):
        return []
    # "Nghị định số 123/2020/NĐ-CP ... về hóa đơn, chứng từ, được sửa đổi ...": after a comma the verb is the
    # sentence's subject's, not the last document named in its title
    target = before[0] if s.text[: v.start()].rstrip().endswith(",") else before[-1]
    return [_relation(kind, target, a.symbol or a.id, s, None) for a in _listed_with(s.text, after, s.start)]


def _named_once(cites: list[Citation]) -> list[Citation]:
    """Drop a name the citation finder cut short right before a symbol ("Luật hôn nhân" of "Luật hôn
    nhân và gia đình số 22/2000/QH10"): the symbol is the document."""
    out = []
    for i, c in enumerate(cites):
        nxt = cites[i + 1] if i + 1 < len(cites) else None
        if c.number is None and nxt is not None and nxt.number is not None and nxt.loc.start - c.loc.end < 40:
            continue
        out.append(c)
    return out


_LIST_GAP = re.compile(r"\s*(?:,|và|,\s*và|;)\s*(?:các\s+)?$")


def _listed_with(text: str, cites: list[Citation], offset: int = 0) -> list[Citation]:
    """The first citation and those listed right after it ("Luật số A, Luật số B và Luật số C"), not a
    document named in the first one's title ("Luật A về ... theo Nghị định B")."""
    out = cites[:1]
    for c in cites[1:]:
        gap = text[out[-1].loc.end - offset:c.loc.start - offset]
        if len(gap) > 12 or not _LIST_GAP.fullmatch(gap):
            break
        out.append(c)
    return out


def _when(text: str, own_effective: str | None) -> str | None:
    """The date a relation takes effect: a date written after "từ ngày" in its clause, else the
    stating document's own effective date when the clause says "kể từ ngày [this] có hiệu lực" or
    says nothing."""
    if _FROM_THIS.search(text):
        return own_effective
    m = re.search(r"từ\s+ngày\s+", text)
    if m:
        dates = [d for d in find_dates(text[m.end() - 5:m.end() + 40]) if d.iso]
        if dates:
            return dates[0].iso
    return own_effective


def _relation(kind: str, c: Citation, subject: str | None, s: _Sentence, when: str | None) -> Relation:
    return Relation(
        relation=kind, target=c.id, evidence=" ".join(s.text.split()), subject=subject,
        target_symbol=c.symbol, target_kind=c.kind, target_date=c.date, effective=when,
        loc=Loc(start=c.loc.start, end=c.loc.end, line=c.loc.line, page=c.loc.page, part=c.loc.part),
    )


def _unique(rels: list[Relation]) -> list[Relation]:
    seen: set[tuple] = set()
    out = []
    for r in rels:
        key = (r.subject, r.relation, r.target_symbol or r.target)
        if key not in seen and (r.subject is None or r.subject != (r.target_symbol or r.target)):
            seen.add(key)
            out.append(r)
    return out
