"""Tasks written in prose: the assignments in the paragraphs of decisions, plans and letters.

Many documents assign work without a table. Three habits of real documents are read (the
examples are from Lâm Đồng and Bình Thuận documents of 2024-2026):

1. an assignment sentence, at the start of a paragraph, a sentence or a clause after ";":
   "Giao Sở Tư pháp chủ trì, phối hợp với các sở, ngành liên quan ... hoàn thành trong Quý
   II/2026"; "Chủ tịch UBND tỉnh giao Sở Nội vụ chủ trì ..."; "Yêu cầu các hội: Hội Nghề cá,
   ... hoàn thành ... chậm nhất ngày 31/12/2024"; "Đề nghị Báo Bình Thuận đăng ..." (a body
   outside the issuer's authority: its agencies are `invited`); or a sentence that starts with
   a body and commits it: "Sở Nội vụ chủ trì, phối hợp với ...", "Sở Nội vụ có trách nhiệm ...";
2. a task with labelled fields, inline or in the lines under it: "... Đơn vị chủ trì: Sở Nội
   vụ; Đơn vị phối hợp: ...; Thời gian hoàn thành: trước ngày 30/6/2026";
3. a block under a body's name, in "Tổ chức thực hiện": "1. Sở Nội vụ:" then "a) ...",
   "b) ..." (each item a task of that body), or inline "3. Sở Khoa học và Công nghệ: Chủ
   trì, phối hợp với ...".

The lead is the body named, up to the verb that starts the work ("chủ trì", "tổ chức",
"theo dõi", ...: lower case, so "Sở Xây dựng" and "Ban Tổ chức Tỉnh ủy" stay names); the
partners are what "phối hợp với" names; the deadline is a time expression of
`vanban.normalize.deadlines` that the text ties to the work ("chậm nhất ngày 31/12/2024",
"trước ngày 28/02/2026", "hoàn thành trong Quý II/2026", "định kỳ hằng quý", "theo thời
gian được nêu tại khoản 1"), never a date that only dates a cited document or names a year
the work is about. A task gets no lead, partner or deadline the text does not give.

Not tasks: legal bases and proposals ("Căn cứ", "Xét đề nghị"), the narration of earlier
assignments ("Ngày 24/7/2024, Chủ tịch UBND tỉnh có Công văn ... giao Sở Nội vụ ..."), text
quoted from other documents, the closing "... chịu trách nhiệm thi hành Quyết định này", the
lists under "Kính gửi" and "Nơi nhận", requests to a superior ("đề nghị UBND tỉnh xem xét"),
and whole documents that propose (Tờ trình), report (Báo cáo, Biên bản) or regulate (laws,
decrees, circulars, charters, rules: their duties are norms, not assignments), as are the
charters and rules attached to a decision.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from vanban.model import Decision, Loc, SourceDocument, Task
from vanban.normalize.agencies import starts_like_agency
from vanban.normalize.deadlines import parse_deadline, time_expressions
from vanban.normalize.fold import match_key
from vanban.normalize.prose_phrases import (
    ADVERB,
    ANSWERABLE,
    BOILERPLATE,
    COMMITS,
    DUTY_HEAD,
    LEADS_WITH,
    NOTHING_TO_DO,
    OPENER,
    PREAMBLE,
    TO_SUPERIOR,
    VERB,
    agency_end,
    bodies_of,
    deadline_phrases,
    looks_like_lead,
    mask_quotes,
    names_work,
    partners_at,
    skip_space,
    starts_like_lead,
    words_of,
)

#: document kinds whose paragraphs are not read for assignments (norms, proposals, reports)
NOT_ASSIGNING: frozenset[str] = frozenset({
    "Hiến pháp", "Bộ luật", "Luật", "Pháp lệnh", "Nghị định", "Thông tư", "Thông tư liên tịch", "Nghị quyết liên tịch",
    "Văn bản hợp nhất", "Tờ trình", "Báo cáo", "Biên bản", "Điều lệ", "Quy chế", "Quy định", "Hướng dẫn", "Hợp đồng",
})

#: document kinds that are plans: a body named with a verb in them is assigned the work
PLANS: frozenset[str] = frozenset({"Kế hoạch", "Chương trình", "Phương án", "Đề án", "Dự án"})


_SKIP_PARAGRAPH = re.compile(
    r"^(?:căn cứ|xét |theo đề nghị|ngày \d|qua |nơi nhận|kính gửi|trên đây|vừa qua|thời gian qua|tại công văn"
    r"|thực hiện (?:nghị quyết|nghị định|kế hoạch|quyết định|chỉ thị|công văn|thông báo|kết luận|chương trình|ý kiến|chỉ đạo"
    r"|văn bản|thông tư|luật))", re.IGNORECASE)
_ISSUES = re.compile(r"\b(?:ban hành|có ý kiến|thông báo|kết luận)\b.*như sau\s*:$")
_LIST_HEAD = re.compile(r"^(?:kính gửi|nơi nhận)\b", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^\s*(?:nơi nhận|nơi gửi)\b", re.IGNORECASE)
#: a decision that issues a regulation: what follows its signature is the regulation's standing rules
_ISSUES_RULES = re.compile(r"\bban hành\s+(?:kèm theo\s+)?(?:bản\s+)?(?:quy chế|quy định|chế độ|điều lệ|quy trình|nội quy"
                           r"|tiêu chuẩn|định mức|bộ tiêu chí)\b", re.IGNORECASE)
_OFFICIAL = re.compile(r"^\s*(?:Số\s*:|V/v\b|Kính gửi\b)", re.MULTILINE | re.IGNORECASE)
# "Số người được cấp sổ BHXH: …………… người": a form to fill. It is "…{3,}|\.{6,}" with each branch led by its
# character, which the regex engine skips to (`vanban.normalize.wordre`)
_FORM_BLANK = re.compile(r"…(?:…{2,})|\.(?:\.{5,})")
_LABEL = re.compile(r"^\s*(?P<label>[IVXLC]+\.|\d+(?:\.\d+)+\.?|\d+[.)]|[a-zđ]\)|[-+•–*])\s*")
_ARTICLE = re.compile(r"^Điều\s+(?P<num>\d+[a-zđ]?)\s*[.:]?\s*(?P<title>.*)$")
_ROMAN = re.compile(r"^(?P<num>[IVXLC]+)\s*[.\-–]\s*(?P<title>\S.*)$")
_IMPLEMENTATION = re.compile(r"to chuc thuc hien|trach nhiem|phan cong|giao nhiem vu|trien khai thuc hien")
_DESCRIPTIVE = re.compile(r"^(?:muc dich|yeu cau|muc tieu|chi tieu|quan diem|tinh hinh|ket qua|danh gia|can cu|su can thiet"
                          r"|pham vi|doi tuong|nguyen tac|dac diem)")
_TASKS_TOO = re.compile(r"nhiem vu|giai phap|thuc hien|noi dung|hinh thuc|hoat dong")
_TASK_SECTION = re.compile(r"nhiem vu|giai phap|noi dung (?:cong tac|cai cach|thuc hien|trong tam)|hoat dong")  # "MỤC TIÊU, NHIỆM VỤ": tasks under it too
_ACTION_START = re.compile(r"(?:trên cơ sở|căn cứ|đối với|về|khi|trong|định kỳ|hằng|hàng)\b", re.IGNORECASE)
_FIELD = re.compile(
    r"(?P<name>(?:đơn vị|cơ quan)(?:,? (?:đơn vị|cá nhân))? (?:chủ trì|thực hiện)|chủ trì(?: thực hiện)?|trách nhiệm thực hiện"
    r"|(?:đơn vị|cơ quan)(?:,? đơn vị)? phối hợp|phối hợp(?: thực hiện)?|thời (?:gian|hạn)(?: hoàn thành| thực hiện)?"
    r"|tiến độ(?: thực hiện)?|sản phẩm(?: đầu ra)?)\s*:\s*", re.IGNORECASE)
_CLAUSE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])|;\s+(?=(?:giao|yêu cầu|đề nghị)\s|[A-ZĐ][^;.]{0,120}theo dõi, (?:kiểm tra, )?đôn đốc)"
                     r"|:\s+(?=[A-ZĐÀ-Ỹ])")
_MONITORS = re.compile(r"(?P<who>[^;.]{3,120}?)\s+(?:có trách nhiệm\s+)?theo dõi,\s*(?:kiểm tra,\s*)?đôn đốc(?:,\s*kiểm tra)?"
                       r"(?:\s+(?:việc|quá trình)\s+(?:tổ chức\s+)?thực hiện)?\s*[;.]?\s*(?:/\.)?\s*$")
_ORDER = {"roman": 0, "digit": 1, "subdigit": 2, "letter": 3, "dash": 4, "plus": 5, "": 9}


_ROMAN_LABEL = re.compile(r"[IVXLC]+")
_SUBDIGIT_LABEL = re.compile(r"\d+(?:\.\d+)+")


@dataclass
class _Para:
    text: str
    start: int  # offset of the paragraph in the document's text
    line: int | None
    page: int | None
    label: str
    body_at: int  # where the text after the label starts

    @property
    def body(self) -> str:
        return self.text[self.body_at:]

    @functools.cached_property
    def kind(self) -> str:  # of its label, which does not change: read once (it is asked of every paragraph often)
        lab = self.label.rstrip(".)")
        if not lab:
            return ""
        if _ROMAN_LABEL.fullmatch(lab) and self.label.endswith("."):
            return "roman"
        if _SUBDIGIT_LABEL.fullmatch(lab):
            return "subdigit"
        if lab.isdigit():
            return "digit"
        return "letter" if lab.isalpha() else "plus" if lab == "+" else "dash"

    def loc(self, a: int, b: int) -> Loc:
        return Loc(self.start + a, self.start + b, (self.line or 1) + self.text.count("\n", 0, a), self.page)


@dataclass
class _State:
    section: str = ""
    section_title: str = ""
    implementation: bool = False  # under "Tổ chức thực hiện", "Trách nhiệm ...", "Phân công ..."
    plan: bool = False  # in a plan (its own text or one attached): bodies named with a verb are assigned
    task_section: bool = False  # under "Nhiệm vụ", "Giải pháp", "Nội dung công tác ...": the same, in any document
    descriptive: bool = False  # under "Mục đích", "Yêu cầu", "Tình hình": what is, not who does
    descriptive_kind: str | None = None  # the label kind of a "a) Chỉ tiêu" sub-heading in force
    block: tuple[str, int, _Para, str] | None = None  # (lead, offset in paragraph, heading paragraph, its kind)
    typed: bool = True  # the document's kind is known: a body named with a duty is assigned it
    in_list: bool = False  # under "Kính gửi" / "Nơi nhận"
    pending: _Para | None = None  # a task paragraph whose lead may come in labelled lines under it
    fielded: Task | None = None  # the task whose labelled lines are being read
    tasks: list[Task] = field(default_factory=list)


# --------------------------------------------------------------------------- phrases


# --------------------------------------------------------------------------- tasks


def _make_task(p: _Para, st: _State, lead: tuple[int, int] | None, partners: tuple[int, int] | None, work: tuple[int, int],
               deadline: list[tuple[int, int]], how: str, lead_text: str | None = None, product: str = "") -> Task | None:
    text = p.text
    lead_s = lead_text if lead_text is not None else (text[lead[0]:lead[1]] if lead else "")
    task_text = " ".join(text[work[0]:work[1]].split()).strip(" ;,")
    if not lead_s.strip() or not task_text or NOTHING_TO_DO.match(task_text) or not (how == "labels" or names_work(task_text)):
        return None
    raw_deadline = "; ".join(" ".join(text[s:e].split()) for s, e in deadline)
    label = p.label.rstrip(".)") if p.kind not in ("dash", "plus", "roman") else ""
    if st.block is not None and p is not st.block[2] and _ORDER.get(p.kind, 9) > _ORDER.get(st.block[3], 9):
        head = st.block[2].label.rstrip(".)")
        label = f"{head}.{label}" if head and label else (head or label)
    t = Task(section=st.section, section_title=st.section_title, task_no=label, task=task_text, product=product,
             lead=" ".join(lead_s.split()).strip(" :,;"), partners=" ".join(text[partners[0]:partners[1]].split()) if partners else "",
             deadline=raw_deadline, source_kind="prose", table=None, extra={"assigned_by": how},
             loc=p.loc(work[0] if how == "heading" else min(work[0], lead[0] if lead else work[0]), work[1]))
    if lead:
        t.cell_locs["lead"] = p.loc(*lead)
    elif st.block is not None and how == "heading":
        t.cell_locs["lead"] = st.block[2].loc(st.block[1], st.block[1] + len(st.block[0]))
    if partners:
        t.cell_locs["partners"] = p.loc(*partners)
    t.cell_locs["task"] = p.loc(*work)
    if deadline:
        t.cell_locs["deadline"] = p.loc(deadline[0][0], deadline[-1][1])
    return t


def _clauses(masked: str, at: int) -> list[int]:
    starts = [at]
    for m in _CLAUSE.finditer(masked, at):
        before = masked[starts[-1]:m.start()]
        if m.group(0).startswith(":") and (OPENER.search(masked[starts[-1]:m.end()]) or starts_like_agency(before)):
            continue  # "Giao các sở: Nội vụ, ..." names its bodies after the colon
        starts.append(m.end())
    return starts


def _assignment(p: _Para, masked: str, s: int, e: int, st: _State) -> tuple[Task | None, bool]:
    """A task for the clause masked[s:e] when it assigns work; and whether it is an assignment clause."""
    clause = masked[s:e]
    if "thi hành" in clause.lower() and BOILERPLATE.search(clause):  # both its forms say "thi hành"
        return None, True
    m = OPENER.match(clause)
    lead_at = s
    if (not m and (pre := PREAMBLE.match(clause)) and starts_like_lead(clause[pre.end():pre.end() + 120])
            and (time_expressions(pre.group(0)) or "định kỳ" in pre.group(0).lower())):
        lead_at = s + pre.end()  # "Định kỳ 6 tháng và hàng năm, các Sở, Ban ngành ... phải tổ chức ..."
        clause = masked[lead_at:e]
    if m:
        how = {"giao": "Giao", "yeu": "Yêu cầu", "de": "Đề nghị"}[match_key(m.group("verb")).split()[0]]
        l0 = s + m.end()
        if how == "Đề nghị" and TO_SUPERIOR.search(clause[m.end():m.end() + 120]) and not COMMITS.search(clause):
            return None, True
    elif starts_like_lead(clause[:120]) and st.typed and not (st.descriptive or st.descriptive_kind is not None):
        if (h := DUTY_HEAD.match(clause)) and looks_like_lead(h.group("who")):
            st.block = (" ".join(h.group("who").split()), s, p, p.kind or "digit")  # "3.2. Các cơ quan ... có trách nhiệm:"
            return None, True
        commit = COMMITS.search(clause)
        if commit and ANSWERABLE.match(clause, commit.end()):
            commit = None  # "chịu trách nhiệm trước UBND tỉnh": answerable, not assigned
        name_end = agency_end(clause, 0, len(clause))
        if ":" in clause[:name_end]:  # "Sở Xây dựng: các lĩnh vực ...": a body and its scope, not its work
            name_end = clause.index(":")
        if name_end > 160:
            return None, False  # no verb where a body's name should end: not a sentence about a body's work
        at = skip_space(clause, name_end, len(clause))
        at = ADVERB.match(clause, at).end()
        acts = (st.implementation or st.plan or st.task_section) and VERB.match(clause, at) is not None
        if not ((commit and "đã " not in clause[:commit.start()]) or acts):
            return None, False
        how, l0 = (commit.group(0) if commit else "thực hiện"), lead_at
    else:
        return None, False
    l1 = agency_end(masked, l0, e)
    if not looks_like_lead(masked[l0:l1]):
        return None, bool(m)
    partners, w0 = partners_at(masked, skip_space(masked, l1, e), e)
    w0 = skip_space(masked, w0, e)
    rest = masked[w0:e]
    if how in ("có trách nhiệm", "chịu trách nhiệm") and not re.sub(r"^(?:có|chịu) trách nhiệm\s*", "", rest).strip(" :;.-"):
        st.block = (" ".join(masked[l0:l1].split()), l0, p, p.kind or "digit")  # "3.1. Ban Chỉ đạo có trách nhiệm:" over its items
        return None, True
    dl = deadline_phrases(p.text, s if lead_at != s else w0, e)
    return _make_task(p, st, (l0, l1), partners, (w0, e), dl, how), True


def _fields(p: _Para, masked: str, at: int) -> tuple[int, dict[str, tuple[int, int]]]:
    """Labelled fields in a paragraph ("Đơn vị chủ trì: ...; Thời gian hoàn thành: ..."): where the
    first label starts, and each field's value span."""
    # every label ends in a colon: without one there is nothing to look for (most paragraphs)
    found = list(_FIELD.finditer(masked, at)) if masked.find(":", at) >= 0 else []
    out: dict[str, tuple[int, int]] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(masked)
        v0, v1 = m.end(), end
        while v1 > v0 and masked[v1 - 1] in " ;.,-+\n":
            v1 -= 1
        name = match_key(m.group("name"))
        key = ("partners" if "phoi hop" in name else "deadline" if name.startswith(("thoi", "tien do")) else
               "product" if name.startswith("san pham") else "lead")
        out.setdefault(key, (v0, v1))
    return (found[0].start() if found else len(masked)), out


