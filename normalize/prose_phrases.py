"""The words of assignments written in prose: the verbs that start a body's work, the openers
("Giao", "Yêu cầu", "Đề nghị"), where a body's name ends, and the time expressions tied to the
work. `vanban.normalize.prose_tasks` reads documents with them.
"""

from __future__ import annotations

import re

from vanban.normalize.agencies import lookup, split_agencies, starts_like_agency
from vanban.normalize.deadlines import time_expressions
from vanban.normalize.fold import match_key, strip_diacritics
from vanban.normalize.wordre import whole_words


#: verbs that start the work after a body's name (lower case as written mid-sentence)
VERBS = (
    "chủ trì", "phối hợp", "tổ chức", "xây dựng", "theo dõi", "đôn đốc", "hướng dẫn", "tham mưu", "thực hiện",
    "triển khai", "rà soát", "báo cáo", "kiểm tra", "làm việc", "chỉ đạo", "nghiên cứu", "đăng tải", "đăng", "tổng hợp",
    "hoàn thành", "khẩn trương", "chủ động", "tiếp tục", "căn cứ", "có trách nhiệm", "chịu trách nhiệm", "có ý kiến",
    "có văn bản", "cung cấp", "phổ biến", "tuyên truyền", "quán triệt", "ban hành", "trình", "thẩm định", "xem xét",
    "xử lý", "bố trí", "cân đối", "đề xuất", "gửi", "phê duyệt", "cập nhật", "công bố", "công khai", "hỗ trợ",
    "giám sát", "tiếp nhận", "giải quyết", "đảm bảo", "bảo đảm", "nâng cao", "tăng cường", "đẩy mạnh", "sắp xếp",
    "kiện toàn", "phân công", "thông báo", "tập huấn", "bồi dưỡng", "đánh giá", "thống kê", "lồng ghép", "duy trì",
    "nâng cấp", "kiểm kê", "chuẩn bị", "cử", "đưa", "phát sóng", "biên soạn", "khắc phục", "chấn chỉnh", "vận động",
    "quyết định", "kịp thời", "thường xuyên", "nghiêm túc", "tích cực", "phải", "được", "sớm", "tập trung",
    "lãnh đạo", "trực tiếp", "tăng cường", "quan tâm", "mở", "phát động", "hoàn thiện", "sửa đổi", "đẩy nhanh", "tiếp thu", "chọn", "soạn thảo", "dự thảo", "xác định", "tạo điều kiện",
)


VERB = re.compile(whole_words(sorted(VERBS, key=len, reverse=True)))


ROLE = re.compile(r"^(?:thủ trưởng|giám đốc|(?:tổng )?cục trưởng|vụ trưởng|viện trưởng|bộ trưởng|thứ trưởng|chủ tịch|phó chủ tịch|trưởng|chánh|người đứng đầu|lãnh đạo|hiệu trưởng|bí thư"
                   r"|đồng chí|các đồng chí|tổng biên tập)\b", re.IGNORECASE)


OPENER = re.compile(
    r"(?:(?:Chủ tịch\s+)?(?:Ủy ban nhân dân|Uỷ ban nhân dân|UBND)(?:\s+(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường))?\s+)?"
    r"(?P<verb>[Gg]iao(?:\s+cho)?|[Yy]êu cầu|[Đđ]ề nghị)\s*:?\s+")


TO_SUPERIOR = re.compile(whole_words(["xem xét", "quyết định", "phê duyệt", "chấp thuận", "cho ý kiến", "có ý kiến chỉ đạo",
                                       "cho phép", "công nhận"]))


PREAMBLE = re.compile(r"^(?:định kỳ|hằng|hàng|bắt đầu|từ|trong|đến|sau|trước|căn cứ|trên cơ sở|đối với)\b[^,;:]{0,120},\s*",
                       re.IGNORECASE)


DUTY_HEAD = re.compile(r"^(?P<who>.{3,200}?)\s+(?:có|chịu) trách nhiệm\s*[:;]?\s*$")


COMMITS = re.compile(whole_words(["chủ trì", "có trách nhiệm", "chịu trách nhiệm"]))


BOILERPLATE = re.compile(r"(?:chịu|có) trách nhiệm thi hành|(?<!hướng dẫn )thi hành (?:Quyết định|Nghị quyết|Chỉ thị|Thông báo) này",
                         re.IGNORECASE)  # "chịu trách nhiệm hướng dẫn thi hành Quyết định này" is work


