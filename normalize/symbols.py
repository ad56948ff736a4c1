"""The symbol grammar (số, ký hiệu; facts §2.3): every stage that reads or checks a symbol imports it from here.

Three forms of one grammar, for three jobs:

- `SYMBOL`: a symbol where it stands in running text, strictly (a citation: "Nghị định số 107/2020/NĐ-CP"),
  read into its parts by `read_symbol`, its canonical id built from the code tables (`normalize/codes.py`);
- `HEADER_SYMBOL`: what follows "Số:" on a document's own number line, leniently (whatever is written there
  is the document's number), checked by `symbol_is_plausible` where OCR may have misread it;
- `CANONICAL`: the canonical ids vanban writes (the validation of `citations.csv`).

>>> [m["codes"] for m in find_symbols("theo Nghị định số 107/2020/NĐ-CP và Công văn 865/VPCP-KTTH")]
['NĐ-CP', 'VPCP-KTTH']
>>> s = read_symbol(next(find_symbols("Quyết định số 3027/QĐUBND")), typed=True)
>>> s.id, s.type_code, s.organs, s.noise
('3027/QĐ-UBND', 'QĐ', ['UBND'], ['no_hyphen'])
>>> symbol_is_plausible("779/QĐ-UBND"), symbol_is_plausible("6/QĐĐ-UBND")
(True, False)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from vanban.normalize.dates import YEAR
from vanban.normalize.codes import STATE_SETS, doc_types, kind_of_code, organ, organ_codes, organ_row, type_code

__all__ = [
    "SYMBOL", "HEADER_SYMBOL", "CANONICAL", "Symbol", "find_symbols", "read_symbol", "split_glued",
    "symbol_is_plausible", "symbol_key",
]

# A code group inside a symbol: "NĐ", "CP", "TTg", "QH15", "CCHC&PC", "QĐi". The lookahead keeps
# a Vietnamese word ("Sở") from being read as a code.
# Codes are short (the longest listed is 7 letters) and a symbol joins a few of them: the bounds keep
# a symbol inside the window `find_symbols` reads after a slash, so it is found wherever it stands.
_CODE = r"[A-ZĐƯƠ][A-Za-zĐđƯưƠơ&]{0,11}\d{0,2}(?![\w&])"
_SP = r"[ \t]{0,2}"

#: A symbol in running text, in three shapes (facts §2.3):
#:   normative      107/2020/NĐ-CP, 80/2015/QH13, 71/2007/TTLT/BTC-BNV, 66.15/2026/NQ-CP
#:   Party          39-NQ/TW, 08-QĐi/TW, 05-QC/BTCTU-BDVTU
#:   non-normative  3248/QĐ-UBND, 30c/NQ-CP, and công văn 865/VPCP-KTTH, 2231/SNV-CCHC&PC
SYMBOL = re.compile(
    rf"""
    (?P<num>\d                                    # 107, 30c, 66.15: it starts with a digit (the regex engine skips to one)
      (?: (?<=[Ss][ốoỐO]\d) | (?<![\w/.\-]\d) )    # where a token starts, or glued to "số" ("số09/2016/TT-BTC"):
                                                  # the check before the first digit, made after it
      \d{{0,4}}(?:\.\d{{1,3}})?[a-z]?)
    (?:
        {_SP}/{_SP}(?P<year>{YEAR}){_SP}/{_SP}   # normative: /2020/
      | (?P<party>{_SP}-{_SP})(?={_CODE}{_SP}/{_SP}{_CODE})   # Party: 39-NQ/TW (not "2.26 - H/c" in a table)
      | {_SP}/{_SP}                                       # non-normative: /
    )
    (?P<codes>{_CODE}(?:{_SP}[-/]{_SP}{_CODE})?(?:[-/]{_CODE}){{0,4}})   # spaces only around the first joint
    (?P<term>(?<=QH)[ \t](?:1[0-6]|[1-9])(?![\w/]|[.,]\d))?   # a term split off: "13/2003/QH 11"
    """,
    re.VERBOSE,
)
_CODE_SPLIT = re.compile(r"[ \t]*([-/])[ \t]*")

#: The symbol on a document's own number line ("Số: 3248/QĐ-UBND", "Số: 01 / 2021 / NQ-HĐND", "Số 69-KH/TU"):
#: whatever is written there, spaces and lower case included.
HEADER_SYMBOL = re.compile(
    r"(?P<symbol>\d+[a-zA-Z]?(?:\.\d+)?\s*(?:/\s*\d{4})?\s*/\s*[A-ZĐÐa-zđ][\wĐđÐ&]*(?:\s*[-/]\s*[A-ZĐÐ][\wĐđÐ&]*)*"
    r"|\d+-[A-ZĐ][\wĐđ]*/[A-ZĐ][\wĐđ-]*)"
)

#: A canonical id that is a symbol (laws cited by name are not), as a regular expression string.
CANONICAL = (
    r"^(?:\d+[a-z]?(?:\.\d+)?(?:/\d{4})?/[A-ZĐ][A-Za-zĐđ&0-9]*(?:-[A-ZĐ][A-Za-zĐđ&0-9]*)*(?:/[A-ZĐ][A-Za-zĐđ&0-9-]*)?"
    r"|\d+[a-z]?-[A-ZĐ][A-Za-zĐđ]*/[A-ZĐ][A-Za-zĐđ&0-9-]*)$"
)

#: How far after a slash `find_symbols` reads: more than the longest codes `SYMBOL` takes after a slash
#: (14 + 19 + 4 x 15 characters).
_AFTER_SLASH = 100


def find_symbols(text: str) -> Iterator[re.Match[str]]:
    """The matches of `SYMBOL`, in order. Every symbol holds a "/", so only the text around slashes is
    read: a window from 20 characters before a slash ("66.15 / 2026 /", "123-QĐi /") to `_AFTER_SLASH` after it."""
    lo = hi = -1
    i = text.find("/")
    while i >= 0:
        if i - 20 > hi:
            if hi > lo:
                yield from SYMBOL.finditer(text, max(lo, 0), hi)
            lo = i - 20
        hi = i + _AFTER_SLASH
        i = text.find("/", i + 1)
    if hi > lo:
        yield from SYMBOL.finditer(text, max(lo, 0), hi)


@dataclass(slots=True)
class Symbol:
    """A symbol read into its parts: the canonical id, number, year, type code and organs."""

    id: str
    number: str
    year: int | None
    type_code: str | None
    organs: list[str]
    party: bool
    normative: bool
    code_kind: str | None  # the kind its type code names
    noise: list[str] = field(default_factory=list)


def read_symbol(m: re.Match[str], typed: bool) -> Symbol | None:
    """The parts of a `SYMBOL` match, or None when it does not read as a document symbol.

    `typed`: a type word stands before it ("Công văn số 12/ABC"), so a lone unknown code is still a symbol.
    """
    codes = m["codes"] + m["term"].strip() if m["term"] else m["codes"]
    sym = _read_symbol_cached(m["num"], m["year"], bool(m["party"]), codes, typed)
    if sym is None:
        return None
    return Symbol(sym.id, sym.number, sym.year, sym.type_code, list(sym.organs), sym.party, sym.normative,
                  sym.code_kind, list(sym.noise))


class _Noise(list):
    def note(self, n: str | None) -> None:
        if n and n not in self:
            self.append(n)

    def organ_or_written(self, tok: str) -> str:
        code, n = organ(tok)
        if code:
            self.note(n)
            return code
        return tok


@functools.lru_cache(maxsize=8192)
def _read_symbol_cached(num: str, year_written: str | None, party: bool, codes_written: str,
                        typed: bool) -> Symbol | None:
    parts = _CODE_SPLIT.split(codes_written)
    codes = parts[0::2]
    if year_written:
        return _normative(num, int(year_written), codes, _Noise())
    if party:
        return _organ_first(num, codes, _Noise()) or _hyphen_form(num, codes, _Noise())
    return _party_with_slash(num, codes, parts[1::2], _Noise()) or _non_normative(num, codes, typed, _Noise())


def _normative(num: str, year: int, codes: list[str], noise: _Noise) -> Symbol | None:
    """107/2020/NĐ-CP, 80/2015/QH13."""
    law_organ, n = organ(codes[0])
    if law_organ and law_organ.rstrip("0123456789") in ("QH", "UBTVQH") and len(codes) == 1:
        noise.note(n)
        return Symbol(f"{num}/{year}/{law_organ}", num, year, None, [law_organ], False, True,
                      "Luật" if law_organ.startswith("QH") else "Nghị quyết", noise)
    sets = STATE_SETS
    tcode, n = type_code(codes[0], sets)
    organs = [noise.organ_or_written(tok) for tok in codes[1:]]
    if tcode is None:
        split = split_glued(codes[0], sets)
        if split:
            tcode, org, n = split
            organs = [org] + organs
            noise.note("no_hyphen")
        else:
            tcode, n = codes[0], None
    noise.note(n)
    if not organs:
        return None
    sid = f"{num}/{year}/" + "-".join([tcode] + organs)
    return Symbol(sid, num, year, tcode, organs, False, True, kind_of_code(tcode, sets), noise)


def _hyphen_form(num: str, codes: list[str], noise: _Noise) -> Symbol:
    """39-NQ/TW; the hyphen form is the Party's, and was the State's before 1992 ("06-LCT/HĐNN"): a State
    organ after the slash makes it a State document written the old way."""
    organs = [noise.organ_or_written(tok) for tok in codes[1:]]
    state = bool(organs) and all((organ_row(o) or {}).get("scope") in ("state", "local", "central") for o in organs)
    sets = ("pre2008", "nd30", "pre2020", "vbqppl") if state else ("party",)
    tcode, n = type_code(codes[0], sets)
    noise.note(n)
    tcode = tcode or codes[0]
    sid = f"{num}-{tcode}/" + "-".join(organs)
    return Symbol(sid, num, None, tcode, organs, not state, False, kind_of_code(tcode, sets), noise)


def _state_organ(token: str) -> tuple[str | None, str | None]:
    """The organ code of a State organ (national or local), or None."""
    code, n = organ(token)
    if code and (organ_row(code) or {}).get("scope") in ("state", "central", "local"):
        return code, n
    return None, None


def _organ_first(num: str, codes: list[str], noise: _Noise) -> Symbol | None:
    """The old form of the ministries, organ before the type: "999-TC/QĐ-CĐKT" (Bộ Tài chính, Quyết định,
    unit CĐKT), "212-TC/CĐKT" (no type code)."""
    if len(codes) < 2 or type_code(codes[0], ("party",))[0]:
        return None
    org, n = _state_organ(codes[0])
    if org is None:
        return None
    tcode, n2 = type_code(codes[1], STATE_SETS)
    units = codes[2:] if tcode else codes[1:]
    noise.note(n)
    noise.note(n2)
    sid = f"{num}-{org}/" + "-".join(([tcode] if tcode else []) + units)
    return Symbol(sid, num, None, tcode, [org], False, False, kind_of_code(tcode, STATE_SETS), noise)


#: Organs of the Party only: a Party type code before one of them makes a Party symbol ("18-NQ/TU").
_PARTY_ONLY = frozenset({"party"})


def _party_with_slash(num: str, codes: list[str], seps: list[str], noise: _Noise) -> Symbol | None:
    """A Party symbol written with a slash for its hyphen: "57/NQ/TW", "18/NQ-TU" are 57-NQ/TW and 18-NQ/TU."""
    if len(codes) != 2:
        return None
    tcode, n = type_code(codes[0], ("party",))
    org, n2 = organ(codes[1])
    if not tcode or not org or (organ_row(org) or {}).get("scope") not in _PARTY_ONLY:
        return None
    noise.note(n2)
    noise.note(n)
    noise.note("party_form")
    return Symbol(f"{num}-{tcode}/{org}", num, None, tcode, [org], True, False, kind_of_code(tcode, ("party",)),
                  noise)


def _non_normative(num: str, codes: list[str], typed: bool, noise: _Noise) -> Symbol | None:
    """3248/QĐ-UBND, and công văn 865/VPCP-KTTH (organ-unit, no type code)."""
    sets = ("nd30", "pre2020", "vbqppl", "pre2008")
    tcode, n = type_code(codes[0], sets)
    if tcode and len(codes) >= 2:
        noise.note(n)
        organs = [noise.organ_or_written(codes[1])]
        units = codes[2:]
    else:
        split = split_glued(codes[0], sets)
        first_organ, n_org = organ(codes[0])
        if split and not first_organ:
            tcode, org, n = split
            noise.note(n)
            noise.note("no_hyphen")
            organs, units = [org], codes[1:]
        elif first_organ:  # công văn: organ-unit
            tcode = None
            noise.note(n_org)
            organs, units = [first_organ], codes[1:]
        elif tcode and typed:  # a type code alone: "Thông tư liên bộ số 29/TTLB"
            noise.note(n)
            organs, units = [], []
        elif len(codes) >= 2 and organ(codes[1])[0]:  # an unlisted type code: 18/BCTĐ-STP
            tcode = codes[0]
            organs, units = [noise.organ_or_written(codes[1])], codes[2:]
        elif len(codes) >= 2 or typed:
            tcode = None
            organs, units = [codes[0]], codes[1:]
        else:
            return None
    sid = f"{num}/" + "-".join(([tcode] if tcode else []) + organs + units)
    return Symbol(sid, num, None, tcode, organs, False, False, kind_of_code(tcode, sets), noise)


def split_glued(token: str, sets: tuple[str, ...]) -> tuple[str, str, str | None] | None:
    """'QĐUBND' -> ('QĐ', 'UBND', None); 'NDCP' -> ('NĐ', 'CP', 'no_diacritics'): a hyphen left out."""
    for i in range(len(token) - 1, 0, -1):
        tcode, n1 = type_code(token[:i], sets)
        if tcode:
            org, n2 = organ(token[i:])
            if org:
                return tcode, org, n1 or n2
    return None


def symbol_key(symbol: str) -> str:
    """The key under which two writings of one symbol are the same: the number without its leading zeros.

    >>> symbol_key("09/2010/NĐ-CP"), symbol_key("011/TT-BTC"), symbol_key("0/QĐ")
    ('9/2010/NĐ-CP', '11/TT-BTC', '0/QĐ')
    """
    return _LEADING_ZEROS.sub("", symbol, 1) if symbol.startswith("0") else symbol


_LEADING_ZEROS = re.compile(r"^0+(?=\d)")


def symbol_is_plausible(symbol: str) -> bool:
    """A symbol whose type code (or, for a công văn, organ) is a known code and whose number is a number;
    or a law's, a National Assembly resolution's or a Standing Committee ordinance's, which has no type code:
    number, year and the legislature with its term (`N/YYYY/QHkk`, `N/YYYY/UBTVQHkk`).

    >>> symbol_is_plausible("779/QĐ-UBND"), symbol_is_plausible("6/QĐĐ-UBND")
    (True, False)
    >>> symbol_is_plausible("135/2025/QH15"), symbol_is_plausible("1211/2016/UBTVQH13"), symbol_is_plausible("135/QH15")
    (True, True, False)
    """
    if _LEGISLATURE_SYMBOL.fullmatch(symbol):
        return True
    codes = {d["code"] for d in doc_types() if d.get("code")} | {o["code"] for o in organ_codes() if o.get("code")}
    m = re.match(r"^\d+[a-z]?(?:\.\d+)?(?:/\d{4})?/(?P<code>[^-/]+)", symbol) or re.match(r"^\d+-(?P<code>[^/]+)/", symbol)
    return bool(m) and m.group("code") in codes


#: vn-format-facts: "Luật số: …/năm ban hành/QH số khóa" (80/2015/QH13), an ordinance's "…/UBTVQHkk"
_LEGISLATURE_SYMBOL = re.compile(r"\d+/(?:19|20)\d\d/(?:QH|UBTVQH)\d{1,2}")