def _set_fields(t: Task, p: _Para, fields: dict[str, tuple[int, int]]) -> None:
    """Fill a task's lead, partners, deadline and product from labelled fields of paragraph p."""
    for name, span in fields.items():
        value = " ".join(p.text[slice(*span)].split())
        if not value:
            continue
        if name == "deadline":
            if parse_deadline(value).kind == "unparsed":
                continue
        elif name == "lead" and not looks_like_lead(value):
            continue
        setattr(t, name, value)
        t.cell_locs[name] = p.loc(*span)


def _labelled_task(p: _Para, masked: str, st: _State) -> bool:
    """A task whose fields are labelled, in this paragraph or in the lines under the task's own
    ("1. Hoàn thiện ..." / "- Đơn vị chủ trì: ..." / "- Thời gian hoàn thành: ...")."""
    first, fields = _fields(p, masked, p.body_at)
    if not fields:
        return False
    label_line = not masked[p.body_at:first].strip(" -+:")
    if label_line and "lead" not in fields and st.fielded is None:
        return True  # "- Cơ quan phối hợp: ..." under a task whose lead is not labelled: nothing more to read
    if label_line and st.fielded is not None:  # another field of the task above
        _set_fields(st.fielded, p, fields)
        return True
    if "lead" not in fields:
        return False
    owner, work = p, (p.body_at, first)
    if label_line:
        if st.pending is None:
            return False
        owner, work = st.pending, (st.pending.body_at, len(st.pending.text))
    if not looks_like_lead(p.text[slice(*fields["lead"])]):
        return False
    t = _make_task(owner, st, None, None, work, [], "labels", lead_text=p.text[slice(*fields["lead"])])
    if t is None:
        return False
    _set_fields(t, p, fields)
    st.tasks.append(t)
    st.pending = None
    st.fielded = t if label_line else None
    return True


