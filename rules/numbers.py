"""Numbers that cannot be: a share ("Tỷ lệ ... được ...") above 100%, and a count that disagrees with the
list it introduces ("gồm 06 đơn vị:" followed by five)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vanban.model import Decision, Finding, Loc
from vanban.rules.common import line_of, quote
from vanban.rules.engine import make_finding, rule

#: "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 120%": a share of a whole, with the value in the same sentence.
_SHARE = re.compile(
    r"(?<!\w)(?P<what>[Tt][ỷỉ] lệ(?: phần trăm)?\s+(?P<of>[^.;:\t\n%]{3,120}?))\s*(?:đạt|là|bằng|chiếm|:|=)?\s*"
    r"(?:trên\s+|từ\s+)?(?P<value>\d{3,}(?:[.,]\d+)?)\s*%"
)
#: Words that make a rate a comparison, which may exceed 100%: growth, a plan, the same period, an index.
_COMPARISON = re.compile(
    r"\b(?:tăng|giảm|so với|so sánh|kế hoạch|dự toán|cùng kỳ|chỉ tiêu|tăng trưởng|vượt|chỉ số|lạm phát|lãi|"
    r"thu ngân sách|giải ngân|thực hiện|hoàn thành|biến động|bình quân|trung bình|thay đổi|nợ|vay)\b",
    re.IGNORECASE,
)


@rule("share_over_100", "invalid_reference", "info", "a share (tỷ lệ) of a whole above 100%")
def share_over_100(dec: Decision) -> Iterator[Finding]:
    """"Tỷ lệ hồ sơ được giải quyết đúng hạn đạt 120%": a share of a whole cannot pass 100%. A rate against a
    plan, a budget or last year ("tỷ lệ thu ngân sách so với dự toán đạt 112%", a growth rate) can, and is not
    a finding."""
    for m in _SHARE.finditer(dec.text):
        value = float(m["value"].replace(",", "."))
        if value <= 100 or _COMPARISON.search(m["what"]):
            continue
        loc = Loc(m.start(), m.end(), line_of(dec, m.start()))
        yield make_finding(
            dec,
            "share_over_100",
            f"Tỷ lệ vượt quá 100%: \"{quote(m.group(), 100)}\".",
            f"A share above 100%: \"{quote(m.group(), 100)}\".",
            [(m.group(), loc)],
        )


_INTRO = re.compile(
    r"(?:gồm|gồm có|bao gồm|có|sau đây|là)\s+\(?0?(?P<n>\d{1,2})\)?\s+(?P<what>[^\d\n:;]{2,60}?)\s*:\s*$", re.MULTILINE
)
#: What is counted: a noun phrase, not a span of time or an amount ("02 năm, kể từ ngày:"), nor a choice
#: ("05 hoặc 07 thành viên").
_COUNTED = re.compile(r"^(?!(?:năm|tháng|ngày|tuần|giờ|phút|lần|triệu|tỷ|nghìn|đồng|ha|km|m2|hoặc)\b)")
_QUANTITY = re.compile(r"^\s*(?:[-–+•*]|\d{1,2}\s*[.)]|[a-zđ]\s*\))?\s*(?:\d|[Mm]ột\b|[Hh]ai\b|[Bb]a\b)")
_ITEM = re.compile(r"^\s*(?:[-–+•*]\s*\S|\d{1,2}\s*[.)]\s*\S|[a-zđ]\s*\)\s*\S)")
_ITEM_KIND = re.compile(r"^\s*(?P<k>[-–+•*]|\d{1,2}\s*[.)]|[a-zđ]\s*\))")


def _kind(line: str) -> str:
    k = _ITEM_KIND.match(line)["k"]  # type: ignore[index]
    return "num" if k[0].isdigit() else ("letter" if k[0].isalpha() else k[0])


def list_after(text: str, pos: int) -> list[tuple[str, int]]:
    """The items of the list that starts on the line after `pos`: consecutive lines marked the same way
    ("- ...", "1. ...", "a) ..."), each with its offset."""
    items: list[tuple[str, int]] = []
    kind = None
    i = text.find("\n", pos)
    while i >= 0:
        j = text.find("\n", i + 1)
        line = text[i + 1 : j if j >= 0 else len(text)]
        if not _ITEM.match(line) or "\t" in line:
            break
        k = _kind(line)
        if kind is None:
            kind = k
        elif k != kind:
            break  # a sub-list or the next block
        items.append((line.strip(), i + 1))
        i = j
    return items


@rule("count_vs_list", "structure_mismatch", "info", "a count that disagrees with the list it introduces")
def count_vs_list(dec: Decision) -> Iterator[Finding]:
    """"Tổ công tác gồm 06 thành viên:" followed by five lines "- Ông ...": either a member is missing or the
    count is wrong. Only a list right after the count, each item on a line of its own with the same marker."""
    text = dec.text
    for m in _INTRO.finditer(text):
        n = int(m["n"])
        if n < 2 or not _COUNTED.match(m["what"]):
            continue
        items = list_after(text, m.end())
        if len(items) < 2 or len(items) == n or any(_QUANTITY.match(item) for item, _ in items):
            continue  # "gồm 16 chiếc: - 5 chiếc ..., - 11 chiếc ...": items that are quantities sum up, not count
        loc = Loc(m.start(), m.end(), line_of(dec, m.start()))
        first, last = items[0], items[-1]
        yield make_finding(
            dec,
            "count_vs_list",
            f"\"{quote(m.group().strip(), 80)}\" nhưng danh sách sau đó có {len(items)} mục (dòng {line_of(dec, first[1])}-"
            f"{line_of(dec, last[1])}).",
            f"\"{quote(m.group().strip(), 80)}\" but the list after it has {len(items)} items (lines {line_of(dec, first[1])}-"
            f"{line_of(dec, last[1])}).",
            [(m.group().strip(), loc), (last[0], Loc(last[1], last[1] + len(last[0]), line_of(dec, last[1])))],
        )
