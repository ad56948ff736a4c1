"""Rules on what the plan says: targets ("Chỉ tiêu") with nothing to measure, and one
agency written several ways."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vanban.model import Agency, Decision, Finding, Loc
from vanban.rules.common import quote
from vanban.rules.engine import make_finding, rule

# A figure, a percentage, a date or a count makes a target measurable; so do words that
# fix a quantity ("tất cả", "toàn bộ", "một nửa") or a count in words.
_MEASURE = re.compile(
    r"\d|\b(?:tất cả|toàn bộ|một nửa|gấp (?:đôi|ba)|không còn|hai|ba|bốn|năm mươi|mười)\b",
    re.IGNORECASE,
)


def is_measurable(text: str) -> bool:
    """'100% TTHC được công khai' yes; 'Tăng cường kỷ luật, kỷ cương trong quản lý ngân sách' no."""
    return bool(_MEASURE.search(text or ""))


@rule("unmeasurable_target", "unmeasurable_target", "info", "targets (Chỉ tiêu) of an area with no figure, date or count")
def unmeasurable_target(dec: Decision) -> Iterator[Finding]:
    """Under "5. Cải cách tài chính công / a) Chỉ tiêu": "- Tăng cường kỷ luật, kỷ cương trong quản
    lý ngân sách, xác định rõ trách nhiệm người đứng đầu." A target nobody can say was met.
    One finding per area, naming each such bullet."""
    by_area: dict[int, list] = {}
    for t in dec.targets:
        if t.area and not t.percentages and t.value is None and not is_measurable(t.text):
            by_area.setdefault(t.area, []).append(t)
    for area, targets in sorted(by_area.items()):
        title = targets[0].area_title
        lines = ", ".join(str(t.loc.line) for t in targets)
        all_in_area = [t for t in dec.targets if t.area == area]
        share_vi = "Tất cả các" if len(targets) == len(all_in_area) else f"{len(targets)}/{len(all_in_area)}"
        share_en = "All" if len(targets) == len(all_in_area) else f"{len(targets)} of {len(all_in_area)}"
        yield make_finding(
            dec,
            "unmeasurable_target",
            f"{share_vi} Chỉ tiêu của lĩnh vực {area} \"{title}\" không có con số, tỷ lệ, thời hạn hay số lượng nào để đo (dòng {lines}).",
            f"{share_en} targets (\"Chỉ tiêu\") of area {area} \"{title}\" have no figure, percentage, date or count to measure (line{'s' if len(targets) > 1 else ''} {lines}).",
            [(quote(t.text, 200), t.loc) for t in targets],
        )


def _agency_mentions(dec: Decision) -> list[tuple[Agency, Loc]]:
    out = []
    for t in dec.tasks:
        for field_name, agencies in (("lead", t.lead_agencies), ("partners", t.partner_agencies)):
            if field_name in t.inherited:
                continue
            loc = t.cell_locs.get(field_name) or t.loc
            # a collective ("Các sở, ban, ngành cấp tỉnh") is a phrase, not an agency's name
            out.extend((a, loc) for a in agencies if not a.is_group)
    return out


@rule("agency_name_variants", "inconsistent_name", "info", "one agency written several ways in one document")
def agency_name_variants(dec: Decision) -> Iterator[Finding]:
    """"Sở TT&TT" in one row and "Sở TTTT" in another; "Văn phòng UBND tỉnh" and "VP UBND tỉnh".
    Case, spacing and tone placement ("Ủy"/"Uỷ") are not variants. Read from the task table's
    agency cells, where a reader filters and counts by agency."""
    from vanban.normalize.agencies import agency_key, name_variants

    mentions = _agency_mentions(dec)
    if not mentions:
        return
    variants = name_variants([a for a, _ in mentions])
    first_loc: dict[tuple[str, str], Loc] = {}
    for a, loc in mentions:
        first_loc.setdefault((agency_key(a.raw), a.raw), loc)
    for canonical, forms in sorted(variants.items()):
        if len(forms) < 2:
            continue
        spans = []
        for form in sorted(forms):
            loc = first_loc.get((agency_key(form), form))
            if loc is None:
                loc = next((l for (k, raw), l in first_loc.items() if raw == form), None)
            spans.append((form, loc))
        spans.sort(key=lambda s: (s[1].line or 0) if s[1] else 0)
        listed = ", ".join(f"\"{f}\"" for f, _ in spans)
        yield make_finding(
            dec,
            "agency_name_variants",
            f"Cùng một cơ quan ({canonical}) được viết theo {len(spans)} cách: {listed}.",
            f"One agency ({canonical}) is written {len(spans)} ways: {listed}.",
            spans,
        )