def _heading(p: _Para, masked: str, st: _State, nxt: _Para | None) -> bool:
    """A body's name heading a block ("1. Sở Nội vụ:", "2. Các cơ quan, đơn vị được kiểm tra" over
    "a) ..." items), or inline with its task ("3. Sở Tư pháp: Lồng ghép ...")."""
    if not st.typed or (p.kind not in ("digit", "subdigit", "letter") and not (st.implementation and masked.rstrip().endswith(":"))):
        return False
    body = masked[p.body_at:].strip()
    colon = body.find(":")
    name = (body[:colon] if colon >= 0 else body).strip()
    if (not looks_like_lead(name) or len(name) > 160 or OPENER.match(name) or COMMITS.search(name) or name.isupper()
            or re.search(r"\bgồm\b", name)):
        return False  # "a) Ban Chủ nhiệm, gồm có:" lists members, not work
    rest = body[colon + 1:].strip() if colon >= 0 else ""
    if not rest:
        items_follow = nxt is not None and _ORDER.get(nxt.kind, 9) > _ORDER.get(p.kind, 9) and nxt.kind != ""
        if VERB.search(name) and not (items_follow and name[-1:] not in ".;"):
            return False
        if not (colon >= 0 or items_follow or st.implementation):
            return False
        st.block = (name, p.body_at + masked[p.body_at:].find(name[:10]), p, p.kind)
        return True
    if VERB.search(name) or not (VERB.match(rest) or VERB.match(rest[:1].lower() + rest[1:]) or _ACTION_START.match(rest)):
        return False
    at = p.body_at + masked[p.body_at:].find(name[:10])
    w0 = skip_space(masked, p.body_at + masked[p.body_at:].find(":") + 1, len(masked))
    st.block = None
    partners, w0 = partners_at(masked, w0, len(masked))
    t = _make_task(p, st, (at, at + len(name)), partners, (skip_space(masked, w0, len(masked)), len(masked)),
                   deadline_phrases(p.text, w0, len(masked)), "heading")
    if t is not None:
        st.tasks.append(t)
    return True


