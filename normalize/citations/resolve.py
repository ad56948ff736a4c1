"""Resolving a citation against the registry of known documents (`corpus/registry.tsv`)."""

from __future__ import annotations

import functools
import re
from typing import Any

from vanban.model import Citation
from vanban.corpus import table
from vanban.normalize.fold import match_key
from vanban.normalize.symbols import symbol_key


@functools.cache
def registry() -> tuple[dict[str, str], ...]:
    """The rows of `corpus/registry.tsv`: known documents with their date, issuer and status."""
    return table("registry.tsv")


@functools.cache
def _registry_index() -> tuple[dict[str, list[dict[str, str]]], dict[str, list[dict[str, str]]]]:
    by_symbol: dict[str, list[dict[str, str]]] = {}
    by_name: dict[str, list[dict[str, str]]] = {}
    for row in registry():
        by_symbol.setdefault(symbol_key(row["symbol"]), []).append(row)
        if row["short_title"]:
            by_name.setdefault(match_key(row["short_title"]), []).append(row)
    return by_symbol, by_name


@functools.lru_cache(maxsize=4096)
def _name_key(name: str) -> str:
    return match_key(name)


def _years(row: dict[str, str]) -> set[int]:
    return {int(y) for y in re.findall(r"\d{4}", row.get("year", ""))}


def _learned(c: Citation, reg: Any = None) -> dict[str, Any] | None:
    """A law cited by name and year that the registry of documents in force (`reg`, else
    `vanban.registry.current()`) has learned."""
    if c.year is None:
        return None
    if reg is None:
        from vanban.registry import current

        reg = current()
    symbol = reg.symbol_of(c.id, c.year, key=_name_key(c.id))
    if symbol is None:
        return None
    return {"symbol": symbol, "year": str(c.year), "kind": c.kind, "date": reg.value(symbol, "date") or "",
            "status": "learned", "source": "vanban registry"}


def resolve(c: Citation, learned: Any = None) -> dict[str, Any] | None:
    """The registry row of a cited document, or None. `learned`: the registry of documents in force to
    ask for a law cited by name (`vanban.registry.current()` when not given: a caller resolving many
    citations asks for it once, as finding the file costs a stat).

    Normative documents are found by their symbol (its number's leading zeros aside: "011/TT-BTC" is
    "11/TT-BTC"); non-normative and Party ones by symbol and year,
    since their numbers restart every year or term; laws cited by name by their name and year.

    >>> from vanban.normalize.citations import find_citations
    >>> resolve(find_citations("Nghị định số 30/2020/NĐ-CP")[0])["date"]
    '2020-03-05'
    >>> resolve(find_citations("Chỉ thị số 13/CT-TTg ngày 02/5/2024")[0])["status"]
    'confirmed'
    >>> resolve(find_citations("Chỉ thị số 13/CT-TTg")[0]) is None   # which year's?
    True
    """
    by_symbol, by_name = _registry_index()
    if c.number is None:
        key = _name_key(c.id)
        rows = [r for r in by_name.get(key, ()) if c.year is None or c.year in _years(r)]
        return dict(rows[0]) if len(rows) == 1 else _learned(c, learned)
    rows = by_symbol.get(symbol_key(c.id))  # "09/2010/NĐ-CP" and "9/2010/NĐ-CP" are one document
    if not rows:
        return None
    if c.normative:
        return dict(rows[0])
    if c.year is None:
        return None
    for r in rows:
        if c.year in _years(r):
            return dict(r)
    return None
