"""Targets ("Chỉ tiêu"): the bullets under each area's "Chỉ tiêu" heading (or its
"a) Mục tiêu" block, as the Lâm Đồng plans write it), with their figures.

In a plan the tasks of an area are split into "a) Chỉ tiêu" (what must be
reached) and "b) Nhiệm vụ" (what will be done). The objectives ("Mục tiêu")
also hold a target when a bullet aims at a result ("Phấn đấu Chỉ số CCHC ... thuộc
nhóm 10 địa phương dẫn đầu"); that one is area 0.
"""

from __future__ import annotations

import re

from vanban.model import Heading, Target
from vanban.normalize.fold import match_key
from vanban.normalize.structure import Para
from vanban.normalize.numerals import ROMAN

_BULLET = re.compile(r"^[-–•+]\s*")
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_HEADING = re.compile(rf"^(?:{ROMAN}|\d{{1,2}}|[a-zđ])\s*[.)]\s*\S")


def percentages(text: str) -> list[float]:
    """'100% TTHC ...; tối thiểu có 20% TTHC' -> [100.0, 20.0]."""
    return [float(m.group(1).replace(",", ".")) for m in _PERCENT.finditer(text)]


def extract_targets(paras: list[Para], areas: list[Heading], first_line: int, last_line: int) -> list[Target]:
    """The targets of a plan whose paragraphs run from `first_line` to `last_line`."""
    area_lines = {a.loc.line: a for a in areas}
    targets: list[Target] = []
    area: Heading | None = None
    mode: str | None = None  # "targets" under "Chỉ tiêu", "aims" under "Mục tiêu"
    for p in paras:
        line = p.loc.line
        if line is None or line < first_line or line > last_line or p.in_table:
            continue
        text = p.text.strip()
        if line in area_lines:
            area = area_lines[line]
            mode = None
            continue
        if _HEADING.match(text) and not _BULLET.match(text):
            title = match_key(re.sub(rf"^(?:{ROMAN}|\d{{1,2}}|[a-zđ])\s*[.)]\s*", "", text)).rstrip(": ")
            is_block = bool(re.match(r"^[a-zđ]\s*\)", text))
            if title.startswith("chi tieu"):
                mode = "targets"
            elif title in ("muc tieu", "muc tieu cu the") and is_block and area is not None:
                mode = "targets"  # "a) Mục tiêu" under an area (Lâm Đồng plans) lists its targets
            elif title in ("muc tieu", "muc tieu cu the", "muc tieu chung"):
                mode, area = "aims", None
            else:
                mode = None
                if re.match(rf"^{ROMAN}\s*[.)]", text):
                    area = None
            continue
        if mode is None or not _BULLET.match(text):
            continue
        body = _BULLET.sub("", text)
        if mode == "aims" and not match_key(body).startswith("phan dau"):
            continue
        pcts = percentages(body)
        targets.append(
            Target(
                area=int(area.number) if (area and mode == "targets" and area.number.isdigit()) else 0,
                area_title=area.title if (area and mode == "targets") else "Mục tiêu",
                text=body,
                percentages=pcts,
                value=pcts[0] if pcts else None,
                unit="%" if pcts else None,
                loc=p.loc,
            )
        )
    return targets