def _block_item(p: _Para, masked: str, st: _State) -> bool:
    """An item under a body's heading: a task of that body."""
    if st.block is None:
        return False
    if not p.kind or _ORDER.get(p.kind, 9) <= _ORDER.get(st.block[3], 9):
        st.block = None  # the items of a body's heading are labelled a level below it
        return False
    at = skip_space(masked, p.body_at, len(masked))
    colon = masked.find(":", at)
    if colon > at and looks_like_lead(masked[at:colon]) and not VERB.search(masked, at, colon):
        # "+ Sở Xây dựng: các lĩnh vực cấp giấy phép ...": an item naming its own body
        t = _make_task(p, st, (at, colon), None, (skip_space(masked, colon + 1, len(masked)), len(masked)),
                       deadline_phrases(p.text, colon, len(masked)), "labels")
        if t is not None:
            t.extra["assigned_by"] = "heading"
            st.tasks.append(t)
        return True
    own = [t for t in _clause_tasks(p, masked, st) if t.extra.get("assigned_by") != "thực hiện"]
    if own:  # "- Trên cơ sở ..., các Giám đốc Sở ... có trách nhiệm ...": the item names its own body
        st.tasks.extend(own)
        return True
    partners, w0 = partners_at(masked, at, len(masked))
    if partners is None and (m := LEADS_WITH.search(masked, at)):
        partners = (m.end(), agency_end(masked, m.end(), len(masked)))
        w0 = at
    t = _make_task(p, st, None, partners, (skip_space(masked, w0, len(masked)), len(masked)),
                   deadline_phrases(p.text, at, len(masked)), "heading", lead_text=st.block[0])
    if t is not None:
        st.tasks.append(t)
    return True


