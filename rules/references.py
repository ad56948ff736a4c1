"""Rules on how the document names itself: its number and date in the header and in
the captions of its attachments ("Ban hành kèm theo Quyết định số ... ngày ...")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vanban.model import Caption, Decision, Finding, Loc
from vanban.normalize.fold import match_key
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import vi_date

_CAPTION_KIND = re.compile(r"theo\s+(?P<kind>[^\d]+?)\s+(?:số\b|số:|\d)", re.IGNORECASE)


def caption_kind(caption: Caption) -> str | None:
    """The kind of document a caption names: 'Quyết định' in '(Ban hành kèm theo Quyết định số ...)'."""
    m = _CAPTION_KIND.search(caption.text)
    return " ".join(m.group("kind").split()) if m else None


def _part_name(dec: Decision, kind: str, label: str | None) -> tuple[str, str]:
    """How a message names an attachment, in Vietnamese and in English."""
    en = {"Kế hoạch": "plan", "Phụ lục": "appendix", "Chương trình": "programme", "Quy chế": "regulation", "Quy định": "regulation", "Đề án": "scheme"}
    vi = label or kind
    return vi, f"the {en.get(kind, 'attachment')}" + (f" ({label})" if label else "")


_KIND_EN = {"Quyết định": "Decision", "Nghị quyết": "Resolution", "Kế hoạch": "Plan", "Chỉ thị": "Directive", "Nghị định": "Decree", "Thông tư": "Circular"}


def _kind_en(kind: str) -> str:
    return f"{_KIND_EN[kind]} ({kind})" if kind in _KIND_EN else kind


def _self_references(dec: Decision) -> tuple[list[tuple[str, str, str | None, str | None, str, Loc]], str | None]:
    """Every place the document names itself: (vi name, en name, number, ISO date, text, loc).

    The header comes first when it has a "Số:" line; then each attachment caption
    that names a document of the decision's own kind.
    """
    refs: list[tuple[str, str, str | None, str | None, str, Loc]] = []
    own_kind = dec.type
    if dec.number_from == "header" and dec.number_loc is not None:
        header_text = dec.text[dec.number_loc.start : dec.number_loc.end] if dec.text else dec.number
        refs.append(("Phần đầu văn bản", "the document's header", dec.number, None, header_text or dec.number or "", dec.number_loc))
    for att in dec.attachments:
        cap = att.caption
        if cap is None or not (cap.refers_to or cap.date):
            continue
        kind = caption_kind(cap)
        if own_kind and kind and match_key(kind) != match_key(own_kind):
            continue  # names another document (an appendix of the plan "kèm theo Kế hoạch số ...")
        vi, en = _part_name(dec, att.kind, att.label)
        refs.append((vi, en, cap.refers_to, cap.date, cap.text, cap.loc))
    return refs, own_kind


@rule(
    "caption_number_mismatch",
    "self_reference_mismatch",
    "error",
    "the header and the attachments' captions give the decision different numbers",
)
def caption_number_mismatch(dec: Decision) -> Iterator[Finding]:
    """The plan says "(Ban hành kèm theo Quyết định số 3248/QĐ-UBND ngày 24/12/2020 ...)" and
    the appendix "(Kèm theo Quyết định số 3218/QĐ-UBND ngày 24 tháng 12 năm 2020 ...)": one
    decision, two numbers. Compared with the header's "Số:" line when there is one, else with
    the first caption."""
    refs, kind = _self_references(dec)
    refs = [r for r in refs if r[2]]
    if len(refs) < 2:
        return
    base = refs[0]
    kind = kind or "Quyết định"
    for other in refs[1:]:
        if other[2] == base[2]:
            continue
        yield make_finding(
            dec,
            "caption_number_mismatch",
            f"{base[0]} ghi ban hành kèm theo {kind} số {base[2]}, {other[0]} ghi {other[2]}: cùng một văn bản nhưng hai số hiệu khác nhau.",
            f"{base[1][:1].upper() + base[1][1:]} says it was issued with {_kind_en(kind)} No. {base[2]}; {other[1]} says No. {other[2]}: "
            "one document, two numbers.",
            [(base[4], base[5]), (other[4], other[5])],
        )


@rule(
    "caption_date_mismatch",
    "self_reference_mismatch",
    "error",
    "the header and the attachments' captions give the decision different dates",
)
def caption_date_mismatch(dec: Decision) -> Iterator[Finding]:
    """The plan says "kèm theo Quyết định số 3248/QĐ-UBND ngày 24/12/2020" and the appendix
    "... ngày 25 tháng 12 năm 2020". Dates are compared as calendar dates, so "24/12/2020" and
    "ngày 24 tháng 12 năm 2020" agree."""
    refs, kind = _self_references(dec)
    kind = kind or "Quyết định"
    dated = [r for r in refs if r[3]]
    base = None
    if dec.number_from == "header" and dec.date and dec.date_loc is not None:
        header_text = dec.text[dec.date_loc.start : dec.date_loc.end] if dec.text else dec.date
        base = ("Phần đầu văn bản", "the document's header", dec.number, dec.date, header_text, dec.date_loc)
    elif dated:
        base, dated = dated[0], dated[1:]
    if base is None:
        return
    for other in dated:
        if other[3] == base[3]:
            continue
        yield make_finding(
            dec,
            "caption_date_mismatch",
            f"{base[0]} ghi {kind} ngày {vi_date(base[3])}, {other[0]} ghi ngày {vi_date(other[3])}.",
            f"{base[1][:1].upper() + base[1][1:]} dates the {_kind_en(kind)} {base[3]}; {other[1]} dates it {other[3]}.",
            [(base[4], base[5]), (other[4], other[5])],
        )
