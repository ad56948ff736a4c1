"""`vanban registry show`: what the registry knows of one document, for a terminal or as JSON."""

from __future__ import annotations

import json
import re

from vanban.registry import Fact, Registry

_LABELS = {
    "kind": "loại", "date": "ngày ban hành", "issuer": "cơ quan ban hành", "name": "tên", "effective": "có hiệu lực từ",
    "expires": "hết hiệu lực từ", "force_status": "tình trạng hiệu lực", "replaced_by": "bị thay thế bởi",
    "repealed_by": "bị bãi bỏ bởi", "repealed_part_by": "bị bãi bỏ một phần bởi", "amended_by": "được sửa đổi bởi",
    "guided_by": "được hướng dẫn bởi",
}


def _symbol(reg: Registry, text: str) -> str:
    """A symbol as given, or the symbol of a law named with its year ("Luật Đất đai năm 2024")."""
    m = re.match(r"^(?P<name>.+?)\s+(?:năm\s+)?(?P<year>(?:19|20)\d{2})$", text.strip())
    if m and not re.search(r"\d/", text):
        found = reg.symbol_of(m.group("name"), int(m.group("year")))
        if found:
            return found
    return text.strip()


def _record(f: Fact, conflict: bool) -> dict:
    return {"subject": f.subject, "property": f.property, "value": f.value, "effective": f.effective,
            "confidence": f.confidence, "sources": sorted(set(f.sources)), "evidence": f.evidence, "conflict": conflict}


def show(reg: Registry, text: str, *, as_json: bool = False) -> int:
    symbol = _symbol(reg, text)
    facts = reg.facts(symbol)
    conflicts = reg.conflicts(symbol)
    if not facts:
        print(f"vanban: the registry knows nothing of {symbol}")
        return 1
    if as_json:
        for f in facts:
            print(json.dumps(_record(f, f.property in conflicts), ensure_ascii=False))
        return 0
    print(symbol)
    for f in facts:
        eff = f" (từ {f.effective})" if f.effective else ""
        mark = "  XUNG ĐỘT" if f.property in conflicts else ""
        print(f"  {_LABELS.get(f.property, f.property)}: {f.value}{eff}  [{f.confidence} nguồn: {'; '.join(sorted(set(f.sources)))}]{mark}")
        if f.evidence and f.property not in ("kind", "date", "effective", "expires", "force_status"):
            ev = f.evidence if len(f.evidence) <= 160 else f.evidence[:159] + "…"
            print(f"      “{ev}”")
    return 0