def _structure(p: _Para, st: _State) -> bool:
    """Sections, articles and sub-headings: what the paragraphs below them are. True for a heading
    that is only a heading."""
    text = " ".join(p.text.split())
    if st.descriptive_kind is not None and p.kind and _ORDER.get(p.kind, 9) <= _ORDER.get(st.descriptive_kind, 9):
        st.descriptive_kind = None
    m = _ROMAN.match(text) or _ARTICLE.match(text)
    if m and len(text) <= 200 and (m.re is _ARTICLE or any(c.isupper() for c in m.group("title")[:3])):
        title = m.group("title").strip()
        if m.re is _ARTICLE and COMMITS.search(title) and (at := p.text.find(title[:20])) > 0:
            p.body_at = at  # "Điều 3. Bộ trưởng Bộ Tài chính chịu trách nhiệm hướng dẫn ...": an article that assigns
            st.section, st.section_title, st.block, st.pending = f"Điều {m.group('num')}", "", None, None
            st.implementation = st.task_section = st.descriptive = False
            return False
        short = len(title) <= 80
        st.section = m.group("num") if m.re is _ROMAN else f"Điều {m.group('num')}"
        st.section_title = title if short else ""
        key = match_key(title) if short else ""
        st.implementation = bool(_IMPLEMENTATION.search(key))
        st.task_section = bool(_TASK_SECTION.search(key))
        st.descriptive = bool(_DESCRIPTIVE.match(key)) and not _TASKS_TOO.search(key)
        st.block = st.pending = st.descriptive_kind = None
        return short
    if p.kind and len(text) <= 60 and _DESCRIPTIVE.match(match_key(p.body).strip(" :.")):
        st.descriptive_kind = p.kind  # "a) Chỉ tiêu", "1. Mục đích"
        st.block = None
        return True
    if text.isupper() and len(text) > 3:  # "KẾ HOẠCH", "CHỦ TỊCH", "PHỤ LỤC": a title or a signature, not a task
        st.block = st.pending = None
        return True
    return False


