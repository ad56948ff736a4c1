"""Citations as records (`vanban cite --json`, `citations.csv`) and as a table for a terminal."""

from __future__ import annotations

from typing import Any

from vanban.model import Citation
from vanban.normalize.citations.patterns import squeeze

#: The columns of a citation record, in order: those of `citations.csv` after its `doc_id` (DESIGN.md, the
#: output contract), and of `vanban cite --json`. `start`/`end` are character offsets in the text the citation
#: was found in (a document's normalized `text`); `line` is its 1-based line there; `page`, `part` where known.
#: `symbol` is the cited document's symbol: the `id` of a symbol, the registry's for a law cited by name.
RECORD_COLUMNS: tuple[str, ...] = (
    "id", "kind", "number", "year", "type_code", "organ_code", "date", "raw", "line", "page", "in_table",
    "date_raw", "issuer", "issuer_implied", "normative", "party", "part", "start", "end", "noise", "registry_status",
    "registry_date", "symbol",
)


def citation_record(c: Citation) -> dict[str, Any]:
    """One citation as a record of `RECORD_COLUMNS`: a row of `citations.csv` (with its `doc_id` before) and a
    line of `vanban cite --json`, built here once so that the two cannot drift apart.

    >>> from vanban.normalize.citations import find_citations
    >>> s = "Dòng 1\\nCăn cứ Nghị định số 30/2020/NĐ-CP;"
    >>> r = citation_record(find_citations(s)[0])
    >>> r["id"], r["line"], r["start"], r["end"], s[r["start"]:r["end"]]
    ('30/2020/NĐ-CP', 2, 14, 40, 'Nghị định số 30/2020/NĐ-CP')
    """
    reg = c.registry or {}
    return {
        "id": c.id,
        "kind": c.kind,
        "number": c.number,
        "year": c.year,
        "type_code": c.type_code,
        "organ_code": c.organ_code,
        "date": c.date,
        "raw": c.raw,
        "line": c.loc.line,
        "page": c.loc.page,
        "in_table": c.in_table,
        "date_raw": c.date_raw,
        "issuer": c.issuer,
        "issuer_implied": c.issuer_implied,
        "normative": c.normative,
        "party": c.party,
        "part": c.loc.part,
        "start": c.loc.start,
        "end": c.loc.end,
        "noise": ";".join(c.noise),
        "registry_status": reg.get("status"),
        "registry_date": reg.get("date"),
        "symbol": c.symbol,
    }


def format_table(citations: list[Citation]) -> str:
    """A plain-text table of citations, one a row, columns aligned, for a terminal.

    >>> from vanban.normalize.citations import find_citations
    >>> print(format_table(find_citations("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ")))
    line  id             kind       date        issuer     raw
    1     30/2020/NĐ-CP  Nghị định  2020-03-05  Chính phủ  Nghị định số 30/2020/NĐ-CP ngày 05/3/2020
    >>> print(format_table(find_citations("Luật Ban hành văn bản quy phạm pháp luật năm 2015")))
    line  id                                                       kind  date  issuer  raw
    1     Luật Ban hành văn bản quy phạm pháp luật = 80/2015/QH13  Luật                Luật Ban hành văn bản quy phạm pháp luật năm 2015
    """
    header = ("line", "id", "kind", "date", "issuer", "raw")
    rows = [header]
    for c in citations:
        raw = squeeze(c.raw)
        if len(raw) > 70:
            raw = raw[:69] + "…"
        date = c.date or (f"?{c.date_raw}" if c.date_raw else "")
        ident = c.id if not c.symbol or c.symbol == c.id else f"{c.id} = {c.symbol}"  # a law by name: its number
        rows.append((str(c.loc.line or ""), ident, c.kind, date, c.issuer or "", raw))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows)