#: "chịu trách nhiệm trước UBND tỉnh ...": answerable to someone, not given work
ANSWERABLE = re.compile(r"\s*trước", re.IGNORECASE)


NOTHING_TO_DO = re.compile(r"^(?=.*(?:nghiêm túc|biết))(?:(?:nghiêm túc|khẩn trương|triển khai|tổ chức|thực hiện|biết|và|,)\s*)+"
                            r"(?:(?:các )?nội dung trên|công văn này|kế hoạch này|quyết định này|thông báo này)?\s*[./]*$", re.IGNORECASE)


PARTNERS = re.compile(r"^(?:chủ trì\s*,?\s*)?(?:và\s+)?phối hợp\s+(?:với|cùng)\s+", re.IGNORECASE)


LEAD_ONLY = re.compile(r"^chủ trì\s*,?\s*", re.IGNORECASE)


LEADS_WITH = re.compile(r"(?<![\w])chủ trì\s*,?\s*(?:và\s+)?phối hợp\s+(?:với|cùng)\s+", re.IGNORECASE)


QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


CUE = re.compile(r"(?<![a-z])(?:cham nhat|truoc|han|hoan thanh|xong|den het|den|trong|tu|bat dau|vao|ke tu|khong qua"
                  r"|khong muon hon)(?:\s+(?:la|vao|trong|truoc|den|het|ngay|thoi gian|nam|thuc hien|tu))*\s*$")


BY_REFERENCE = re.compile(r"\btheo (?:đúng )?(?:thời gian|thời hạn|tiến độ|các mốc(?: thời gian)?|lộ trình)\b[^;.]*", re.IGNORECASE)


def mask_quotes(text: str) -> str:
    """The text with quoted passages blanked (same length), so nothing quoted is read as an assignment."""
    return QUOTED.sub(lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[-1], text)


def agency_end(text: str, start: int, limit: int) -> int:
    """Where a body's name starting at `start` ends: before the verb that starts the work, a
    sentence's end, or a ";" that no other body's name follows."""
    m = VERB.search(text, start, limit)
    while m and re.search(r"(?:^|\s)(?:Ban|Tổ)\s$", text[max(start, m.start() - 5):m.start()]):
        m = VERB.search(text, m.end(), limit)  # "Ban chỉ đạo", "Ban quản lý": a body's name, not its work
    if m and (later := _relative_clause_end(text, start, m, limit)):
        m = later
    end = m.start() if m else limit
    for stop in NAME_STOP.finditer(text, start, end):
        if stop.group(0).startswith(";") and starts_like_agency(text[stop.end():stop.end() + 40]):
            continue  # "Các sở, ban, ngành; UBND các xã, phường": bodies listed with ";"
        end = stop.start()
        break
    while end > start and text[end - 1] in " ,:–-":
        end -= 1
    if text[start:end].endswith(" và"):
        end -= 3
    return end


#: nouns a relative clause can narrow ("các bộ phận trực tiếp giải quyết TTHC", "cán bộ trực tiếp tiếp dân")
_NARROWED = re.compile(r"(?:bộ phận|cơ quan|đơn vị|cán bộ|công chức|viên chức|người|tổ chức|phòng|cá nhân)\s+$", re.IGNORECASE)
_MODIFIER_OBJECT = re.compile(r"[^\W\d_][\w./-]*(?:\s+[\w./-]+){0,5}\s+$")


def _relative_clause_end(text: str, start: int, m: re.Match, limit: int) -> re.Match | None:
    """The verb that starts the work when the one found opens a relative clause narrowing the body:
    "các bộ phận trực tiếp giải quyết TTHC xây dựng Kế hoạch": the bodies are "các bộ phận trực tiếp
    giải quyết TTHC", their work "xây dựng Kế hoạch". Only "trực tiếp" + verb + a short object with no
    punctuation, then a second verb; "Thủ trưởng cơ quan trực tiếp phụ trách, chỉ đạo" is work."""
    if m.group(0) != "trực tiếp" or not _NARROWED.search(text, max(start, m.start() - 12), m.start()):
        return None
    inner = VERB.match(text, skip_space(text, m.end(), limit))
    if inner is None:
        return None
    work = VERB.search(text, inner.end(), limit)
    if work is None or not _MODIFIER_OBJECT.fullmatch(text, skip_space(text, inner.end(), work.start()), work.start()):
        return None
    return work


NAME_STOP = re.compile(r";\s*|\.(?:\s|$)|\s(?:để|nhằm|theo|trong|tại|định kỳ|hằng|hàng (?:ngày|tuần|tháng|quý|năm))\s")