def _after_list(p: _Para, st: _State) -> bool:
    """Whether the paragraph is a line of a "Kính gửi:" or "Nơi nhận:" list (or opens one)."""
    body = p.body.strip()
    if _LIST_HEAD.match(body):
        st.in_list = True
        return True
    if st.in_list and (p.kind == "dash" or body.startswith(("-", "+"))):
        return True
    st.in_list = False
    return False


def _paragraph(p: _Para, st: _State, nxt: _Para | None) -> None:
    if _after_list(p, st) or _structure(p, st) or _SKIP_PARAGRAPH.match(p.body.strip()):
        return
    body = p.body.rstrip()
    if (body.endswith(":") and _ISSUES.search(body)) or _FORM_BLANK.search(p.text):  # "UBND tỉnh ban hành Kế hoạch ... như sau:": the issuer speaking
        return
    masked = mask_quotes(p.text)
    if masked[p.body_at:].lstrip().startswith(("“", '"')):
        return
    if _labelled_task(p, masked, st):
        return
    st.fielded = None
    if _heading(p, masked, st, nxt):
        return
    if st.block is not None and not OPENER.match(masked, p.body_at) and _block_item(p, masked, st):
        return
    made = _clause_tasks(p, masked, st)
    st.tasks.extend(made)
    st.pending = None if made else (p if p.kind in ("digit", "subdigit", "letter", "dash", "plus") else None)


