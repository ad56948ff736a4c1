"""Citations as records (`vanban cite --json`, `citations.csv`) and as a table for a terminal."""

from __future__ import annotations

from typing import Any

from vanban.model import Citation
from vanban.normalize.citations.patterns import SPACES

#: The citation columns of the output contract (DESIGN.md), in order; `start`/`end` are offsets in the line.
RECORD_COLUMNS: tuple[str, ...] = (
    "id", "kind", "number", "year", "type_code", "organ_code", "date", "raw",
    "issuer", "issuer_implied", "line", "start", "end",
)


def citation_record(c: Citation, text: str | None = None) -> dict[str, Any]:
    """The contract's citation columns for one citation; `start`/`end` are offsets in its line.

    Pass the text the citation was found in, so that the offsets can be counted from the start of
    the line; without it they are the offsets in the whole text (the same for a one-line text).
    A citation that runs onto the next lines ends past its first line's end.

    >>> from vanban.normalize.citations import find_citations
    >>> s = "Dòng 1\\nCăn cứ Nghị định số 30/2020/NĐ-CP;"
    >>> r = citation_record(find_citations(s)[0], s)
    >>> r["id"], r["line"], r["start"], r["end"]
    ('30/2020/NĐ-CP', 2, 7, 33)
    """
    offset = text.rfind("\n", 0, c.loc.start) + 1 if text is not None else 0
    return {
        "id": c.id,
        "kind": c.kind,
        "number": c.number,
        "year": c.year,
        "type_code": c.type_code,
        "organ_code": c.organ_code,
        "date": c.date,
        "raw": c.raw,
        "issuer": c.issuer,
        "issuer_implied": c.issuer_implied,
        "line": c.loc.line,
        "start": c.loc.start - offset,
        "end": c.loc.end - offset,
    }


def format_table(citations: list[Citation]) -> str:
    """A plain-text table of citations, one a row, columns aligned, for a terminal.

    >>> from vanban.normalize.citations import find_citations
    >>> print(format_table(find_citations("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ")))
    line  id             kind       date        issuer     raw
    1     30/2020/NĐ-CP  Nghị định  2020-03-05  Chính phủ  Nghị định số 30/2020/NĐ-CP ngày 05/3/2020
    """
    header = ("line", "id", "kind", "date", "issuer", "raw")
    rows = [header]
    for c in citations:
        raw = SPACES.sub(" ", c.raw)
        if len(raw) > 70:
            raw = raw[:69] + "…"
        date = c.date or (f"?{c.date_raw}" if c.date_raw else "")
        rows.append((str(c.loc.line or ""), c.id, c.kind, date, c.issuer or "", raw))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows)
