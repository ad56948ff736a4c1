"""The words of the review page and the report, in Vietnamese: severities, review states,
categories, document parts, the rules' names and explanations (`corpus/rules_vi.tsv`),
dates as dd/mm/yyyy, and Vietnamese alphabetical order for the lists.
"""

from __future__ import annotations

import functools
import inspect
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from vanban.normalize.dates import vi_date

SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Lưu ý"}
SEVERITY_PLURAL = {"error": "lỗi", "warning": "cảnh báo", "info": "lưu ý"}
#: a finding's review state; the reviewer's decision is a "kết quả xem xét" ("quyết định" names documents)
STATE_LABELS = {"open": "Chưa xem xét", "confirmed": "Đã xác nhận", "dismissed": "Đã bác bỏ", "stale": "Cần xem lại"}
PART_LABELS = {"decision": "Quyết định", "plan": "Kế hoạch", "appendix": "Phụ lục"}
CATEGORY_LABELS = {
    "self_reference_mismatch": "Tự dẫn chiếu không khớp",
    "year_out_of_scope": "Năm ngoài phạm vi",
    "year_conflict_in_row": "Năm mâu thuẫn trong một dòng",
    "deadline_conflict": "Thời hạn mâu thuẫn",
    "citation_conflict": "Trích dẫn mâu thuẫn",
    "invalid_reference": "Dẫn chiếu không hợp lệ",
    "numbering_gap": "Đánh số không liên tục",
    "structure_mismatch": "Cấu trúc không khớp",
    "missing_field": "Thiếu thông tin",
    "unmeasurable_target": "Chỉ tiêu không đo được",
    "inconsistent_name": "Tên gọi không thống nhất",
    "typo": "Lỗi chính tả",
    "format": "Thể thức văn bản",
}
DEADLINE_KIND_LABELS = {
    "fixed": "cố định", "start": "thời điểm bắt đầu", "recurring": "định kỳ", "continuous": "thường xuyên",
    "by_reference": "theo văn bản khác", "unparsed": "chưa đọc được",
}
RULE_TEXTS_FILE = "rules_vi.tsv"


def category_label(c: str) -> str:
    return CATEGORY_LABELS.get(c, c)


# --------------------------------------------------------------------------- the rules in Vietnamese


@dataclass(frozen=True)
class RuleText:
    """What the page says about a rule: its Vietnamese name and explanation, its English docstring."""

    id: str
    name: str
    explanation: str
    explanation_en: str = ""


@functools.lru_cache(maxsize=1)
def vietnamese_rule_texts() -> dict[str, tuple[str, str]]:
    """rule id -> (Vietnamese name, Vietnamese explanation), from corpus/rules_vi.tsv."""
    from vanban.corpus import table as corpus_table

    return {r["id"]: (r["name"], r["explanation"]) for r in corpus_table(RULE_TEXTS_FILE) if r.get("id")}


def rule_texts(english: dict[str, str] | None = None) -> dict[str, RuleText]:
    """Every rule the page may show: the Vietnamese texts, with the English docstrings when known.

    A rule without a Vietnamese row (one added since) is named by its id and explained in English.
    """
    vi = vietnamese_rule_texts()
    english = {rid: _unwrap(en) for rid, en in (english or {}).items()}
    out = {rid: RuleText(rid, name, expl, english.get(rid, "")) for rid, (name, expl) in vi.items()}
    for rid, en in english.items():
        out.setdefault(rid, RuleText(rid, rid, "", en))
    return out


def _unwrap(doc: str) -> str:
    """A docstring as paragraphs: its lines joined, blank lines kept."""
    paras = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paras)


def rule_name(texts: dict[str, RuleText], rid: str) -> str:
    t = texts.get(rid)
    return t.name if t else rid


# --------------------------------------------------------------------------- dates


def vn_date(iso: str | None) -> str:
    """2021-01-05 -> 05/01/2021, as Vietnamese documents write dates."""
    return vi_date(iso, missing="")


def vn_datetime(iso: str | None) -> str:
    """An ISO time with an offset -> 05/01/2021 14:03 in this machine's time zone."""
    if not iso:
        return ""
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is not None:
        t = t.astimezone()
    return t.strftime("%d/%m/%Y %H:%M")


# --------------------------------------------------------------------------- Vietnamese alphabetical order

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {c: i for i, c in enumerate(_ALPHABET)}
_MODIFIERS = {"\u0306": {"a": "ă"}, "\u0302": {"a": "â", "e": "ê", "o": "ô"}, "\u031b": {"o": "ơ", "u": "ư"}}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def _letters(text: str) -> list[tuple[str, int]]:
    """(letter of the Vietnamese alphabet or other character, tone) for each character of the text."""
    out: list[tuple[str, int]] = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if unicodedata.combining(ch) and out:
            base, tone = out[-1]
            if ch in _TONES:
                out[-1] = (base, _TONES[ch])
            elif base in _MODIFIERS.get(ch, ()):
                out[-1] = (_MODIFIERS[ch][base], tone)
            continue
        out.append((ch, 0))
    return out


def vn_sort_key(text: str) -> tuple:
    """Vietnamese dictionary order: a < ă < â < b ... < đ ..., letters first, then tones (a, à, ả, ã, á, ạ)."""
    letters = _letters(text or "")
    primary = tuple((0, _RANK[c]) if c in _RANK else (1, ord(c)) for c, _ in letters)
    return primary, tuple(t for _, t in letters)