def _clause_tasks(p: _Para, masked: str, st: _State) -> list[Task]:
    """The tasks the clauses of a paragraph assign; a clause that assigns nothing goes on with the task before it."""
    starts = _clauses(masked, p.body_at)
    made: list[Task] = []
    for s, e in zip(starts, starts[1:] + [len(masked)]):
        if made and (m := _MONITORS.match(masked, s, e)) and looks_like_lead(m.group("who")):
            made[-1].monitor = " ".join(m.group("who").split())  # "...; Văn phòng UBND tỉnh theo dõi, đôn đốc"
            made[-1].cell_locs["monitor"] = p.loc(m.start("who"), m.end("who"))
            continue
        t, assigning = _assignment(p, masked, s, e, st)
        if t is not None:
            made.append(t)
        elif not assigning and made:
            _extend(made[-1], p, s, e)
    return made


def _extend(task: Task, p: _Para, s: int, e: int) -> None:
    task.task = (task.task + " " + " ".join(p.text[s:e].split())).strip()
    task.loc.end = p.start + e
    more = deadline_phrases(p.text, s, e)
    if more and not task.deadline:
        task.deadline = "; ".join(" ".join(p.text[a:b].split()) for a, b in more)
        task.cell_locs["deadline"] = p.loc(more[0][0], more[-1][1])


