"""Findings as a readable table in a terminal, most severe first."""

from __future__ import annotations

import shutil
import textwrap

from vanban.model import SEVERITIES, Finding

_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def findings_table(findings: list[Finding], width: int | None = None) -> str:
    """One block per finding: severity, rule and category, where, the message, the evidence.

    Each evidence line names the part it is in (QĐ: the decision, KH: the attached plan, PL: an
    appendix) and its line (or page), then the text."""
    if not findings:
        return "No findings."
    width = width or min(shutil.get_terminal_size((100, 20)).columns, 120)
    lines: list[str] = []
    counts = {s: 0 for s in SEVERITIES}
    for f in sorted(findings, key=lambda f: (_ORDER.get(f.severity, 9), min((e.line or 0) for e in f.evidence) if f.evidence else 0)):
        counts[f.severity] = counts.get(f.severity, 0) + 1
        places = sorted({(0, e.line) if e.line else (1, e.page) for e in f.evidence if e.line or e.page})
        where = ", ".join(f"line {n}" if kind == 0 else f"page {n}" for kind, n in places)
        lines.append(f"{f.severity.upper():<8} {f.rule:<8} {f.category:<24} {where}")
        for para in (f.message, f"({f.message_en})"):
            lines.extend(textwrap.wrap(para, width - 9, initial_indent=" " * 9, subsequent_indent=" " * 9))
        for e in f.evidence[:4]:
            snippet = e.text if len(e.text) <= width - 14 else e.text[: width - 17] + "..."
            loc = f"{e.line}" if e.line else (f"p{e.page}" if e.page else "")
            part = {"decision": "QĐ", "plan": "KH", "appendix": "PL"}.get(e.part or "", "")
            lines.append(f"{'':9}{part:>2} {loc:>4} | {snippet}")
        lines.append("")
    lines.append(", ".join(f"{counts[s]} {s}" for s in SEVERITIES))
    return "\n".join(lines)
