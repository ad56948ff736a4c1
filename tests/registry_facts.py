"""A fact the shipped registry does not know, for tests of what the checks make of a registry that learned it."""

from __future__ import annotations

from pathlib import Path

from vanban.registry import Registry, facts_of


def learn_the_land_law_replaced(path: Path) -> None:
    """Teach the registry at `path` that a law 999/2025/QH15 replaced Luật Đất đai số 31/2024/QH15 from
    01/7/2025: a real decision of 10/02/2026 citing 31/2024/QH15 (tests/data/registry) is then warned."""
    reg = Registry(path)
    rel = {"relation": "replaces", "target": "31/2024/QH15", "target_symbol": "31/2024/QH15", "effective": "2025-07-01",
           "evidence": "Luật này thay thế Luật Đất đai số 31/2024/QH15", "subject": None}
    reg.add(facts_of({"number": "999/2025/QH15", "source": "/a/999.pdf", "type": "Luật", "date": "2025-06-01",
                      "effective_date": "2025-07-01", "citations": [], "relations": [rel], "format": "pdf"}), origin="test")
    reg.close()
