"""Document-type and organ codes as written in symbols, read from `corpus/doc_types.tsv` and `corpus/organ_codes.tsv`.

A written code is looked up exactly, then by case, then without diacritics, and the noise folded to
find it is said: 'TTG' is 'TTg' ('case'), 'HDND' is 'HĐND' ('no_diacritics').

>>> organ("QH15"), organ("TTG"), organ("HDND")
(('QH15', None), ('TTg', 'case'), ('HĐND', 'no_diacritics'))
>>> type_code("QD", ("nd30",)), kind_of_code("CTr", ("nd30",))
(('QĐ', 'no_diacritics'), 'Chương trình')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from vanban.corpus import table

__all__ = [
    "doc_types", "organ_codes", "strip_marks", "organ", "type_code", "kind_of_code", "implied_issuer",
    "organ_row", "STATE_SETS", "TERM",
]

#: The sets of `doc_types.tsv` that are State documents (the other one is "party").
STATE_SETS: tuple[str, ...] = ("vbqppl", "nd30", "pre2020", "pre2008")


@functools.cache
def doc_types() -> tuple[dict[str, str], ...]:
    """The rows of `corpus/doc_types.tsv`: kind, code, set (vbqppl, nd30, pre2020, pre2008, party), example."""
    return table("doc_types.tsv")


@functools.cache
def organ_codes() -> tuple[dict[str, str], ...]:
    """The rows of `corpus/organ_codes.tsv`: code, organ, issuer_implied, scope, example."""
    return table("organ_codes.tsv")


def strip_marks(s: str) -> str:
    """'QĐ' -> 'QD': ASCII letters only (marks dropped, Đ to D)."""
    return unicodedata.normalize("NFD", s).translate({ord("Đ"): "D", ord("đ"): "d"}).encode(
        "ascii", "ignore").decode()


@dataclass(frozen=True, slots=True)
class _Codes:
    """Lookup tables for type and organ codes, exact first, then by case, then without diacritics."""

    type_kind: dict[tuple[str, str], str]  # (set, code) -> kind
    type_exact: dict[str, str]
    type_upper: dict[str, str]
    type_folded: dict[str, str]
    organ_exact: dict[str, dict[str, str]]
    organ_upper: dict[str, str]
    organ_folded: dict[str, str]


def _unique_index(codes: list[str], key) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for code in codes:
        seen.setdefault(key(code), set()).add(code)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


@functools.cache
def _codes() -> _Codes:
    type_kind: dict[tuple[str, str], str] = {}
    for row in doc_types():
        if row["code"]:
            type_kind.setdefault((row["set"], row["code"]), row["kind"])
    tcodes = sorted({code for _, code in type_kind})
    organs = {row["code"]: row for row in organ_codes()}
    return _Codes(
        type_kind=type_kind,
        type_exact={c: c for c in tcodes},
        type_upper=_unique_index(tcodes, str.upper),
        type_folded=_unique_index(tcodes, lambda c: strip_marks(c).upper()),
        organ_exact=organs,
        organ_upper=_unique_index(list(organs), str.upper),
        organ_folded=_unique_index(list(organs), lambda c: strip_marks(c).upper()),
    )


def organ_row(code: str) -> dict[str, str] | None:
    """The row of `organ_codes.tsv` for a canonical organ code, or None."""
    return _codes().organ_exact.get(code)


def _lookup(token: str, exact: dict, upper: dict[str, str], folded: dict[str, str]) -> tuple[str | None, str | None]:
    """The canonical code for a written token, and the noise folded to find it."""
    if token in exact:
        return token, None
    up = token.upper()
    if up in upper:
        return upper[up], "case"
    f = strip_marks(token).upper()
    if f in folded:
        return folded[f], "no_diacritics"
    return None, None


#: An organ code with a legislature's term: "QH15" is "QH" of the 15th term.
TERM = re.compile(r"(?P<base>.*?[^\d])(?P<term>\d{1,2})")


def organ(token: str) -> tuple[str | None, str | None]:
    """('QH15', None) for 'QH15', ('TTg', 'case') for 'TTG', ('HĐND', 'no_diacritics') for 'HDND'."""
    c = _codes()
    code, noise = _lookup(token, c.organ_exact, c.organ_upper, c.organ_folded)
    if code:
        return code, noise
    m = TERM.fullmatch(token)
    if m:
        code, noise = _lookup(m["base"], c.organ_exact, c.organ_upper, c.organ_folded)
        if code in ("QH", "UBTVQH"):
            return code + m["term"], noise
    return None, None


def type_code(token: str, sets: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The canonical type code of a written token, if it is one of the given sets'."""
    c = _codes()
    code, noise = _lookup(token, c.type_exact, c.type_upper, c.type_folded)
    if code and any((s, code) in c.type_kind for s in sets):
        return code, noise
    return None, None


def kind_of_code(code: str | None, sets: tuple[str, ...]) -> str | None:
    """The document kind a type code names in the first of the sets that has it: 'QĐ' -> 'Quyết định'."""
    if not code:
        return None
    c = _codes()
    for s in sets:
        if (s, code) in c.type_kind:
            return c.type_kind[(s, code)]
    return None


def implied_issuer(organs: list[str]) -> str | None:
    """What the organ codes of a symbol say of its issuer: ['TTg'] -> 'Thủ tướng Chính phủ'."""
    return _implied_issuer(tuple(organs))


@functools.lru_cache(maxsize=4096)  # asked once per citation, of a few hundred organ codes
def _implied_issuer(organs: tuple[str, ...]) -> str | None:
    names = []
    table = _codes().organ_exact
    for code in organs:
        row = table.get(code)
        if row is None and (m := TERM.fullmatch(code)):
            row = table.get(m["base"])
        if row:
            names.append(row["issuer_implied"])
    return " - ".join(names) or None
