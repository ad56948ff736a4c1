"""Numbers that cannot be: a share ("Tỷ lệ ... được ...") above 100% or holding a count, a count that
disagrees with the list it introduces ("gồm 06 đơn vị:" followed by five), and one named total given two
values ("Tổng số TTHC ... là 1.747" and "... là 1.647")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vanban.model import Decision, Finding, Loc
from vanban.normalize.fold import match_key
from vanban.rules.common import line_of, quote
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import YEAR

#: "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 120%": a share of a whole, with the value in the same sentence.
_SHARE = re.compile(
    r"(?P<what>[Tt](?<!\w.)[ỷỉ] lệ(?: phần trăm)?\s+(?P<of>[^.;:\t\n%]{3,120}?))\s*(?:đạt|là|bằng|chiếm|:|=)?\s*"
    r"(?:trên\s+|từ\s+)?(?P<value>\d{3,}(?:[.,]\d+)?)\s*%"
)
#: Words that make a rate a comparison, which may exceed 100%: growth, a plan, the same period, an index.
_COMPARISON = re.compile(
    r"\b(?:tăng|giảm|so với|so sánh|kế hoạch|dự toán|cùng kỳ|chỉ tiêu|tăng trưởng|vượt|chỉ số|lạm phát|lãi|"
    r"thu ngân sách|giải ngân|thực hiện|hoàn thành|biến động|bình quân|trung bình|thay đổi|nợ|vay)\b",
    re.IGNORECASE,
)


#: A share's row in a table: "Tỷ lệ hộ nghèo\t%\t16\t14,3" (the label, its unit, the figures). A map's
#: scale ("tỷ lệ 1/500") is not a share.
_SHARE_CELL = re.compile(r"^[Tt][ỷỉ] lệ(?: phần trăm)?\s+(?=[^\W\d])")
#: What a count is counted in, which a share cannot hold: "Tỷ lệ hồ sơ giải quyết đúng hạn | hồ sơ | 245".
COUNT_UNITS = (
    "người", "hồ sơ", "hộ", "xã", "phường", "đơn vị", "cơ quan", "cái", "chiếc", "lượt", "vụ", "văn bản", "thủ tục",
    "TTHC", "trường", "học sinh", "lao động", "doanh nghiệp", "dự án", "công trình", "cuộc", "lớp", "thôn", "tổ chức",
)
_COUNT_UNIT = re.compile(r"^(?:" + "|".join(map(re.escape, COUNT_UNITS)) + r")$", re.IGNORECASE)
#: "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 245 hồ sơ": a share whose value is a count.
_SHARE_COUNT = re.compile(
    r"(?P<what>[Tt](?<!\w.)[ỷỉ] lệ\s+(?P<of>[^.;:\t\n%]{3,120}?))\s*(?:đạt|là|bằng|chiếm|:|=)\s*"
    r"(?P<value>\d[\d.,]*)\s+(?P<unit>" + "|".join(map(re.escape, COUNT_UNITS)) + r")\b(?!\s*(?:/|trên|%))"
)


#: A row's number: "19", "2.1", "IV", "a)".
_ORDINAL = re.compile(r"[\dIVXivx]{1,5}(?:\.\d{1,2})*\.?|[a-zđ]\)")


def figure(cell: str) -> float | None:
    """A table cell's number: "14,3" and the spreadsheets' "14.3" are 14.3; "1.250" (a thousands dot or a
    decimal one) is ambiguous and None, as is anything that is not a number."""
    c = cell.strip()
    if not re.fullmatch(r"\d{1,4}(?:[.,]\d+)?", c) or re.fullmatch(r"\d{1,3}\.\d{3}", c):
        return None
    return float(c.replace(",", "."))


def share_rows(dec: Decision) -> Iterator[tuple[str, str, Loc, list[float]]]:
    """The table rows of shares: (label, unit, where, figures). The unit is "%" when the label says so
    ("Tỷ lệ % ...", "Tỷ lệ ... (%)") or the cell after it is "%", else the cell after the label."""
    pos = 0
    for line in dec.text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if "\t" not in line:
            continue
        cells = [c.strip() for c in line.split("\t")]
        filled = [k for k, c in enumerate(cells) if c][:2]
        if filled and _ORDINAL.fullmatch(cells[filled[0]]):
            filled = filled[1:]  # "19 | Tỷ lệ ...": the row's number, then its label
        i = filled[0] if filled else None
        if i is None or not _SHARE_CELL.match(cells[i]) or _COMPARISON.search(cells[i]):
            continue
        rest = [c for c in cells[i + 1 :] if c]
        unit = "%" if "%" in cells[i] else (rest[0].strip("()") if rest else "")
        if rest and rest[0].strip("()") == unit:
            rest = rest[1:]
        values = [v for c in rest if (v := figure(c)) is not None]
        yield cells[i], unit, Loc(start, start + len(line), line_of(dec, start)), values


@rule("share_over_100", "invalid_reference", "info", "a share (tỷ lệ) of a whole above 100%")
def share_over_100(dec: Decision) -> Iterator[Finding]:
    """"Tỷ lệ hồ sơ được giải quyết đúng hạn đạt 120%", or a table row "Tỷ lệ hộ nghèo | % | 16 | 114": a
    share of a whole cannot pass 100%. A rate against a plan, a budget or last year ("tỷ lệ thu ngân sách so
    với dự toán đạt 112%", a growth rate) can, and is not a finding."""
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
    for label, unit, loc, values in share_rows(dec):
        over = [v for v in values if v > 100]
        if unit != "%" or not over:
            continue
        shown = ", ".join(f"{v:g}".replace(".", ",") for v in over)
        yield make_finding(
            dec,
            "share_over_100",
            f"Dòng \"{quote(label, 80)}\" (đơn vị %) có giá trị vượt quá 100%: {shown}.",
            f"The row \"{quote(label, 80)}\" (in %) holds values above 100%: {shown}.",
            [(dec.text[loc.start : loc.end], loc)],
        )


@rule("share_holds_count", "invalid_reference", "info", "a share (tỷ lệ) given as a count (245 hồ sơ) instead of a percentage")
def share_holds_count(dec: Decision) -> Iterator[Finding]:
    """"Tỷ lệ hồ sơ giải quyết đúng hạn đạt 245 hồ sơ", or a table row "Tỷ lệ hộ nghèo | hộ | 1.250": a share
    is a part of a whole, in percent; a count in its place is the wrong figure, or the wrong row."""
    for m in _SHARE_COUNT.finditer(dec.text):
        if _COMPARISON.search(m["what"]):
            continue
        loc = Loc(m.start(), m.end(), line_of(dec, m.start()))
        yield make_finding(
            dec,
            "share_holds_count",
            f"Tỷ lệ nhưng ghi số lượng ({m['value']} {m['unit']}), không phải phần trăm: \"{quote(m.group(), 100)}\".",
            f"A share given as a count ({m['value']} {m['unit']}), not a percentage: \"{quote(m.group(), 100)}\".",
            [(m.group(), loc)],
        )
    for label, unit, loc, _values in share_rows(dec):
        if _COUNT_UNIT.match(unit):
            yield make_finding(
                dec,
                "share_holds_count",
                f"Dòng \"{quote(label, 80)}\" là một tỷ lệ nhưng đơn vị tính là \"{unit}\" (số lượng), không phải %.",
                f"The row \"{quote(label, 80)}\" is a share but its unit is \"{unit}\" (a count), not %.",
                [(dec.text[loc.start : loc.end], loc)],
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


#: "Tổng số thủ tục hành chính đang áp dụng là 1.747", a table's "Tổng số TTHC đang áp dụng | 1.647": a named
#: total and its value (a whole number, thousands grouped with dots).
_TOTAL = re.compile(
    r"[Tt](?<!\w.)ổng số\s+(?P<what>[^\d\n\t:;,.()\"“”%]{4,80}?)\s*(?:là|:|=|\t)\s*(?:\t\s*)*"
    r"(?P<n>\d{1,3}(?:\.\d{3})+|\d+)(?![\d,/%-]|\.\d)"
)
#: What makes two totals of one thing two different totals: a time ("năm 2024", "6 tháng", "quý II") or a part.
_TOTAL_SCOPE = re.compile(rf"(?i)\b(?:(?:năm|tháng|quý|kỳ|đợt|tuần|ngày|giai đoạn)\s+[\dIVX]+|\d+\s+tháng|{YEAR})\b")
_TOTAL_PART = re.compile(r"(?i)\b(?:trong đó|còn lại|tăng|giảm|mới|đã|chưa|đợt)\b")


def _totals(dec: Decision) -> dict[tuple[str, frozenset[str]], list[tuple[str, int, int]]]:
    """Each named total of the text by (what, the times its line names): [(value, start, end)]."""
    out: dict[tuple[str, frozenset[str]], list[tuple[str, int, int]]] = {}
    for m in _TOTAL.finditer(dec.text):
        what = match_key(m["what"])
        if len(what.split()) < 2 or _TOTAL_PART.search(m["what"]):
            continue
        a = dec.text.rfind("\n", 0, m.start()) + 1
        b = dec.text.find("\n", m.end())
        scope = frozenset(match_key(s) for s in _TOTAL_SCOPE.findall(dec.text[a : b if b >= 0 else None]))
        out.setdefault((what, scope), []).append((m["n"], m.start(), m.end()))
    return out


@rule("total_conflict", "structure_mismatch", "info", "one named total given two different values in one document")
def total_conflict(dec: Decision) -> Iterator[Finding]:
    """"Tổng số thủ tục hành chính đang áp dụng là 1.747" in one table and "... là 1.647" in another: one of
    them is wrong. Totals of different times ("năm 2024", "6 tháng") or parts ("trong đó", "còn lại") are
    different totals and are not compared."""
    for (what, _), found in _totals(dec).items():
        values = list(dict.fromkeys(v for v, _, _ in found))
        if len(values) < 2:
            continue
        firsts = [next(f for f in found if f[0] == v) for v in values]
        name = quote(dec.text[firsts[0][1] : firsts[0][2]].rsplit(values[0], 1)[0].rstrip(" :=\t").removesuffix(" là"), 80)
        listing = ", ".join(f"{v} (dòng {line_of(dec, s)})" for v, s, _ in firsts)
        listing_en = ", ".join(f"{v} (line {line_of(dec, s)})" for v, s, _ in firsts)
        yield make_finding(
            dec,
            "total_conflict",
            f"\"{name}\" được ghi với các giá trị khác nhau: {listing}.",
            f"\"{name}\" is given different values: {listing_en}.",
            [(dec.text[s:e], Loc(s, e, line_of(dec, s))) for _, s, e in firsts],
            key=what,
        )