# --------------------------------------------------------------------------- document


def _paragraphs(src: SourceDocument, skip: list[tuple[int, int]]) -> list[_Para]:
    out = []
    for b in src.blocks:
        if b.kind != "paragraph" or not b.text.strip():
            continue
        if b.loc.line is not None and any(a <= b.loc.line <= z for a, z in skip):
            continue
        m = _LABEL.match(b.text)
        label = m.group("label") if m else ""
        out.append(_Para(b.text, b.loc.start, b.loc.line, b.loc.page, label, m.end() if m else 0))
    return out


def _outside_quotes(paras: list[_Para], longest: int = 40) -> list[_Para]:
    """The paragraphs less those inside a quotation opened in an earlier one (an amended
    article quoted whole: '"Điều 13. ...' over several paragraphs up to the closing mark)."""
    out: list[_Para] = []
    inside = 0
    for p in paras:
        body = p.body.lstrip()
        if inside:
            inside = 0 if ("”" in p.text or p.text.count('"') % 2 or inside >= longest) else inside + 1
            continue
        out.append(p)
        if body.startswith("“") and "”" not in body or body.startswith('"') and body.count('"') % 2:
            inside = 1
    return out


def _restates(t: Task, rows: list[tuple[set[str], set[str]]]) -> bool:
    """Whether a task in prose is a row of the document's task table told again: a body of its
    lead leads the row too, and half their words or more are the same (a plan's body often
    names the work its appendix details). `rows`: each row's bodies and words (`_row_keys`)."""
    words, bodies = words_of(t.task), bodies_of(t.lead)
    for row_bodies, other in rows:
        if bodies & row_bodies and words and len(words & other) >= 0.5 * len(words | other):
            return True
    return False


def _row_keys(rows: list[Task]) -> list[tuple[set[str], set[str]]]:
    """The bodies leading each table row and the words of its task and product, found once per document."""
    return [(bodies_of(r.lead), words_of(r.task + " " + r.product)) for r in rows]


def prose_tasks(src: SourceDocument, dec: Decision, table_rows: list[Task] | None = None) -> list[Task]:
    """The tasks a document assigns in its paragraphs (`source_kind` "prose"), in reading order,
    less those a row of its task tables (`table_rows`) restates.

    Deadlines are left as written (`Task.deadline`); the normalize stage parses them as it
    does a table's. A document of a kind that does not assign (laws, decrees, proposals,
    reports, charters) has none; nor have the charters and rules attached to a decision.
    """
    if dec.type in NOT_ASSIGNING:
        return []
    skip = [(a.first_line or 0, a.last_line or 10**9) for a in dec.attachments if a.kind in NOT_ASSIGNING]
    plans = [(a.first_line or 0, a.last_line or 10**9) for a in dec.attachments if a.kind in PLANS]
    starts = {a.first_line for a in dec.attachments if a.first_line}
    paras = _outside_quotes(_paragraphs(src, skip))
    if dec.type == "Quyết định" and _ISSUES_RULES.search(dec.subject or "") and not plans:
        # the regulation it issues follows the decision's recipients: its duties stand, they are not tasks
        end = next((i for i, p in enumerate(paras) if _RECIPIENTS.match(p.text)), len(paras))
        paras = paras[:end]
    # a decision, a letter (its "Số:", "V/v", "Kính gửi"), a plan; not an untitled description of how bodies work
    typed = dec.type is not None or dec.number is not None or bool(_OFFICIAL.search(src.text[:3000]))
    st = _State(typed=typed)
    for i, p in enumerate(paras):
        if p.line in starts:  # a new part: nothing carries over from the one before
            st = _State(tasks=st.tasks, typed=st.typed)
        st.plan = dec.type in PLANS or any(a <= (p.line or 0) <= z for a, z in plans)
        _paragraph(p, st, paras[i + 1] if i + 1 < len(paras) else None)
    if not table_rows or not st.tasks:
        return st.tasks
    rows = _row_keys(table_rows)
    return [t for t in st.tasks if not _restates(t, rows)]