ADVERB = re.compile(r"(?:định kỳ\s+)?(?:(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm)\s+)?")


NOT_A_BODY = re.compile(r"^(?:trong )?(?:trường hợp|báo cáo|ban hành|hội nghị|hội thảo|hội thi|phòng, chống|đơn vị tính|các nội dung"
                        r"|các nhiệm vụ|các hoạt động|các hình thức|các chỉ tiêu|các văn bản|những|người(?! đứng đầu)"
                        r"|tổ chức (?!chính trị|xã hội|kinh tế|tín dụng|đoàn thể|hành nghề|và cá nhân|,))\b", re.IGNORECASE)


COLLECTIVE = re.compile(r"^(?:và\s+)?(?:các\s+)?(?:(?:huyện|thị|thành|đảng|cấp) (?:ủy|uỷ)|sở|ban|ngành|phường|xã|thị trấn|huyện|quận|thị xã|thành phố|đặc khu|đơn vị"
                         r"|địa phương|cơ quan|tổ chức|đoàn thể|cá nhân|doanh nghiệp|hội|phòng|trường|mặt trận)\b", re.IGNORECASE)


def starts_like_lead(text: str) -> bool:
    text = text.strip()
    if not text or NOT_A_BODY.match(text) or not (starts_like_agency(text) or ROLE.match(text)):
        return False
    rest = re.sub(r"^(?:các|những|tất cả các)\s+", "", text, flags=re.IGNORECASE)
    return rest == text or bool(COLLECTIVE.match(rest) or starts_like_agency(rest) or ROLE.match(rest))  # not "Các quy trình"


def looks_like_lead(phrase: str) -> bool:
    """A body's name, or a list of them: each piece after a comma names a body too."""
    phrase = phrase.strip()
    if not starts_like_lead(phrase) or len(phrase) > 250 or re.search(r"\slà\s", phrase):
        return False  # "Sở KHCNMT là cơ quan ...", "Giám đốc là người ...": what a body is, not who does the work
    if lookup(phrase) is not None:
        return True  # "Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh"
    pieces = [x.strip() for x in re.split(r"[,;]", re.sub(r"\([^()]*\)", "", phrase))[1:] if x.strip()]
    return all(starts_like_agency(x) or ROLE.match(x) or COLLECTIVE.match(x) or x[:1].isupper() for x in pieces)


def partners_at(text: str, at: int, limit: int) -> tuple[tuple[int, int] | None, int]:
    """The partners named by "(chủ trì,) phối hợp với ..." at `at`, and where the work's text starts."""
    rest = text[at:limit]
    m = PARTNERS.match(rest)
    if m:
        p0 = at + m.end()
        p1 = agency_end(text, p0, limit)
        return ((p0, p1) if p1 > p0 else None), p1
    m = LEAD_ONLY.match(rest)
    return None, at + (m.end() if m else 0)


def fold_same_length(text: str) -> str:
    """Lower case without diacritics, one character for one (offsets stay those of `text`)."""
    folded = strip_diacritics(text).lower()
    return folded if len(folded) == len(text) else match_key(text).rjust(len(text))


def deadline_phrases(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The spans of the time expressions in text[a:b] that the text ties to the work."""
    part = text[a:b]
    out: list[tuple[int, int]] = []
    for s, e, rule, kind in time_expressions(part):
        if kind == "noise" or rule in ("continuous", "reference", "on_request", "vision"):
            continue
        before = fold_same_length(part[max(0, s - 40) : s])
        if rule in ("recurrence_word", "every_n_months"):
            if "dinh ky" in fold_same_length(part[max(0, s - 12) : e]):
                out.append((a + s, a + e))
            continue
        if rule == "relative":
            if re.search(r"\d", part[s:e]):
                out.append((a + s, a + e))
            continue
        cue = CUE.search(before)
        if cue:
            out.append((a + s - (len(before) - cue.start()), a + e))
    for m in BY_REFERENCE.finditer(part):
        out.append((a + m.start(), a + m.end()))
    return sorted(out)


def names_work(text: str) -> bool:
    """Whether a task's text names some work (a verb), not only people or a reference ("Tại Phụ lục I")."""
    return bool(VERB.search(text) or VERB.match(text[:1].lower() + text[1:]))


def skip_space(text: str, at: int, limit: int) -> int:
    while at < limit and text[at] in " ,":
        at += 1
    return at


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", match_key(text)))


def bodies_of(lead: str) -> set[str]:
    return {match_key(a.canonical) for a in split_agencies(lead)} | {match_key(lead)}
