"""Citations of other documents in a text: find them, read their parts, resolve them in the registry.

A citation is a cited document as written ("Nghị định số 107/2020/NĐ-CP ngày 14/9/2020 của Chính phủ")
read into a `vanban.model.Citation` with a canonical id ("107/2020/NĐ-CP"). The symbol grammar is
facts §2.3; the type and organ codes, and the registry of known documents, are data in `corpus/`
(`doc_types.tsv`, `organ_codes.tsv`, `registry.tsv`).

>>> [c.id for c in find_citations("theo Nghị định số 107/2020/NĐ-CP, 108/2020/NĐ-CP ngày 14/9/2020")]
['107/2020/NĐ-CP', '108/2020/NĐ-CP']
>>> c = find_citations("Căn cứ Nghị quyết số 18-NQ/TW, ngày 25/10/2017 của Ban Chấp hành Trung ương Đảng")[0]
>>> c.id, c.kind, c.date, c.party, c.issuer
('18-NQ/TW', 'Nghị quyết', '2017-10-25', True, 'Ban Chấp hành Trung ương Đảng')
>>> c = find_citations("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")[0]
>>> c.id, c.kind, c.date, c.issuer_implied
('Luật Tổ chức chính quyền địa phương', 'Luật', '2015-06-19', 'Quốc hội')

Noise is folded for matching and reported in `Citation.noise`; `raw` keeps the text as written:

>>> c = find_citations("Nghị định 07/2025/NĐ-СР")[0]   # Cyrillic С and Р
>>> c.id, c.raw, c.noise
('07/2025/NĐ-CP', 'Nghị định 07/2025/NĐ-СР', ['cyrillic'])

Dates are day-first and never guessed: an impossible date keeps its `date_raw` and has no `date`.

>>> c = find_citations("Quyết định số 12/QĐ-UBND ngày 31/02/2020")[0]
>>> c.date, c.date_raw, c.year
(None, '31/02/2020', None)
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from vanban.model import Citation, Loc
from vanban.normalize.fold import match_key, nfc

__all__ = [
    "find_citations",
    "resolve",
    "citation_record",
    "format_table",
    "doc_types",
    "organ_codes",
    "registry",
    "RECORD_COLUMNS",
]

#: The citation columns of the output contract (DESIGN.md), in order; `start`/`end` are offsets in the line.
RECORD_COLUMNS: tuple[str, ...] = (
    "id", "kind", "number", "year", "type_code", "organ_code", "date", "raw",
    "issuer", "issuer_implied", "line", "start", "end",
)

# --------------------------------------------------------------------------- reference data


def _read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a TSV file of package `vanban.corpus`; lines starting with '#' are comments."""
    text = resources.files("vanban.corpus").joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{k: nfc((v or "").strip()) for k, v in row.items()} for row in reader]


@functools.cache
def doc_types() -> tuple[dict[str, str], ...]:
    """The rows of `corpus/doc_types.tsv`: kind, code, set (vbqppl, nd30, pre2020, pre2008, party), example."""
    return tuple(_read_tsv("doc_types.tsv"))


@functools.cache
def organ_codes() -> tuple[dict[str, str], ...]:
    """The rows of `corpus/organ_codes.tsv`: code, organ, issuer_implied, scope, example."""
    return tuple(_read_tsv("organ_codes.tsv"))


@functools.cache
def registry() -> tuple[dict[str, str], ...]:
    """The rows of `corpus/registry.tsv`: known documents with their date, issuer and status."""
    return tuple(_read_tsv("registry.tsv"))


# One character per character: folding for matching must keep offsets.
_ONE_TO_ONE = {
    **dict(zip("АВСЕНІКМОРТХУасеорху", "ABCEHIKMOPTXYaceopxy")),  # Cyrillic look-alikes
    **dict(zip("ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ", "ABEHIKMNOPTXYZ")),  # Greek look-alikes
    "Ð": "Đ", "ð": "đ",  # U+00D0/U+00F0 eth written for Đ/đ
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ",
    # PDF text layers give U+FFFE or a soft hyphen where the line broke at a hyphen ("2764/QĐ\ufffeTTg").
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\ufffe": "-", "\u00ad": "-",
}
_ONE_TO_ONE_TABLE = str.maketrans(_ONE_TO_ONE)
# Ranges rather than a set of characters: a regex scans a range class many times faster.
_NEEDS_ONE_TO_ONE = re.compile("[\u00a0\u00ad\u00d0\u00f0\u0391-\u03a9\u0400-\u04ff\u2007\u2009\u2010-\u2014"
                               "\u2212\u202f\ufffe]")
_CYRILLIC = frozenset("АВСЕНІКМОРТХУасеорху")
_GREEK = frozenset("ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2212\ufffe\u00ad")


def _build_fold_table() -> dict[int, str]:
    """Lower case without diacritics, one character for one: 'Đ' -> 'd', 'Ế' -> 'e'."""
    table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isascii() and base.isalpha():
            table[cp] = base.lower()
    table[ord("Đ")] = table[ord("đ")] = table[ord("Ð")] = table[ord("ð")] = "d"
    for k, v in _ONE_TO_ONE.items():
        table[ord(k)] = v.lower() if len(v) == 1 and v.isalpha() else v
    return table


_FOLD_TABLE = _build_fold_table()


def _fold(s: str) -> str:
    """'Nghị Định SỐ' -> 'nghi dinh so' with the same length (for windows of NFC text)."""
    return s.translate(_FOLD_TABLE)


def _strip_marks(s: str) -> str:
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
    word_kind: dict[str, str]  # folded type word -> kind
    type_words_re: re.Pattern[str]  # on folded text
    type_words_fast: re.Pattern[str]  # on the text as written


def _unique_index(codes: list[str], key) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for code in codes:
        seen.setdefault(key(code), set()).add(code)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


@functools.cache
def _codes() -> _Codes:
    type_kind: dict[tuple[str, str], str] = {}
    word_kind: dict[str, str] = {}
    for row in doc_types():
        if row["code"]:
            type_kind.setdefault((row["set"], row["code"]), row["kind"])
        word_kind.setdefault(_fold(row["kind"]), row["kind"])
    tcodes = sorted({code for _, code in type_kind})
    organs = {row["code"]: row for row in organ_codes()}
    words = sorted(word_kind, key=len, reverse=True)
    # The words before a symbol, read backwards from it (a regex matched at the start of the reversed
    # window, instead of searched for at its end): "số:", "số", a qualifier ("hành động"), the type word.
    def backwards(words: list[str], so: str, qualifiers: list[str]) -> re.Pattern[str]:
        def rev(w: str) -> str:
            return re.escape(w[::-1]).replace(r"\ ", r"\s+")
        return re.compile(
            rf"[ \t]*(?:\n[ \t]*){{0,3}}(?::?[ \t]*{so}[ \t]*(?:\n[ \t]*){{0,3}})?"
            rf"(?:(?:{'|'.join(rev(q) for q in qualifiers)})[ \t]+)?"
            rf"(?P<tw>{'|'.join(rev(w) for w in sorted(words, key=len, reverse=True))})(?!\w)",
            re.IGNORECASE,
        )

    kinds = sorted({row["kind"] for row in doc_types()})
    type_words_fast = backwards(kinds, "ốs", ["hành động", "liên ngành", "phối hợp", "thẩm định"])
    type_words_re = backwards(list(word_kind), "os", ["hanh dong", "lien nganh", "phoi hop", "tham dinh"])
    return _Codes(
        type_words_fast=type_words_fast,
        type_kind=type_kind,
        type_exact={c: c for c in tcodes},
        type_upper=_unique_index(tcodes, str.upper),
        type_folded=_unique_index(tcodes, lambda c: _strip_marks(c).upper()),
        organ_exact=organs,
        organ_upper=_unique_index(list(organs), str.upper),
        organ_folded=_unique_index(list(organs), lambda c: _strip_marks(c).upper()),
        word_kind=word_kind,
        type_words_re=type_words_re,
    )


def _lookup(token: str, exact: dict, upper: dict[str, str], folded: dict[str, str]) -> tuple[str | None, str | None]:
    """The canonical code for a written token, and the noise folded to find it."""
    if token in exact:
        return token, None
    up = token.upper()
    if up in upper:
        return upper[up], "case"
    f = _strip_marks(token).upper()
    if f in folded:
        return folded[f], "no_diacritics"
    return None, None


_TERM = re.compile(r"(?P<base>.*?[^\d])(?P<term>\d{1,2})")


def _organ(token: str) -> tuple[str | None, str | None]:
    """('QH15', None) for 'QH15', ('TTg', 'case') for 'TTG', ('HĐND', 'no_diacritics') for 'HDND'."""
    c = _codes()
    code, noise = _lookup(token, c.organ_exact, c.organ_upper, c.organ_folded)
    if code:
        return code, noise
    m = _TERM.fullmatch(token)
    if m:
        code, noise = _lookup(m["base"], c.organ_exact, c.organ_upper, c.organ_folded)
        if code in ("QH", "UBTVQH"):
            return code + m["term"], noise
    return None, None


def _type(token: str, sets: tuple[str, ...]) -> tuple[str | None, str | None]:
    c = _codes()
    code, noise = _lookup(token, c.type_exact, c.type_upper, c.type_folded)
    if code and any((s, code) in c.type_kind for s in sets):
        return code, noise
    return None, None


def _kind_of_code(code: str | None, sets: tuple[str, ...]) -> str | None:
    if not code:
        return None
    c = _codes()
    for s in sets:
        if (s, code) in c.type_kind:
            return c.type_kind[(s, code)]
    return None


def _implied_issuer(organs: list[str]) -> str | None:
    names = []
    table = _codes().organ_exact
    for code in organs:
        m = _TERM.fullmatch(code)
        row = table.get(code) or (table.get(m["base"]) if m else None)
        if row:
            names.append(row["issuer_implied"])
    return " - ".join(names) or None


# --------------------------------------------------------------------------- patterns

# A code group inside a symbol: "NĐ", "CP", "TTg", "QH15", "CCHC&PC", "QĐi". The lookahead keeps
# a Vietnamese word ("Sở") from being read as a code.
# Codes are short (the longest listed is 7 letters) and a symbol joins a few of them: the bounds keep
# a symbol inside the window `_symbols` reads after a slash, so it is found wherever it stands.
_CODE = r"[A-ZĐƯƠ][A-Za-zĐđƯưƠơ&]{0,11}\d{0,2}(?![\w&])"
_SP = r"[ \t]{0,2}"

#: A symbol, in three shapes (facts §2.3):
#:   normative      107/2020/NĐ-CP, 80/2015/QH13, 71/2007/TTLT/BTC-BNV, 66.15/2026/NQ-CP
#:   Party          39-NQ/TW, 08-QĐi/TW, 05-QC/BTCTU-BDVTU
#:   non-normative  3248/QĐ-UBND, 30c/NQ-CP, and công văn 865/VPCP-KTTH, 2231/SNV-CCHC&PC
_SYMBOL = re.compile(
    rf"""
    (?=\d)                                        # cheap first test: most positions are not digits
    (?: (?<=[Ss][ốoỐO]) | (?<![\w/.\-]) )         # a token start, or glued to "số" ("số09/2016/TT-BTC")
    (?P<num>\d{{1,5}}(?:\.\d{{1,3}})?[a-z]?)       # 107, 30c, 66.15
    (?:
        {_SP}/{_SP}(?P<year>(?:19|20)\d{{2}}){_SP}/{_SP}   # normative: /2020/
      | (?P<party>{_SP}-{_SP})(?={_CODE}{_SP}/)           # Party: 39-NQ/
      | {_SP}/{_SP}                                       # non-normative: /
    )
    (?P<codes>{_CODE}(?:{_SP}[-/]{_SP}{_CODE})?(?:[-/]{_CODE}){{0,4}})   # spaces only around the first joint
    """,
    re.VERBOSE,
)
_CODE_SPLIT = re.compile(r"[ \t]*([-/])[ \t]*")

#: Documents cited by name: "Luật Tổ chức chính quyền địa phương", "Nghị quyết Đại hội đại biểu ... lần thứ XVI".
_NAMED = re.compile(
    r"(?=[BLPHN])(?<![\w])(?P<tw>Bộ luật|Luật|Pháp lệnh|Hiến pháp|Nghị quyết(?=[ \t]+(?:Đại hội|Hội nghị)))(?=[ \t])"
)

_WS = r"[ \t]*(?:\n[ \t]*){0,3}"  # spaces, and at most a page break (blank line)
_DATE_CORE = (
    r"(?P<d>\d{1,2})[ \t]*(?P<sep>[/.\-])[ \t]*(?P<m>\d{1,2})[ \t]*(?P=sep)[ \t]*(?P<y>\d{4})(?!\d)"
    r"|(?P<d2>\d{1,2})[ \t]*(?:\n[ \t]*)?th[áa]ng[ \t]*(?:\n[ \t]*)?(?P<m2>\d{1,2})[ \t]*(?:\n[ \t]*)?n[ăa]m"
    r"[ \t]*(?:\n[ \t]*)?(?P<y2>\d{4})(?!\d)"
)
#: The date written right after a citation: ", ngày 17-4-2015", "ngày 24 tháng 12 năm 2020", "NGÀY 25/10/2017",
#: "ngày\n\n31/8/2018" (a page break), "ngay 8/4/2020" (no diacritics), or a bare "24/12/2020" after a space.
_DATE_AFTER = re.compile(
    rf"{_WS},?{_WS}ng[àa]y{_WS}(?:{_DATE_CORE})"
    rf"|[ \t]+(?P<d3>\d{{1,2}})[ \t]*(?P<sep3>[/\-])[ \t]*(?P<m3>\d{{1,2}})[ \t]*(?P=sep3)[ \t]*(?P<y3>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_YEAR_AFTER = re.compile(r"[ \t]+n[ăa]m[ \t]+(?P<y>(?:19|20)\d{2})(?!\d)", re.IGNORECASE)
_ISSUER_START = re.compile(r"[ \t]*,?[ \t]*(?:\n[ \t]*)?của[ \t]+(?:\n[ \t]*)?")
_WORD = re.compile(r"[^\W\d_][\w&]*(?:-[^\W\d_][\w&]*)?")
_GAP = re.compile(r"[ ]+(?:\n[ ]*)?|[ ]*\n[ ]*")  # a tab is a table cell's end
# An issuer's name: capitalised words, the lowercase syllable right after one ("Thủ tướng", "Ủy ban"), and
# a few lowercase words of organ names ("Ủy ban nhân dân tỉnh", "Bộ Giao thông vận tải"). What follows
# "của Chính phủ" is the title ("về ...", "ban hành ..."), so these words end an issuer.
_ISSUER_LOWER = frozenset(
    "nhân dân tỉnh huyện xã thị trấn thành phố quận phường trung ương thường vụ vận tải nông thôn nhà nước "
    "tối cao khóa khoá chính phủ quốc hội đảng bộ chấp hành".split()
)
_ISSUER_STOP = frozenset(
    "về tại theo đối trên trong để giao kèm đã được có cho với nhằm thì là trước sau đến từ hoặc năm ngày số".split()
)
_ISSUER_STOP_PAIRS = frozenset(
    {("ban", "hành"), ("quy", "định"), ("hướng", "dẫn"), ("phê", "duyệt"), ("thực", "hiện"), ("sửa", "đổi"),
     ("công", "bố"), ("thành", "lập"), ("triển", "khai"), ("tổ", "chức"), ("đồng", "ý"), ("bổ", "sung")}
)
_TITLE = re.compile(
    r"[ \t]*,?[ \t]*(?:\n[ \t]*)?(?P<t>(?:về|ban hành|quy định|hướng dẫn|phê duyệt|sửa đổi|thực hiện|công bố|thành lập)\b"
    r"[^;\t\n]*(?:\n(?![ \t]*\n)[^;\t\n]*){0,3})"
)
_TITLE_END = re.compile(r";|\.(?=\s|$)|\t|\)|“|”|\"")
_LIST_GAP = re.compile(r"[ \t]*(?:\n[ \t]*)?(?:,|,?[ \t]+và|,?[ \t]+hoặc)[ \t]*(?:\n[ \t]*)?")

# Names of laws: what may continue after a comma ("Luật Phòng, chống tham nhũng", "Luật sửa đổi, bổ sung").
_NAME_COMMA_GOES_ON = ("bổ sung", "chống", "khen thưởng")
_NAME_STOP = frozenset(
    "ngày của tại theo đã được này thì để nhằm trong trên đối hoặc do có về và hiện các là từ "
    "đến khi mà cho với nêu như".split()
)
_NAME_STOP_PAIRS = frozenset({("quy", "định"), ("hướng", "dẫn")})
_NAME_PAIR_FIRST = frozenset(a for a, _ in _NAME_STOP_PAIRS)
# Words that show "Luật" is not a name here: "Luật này", "các Luật chuyên ngành", "được Luật giao".
_NAME_GENERIC_FIRST = frozenset("này chuyên liên khác hiện mới các và cũ giao quy định cho".split())
_ROMAN = re.compile(r"[IVXLC]+")
_SPACES = re.compile(r"\s+")
_TITLE_TAIL = re.compile(r"(?:[ ,]+(?:của|và|theo|tại))+$")
#: Where names may start; found with str.find, which is much faster than a regex over the whole text.
_NAME_STARTS = ("Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp", "Nghị quyết Đại hội", "Nghị quyết Hội nghị")


# --------------------------------------------------------------------------- text preparation


@dataclass(slots=True)
class _Text:
    """The text to match in (NFC, look-alikes folded one for one) and the way back to the original."""

    original: str
    match: str
    back: list[int] | None  # match offset -> original offset, when NFC changed lengths

    def orig(self, i: int) -> int:
        return i if self.back is None else self.back[i]


def _nfc_with_offsets(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    back: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        back.extend([i] * len(piece))
        i = j
    back.append(n)
    return "".join(out), back


def _prepare(text: str) -> _Text:
    back = None
    match = text
    if not unicodedata.is_normalized("NFC", text):
        match, back = _nfc_with_offsets(text)
    if _NEEDS_ONE_TO_ONE.search(match):
        match = match.translate(_ONE_TO_ONE_TABLE)
    return _Text(text, match, back)


# --------------------------------------------------------------------------- dates


def _iso(d: str, m: str, y: str) -> str | None:
    """Day-first; None for a date that cannot exist (31/02/2020) or a year outside 1900-2099."""
    try:
        year = int(y)
        if not 1900 <= year <= 2099:
            return None
        return _dt.date(year, int(m), int(d)).isoformat()
    except ValueError:
        return None


@dataclass(slots=True)
class _DateHit:
    end: int
    raw_start: int
    iso: str | None


def _date_after(t: _Text, pos: int) -> _DateHit | None:
    window = t.match[pos:pos + 64]
    m = _DATE_AFTER.match(window)
    if not m:
        return None
    for d, mo, y in (("d", "m", "y"), ("d2", "m2", "y2"), ("d3", "m3", "y3")):
        if m[d]:
            return _DateHit(pos + m.end(), pos + m.start(d), _iso(m[d], m[mo], m[y]))
    return None


# --------------------------------------------------------------------------- reading a symbol


@dataclass(slots=True)
class _Symbol:
    id: str
    number: str
    year: int | None
    type_code: str | None
    organs: list[str]
    party: bool
    normative: bool
    code_kind: str | None
    noise: list[str] = field(default_factory=list)


def _read_symbol(m: re.Match[str], typed: bool) -> _Symbol | None:
    """The parts of a symbol match, or None when it does not read as a document symbol."""
    sym = _read_symbol_cached(m["num"], m["year"], bool(m["party"]), m["codes"], typed)
    if sym is None:
        return None
    return _Symbol(sym.id, sym.number, sym.year, sym.type_code, list(sym.organs), sym.party, sym.normative,
                   sym.code_kind, list(sym.noise))


@functools.lru_cache(maxsize=8192)
def _read_symbol_cached(num: str, year_written: str | None, party: bool, codes_written: str,
                        typed: bool) -> _Symbol | None:
    parts = _CODE_SPLIT.split(codes_written)
    codes = parts[0::2]
    noise: list[str] = []

    def note(n: str | None) -> None:
        if n and n not in noise:
            noise.append(n)

    def organ_or_written(tok: str) -> str:
        code, n = _organ(tok)
        if code:
            note(n)
            return code
        return tok

    if year_written:
        year = int(year_written)
        law_organ, n = _organ(codes[0])
        if law_organ and law_organ.rstrip("0123456789") in ("QH", "UBTVQH") and len(codes) == 1:
            note(n)
            return _Symbol(f"{num}/{year}/{law_organ}", num, year, None, [law_organ], False, True,
                           "Luật" if law_organ.startswith("QH") else "Nghị quyết", noise)
        sets = ("vbqppl", "nd30", "pre2020", "pre2008")
        tcode, n = _type(codes[0], sets)
        organs = [organ_or_written(tok) for tok in codes[1:]]
        if tcode is None:
            split = _split_glued(codes[0], sets)
            if split:
                tcode, org, n = split
                organs = [org] + organs
                note("no_hyphen")
            else:
                tcode, n = codes[0], None
        note(n)
        if not organs:
            return None
        sid = f"{num}/{year}/" + "-".join([tcode] + organs)
        return _Symbol(sid, num, year, tcode, organs, False, True, _kind_of_code(tcode, sets), noise)

    if party:
        organs = [organ_or_written(tok) for tok in codes[1:]]
        # the hyphen form is the Party's, and was the State's before 1992 ("06-LCT/HĐNN"): a State
        # organ after the slash makes it a State document written the old way
        state = bool(organs) and all(_codes().organ_exact.get(o, {}).get("scope") in ("state", "local", "central") for o in organs)
        sets = ("pre2008", "nd30", "pre2020", "vbqppl") if state else ("party",)
        tcode, n = _type(codes[0], sets)
        note(n)
        tcode = tcode or codes[0]
        sid = f"{num}-{tcode}/" + "-".join(organs)
        return _Symbol(sid, num, None, tcode, organs, not state, False, _kind_of_code(tcode, sets), noise)

    sets = ("nd30", "pre2020", "vbqppl", "pre2008")
    tcode, n = _type(codes[0], sets)
    if tcode and len(codes) >= 2:
        note(n)
        organs = [organ_or_written(codes[1])]
        units = codes[2:]
    else:
        split = _split_glued(codes[0], sets)
        first_organ, n_org = _organ(codes[0])
        if split and not first_organ:
            tcode, org, n = split
            note(n)
            note("no_hyphen")
            organs, units = [org], codes[1:]
        elif first_organ:  # công văn: organ-unit
            tcode = None
            note(n_org)
            organs, units = [first_organ], codes[1:]
        elif len(codes) >= 2 and _organ(codes[1])[0]:  # an unlisted type code: 18/BCTĐ-STP
            tcode = codes[0]
            organs, units = [organ_or_written(codes[1])], codes[2:]
        elif len(codes) >= 2 or typed:
            tcode = None
            organs, units = [codes[0]], codes[1:]
        else:
            return None
    sid = f"{num}/" + "-".join(([tcode] if tcode else []) + organs + units)
    return _Symbol(sid, num, None, tcode, organs, False, False, _kind_of_code(tcode, sets), noise)


def _split_glued(token: str, sets: tuple[str, ...]) -> tuple[str, str, str | None] | None:
    """'QĐUBND' -> ('QĐ', 'UBND', None); 'NDCP' -> ('NĐ', 'CP', 'no_diacritics'): a hyphen left out."""
    for i in range(len(token) - 1, 0, -1):
        tcode, n1 = _type(token[:i], sets)
        if tcode:
            organ, n2 = _organ(token[i:])
            if organ:
                return tcode, organ, n1 or n2
    return None


# --------------------------------------------------------------------------- the words around a citation


def _type_word_before(t: _Text, start: int) -> tuple[int, str, bool] | None:
    """(start of the type word, its kind, written without diacritics) for the words right before a symbol."""
    lo = max(0, start - 64)
    window = t.match[lo:start][::-1]
    codes = _codes()
    m = codes.type_words_fast.match(window)  # as written, the usual case
    if m:
        return start - m.end("tw"), codes.word_kind[_fold(_SPACES.sub(" ", m["tw"][::-1]))], False
    m = codes.type_words_re.match(_fold(window))  # without diacritics: "Nghi dinh so"
    if not m:
        return None
    written = window[m.start("tw"):m.end("tw")]
    kind = codes.word_kind[_SPACES.sub(" ", m["tw"][::-1])]
    return start - m.end("tw"), kind, written.isascii() and not kind.isascii()


def _issuer_after(t: _Text, pos: int) -> tuple[str, int] | None:
    """The issuer written after "của", and where it ends: "của UBND tỉnh quy định ..." -> "UBND tỉnh"."""
    m = _ISSUER_START.match(t.match, pos)
    if not m:
        return None
    text = t.match
    i = m.end()
    words: list[tuple[int, int]] = []
    while len(words) < 12:
        w = _WORD.match(text, i) or (_ROMAN.match(text, i) if words else None)
        if not w:
            break
        word = w.group()
        if word[0].islower():
            nxt = _WORD.match(text, w.end() + 1)
            pair = (word, nxt.group().lower() if nxt else "")
            if word in _ISSUER_STOP or pair in _ISSUER_STOP_PAIRS:
                break
            if word == "và":
                if not (words and nxt and nxt.group()[0].isupper()):
                    break
            elif word not in _ISSUER_LOWER and not (words and text[words[-1][0]].isupper()):
                break
        words.append((w.start(), w.end()))
        g = _GAP.match(text, w.end())
        if not g:
            break
        i = g.end()
    if not words:
        return None
    return text[words[0][0]:words[-1][1]], words[-1][1]


def _title_after(t: _Text, pos: int, limit: int) -> str | None:
    """The subject words after a citation: "về chính sách tinh giản biên chế", up to ; or . or the next citation."""
    m = _TITLE.match(t.match, pos, limit)
    if not m:
        return None
    title = m["t"]
    cut = _TITLE_END.search(title)
    if cut:
        title = title[:cut.start()]
    title = _SPACES.sub(" ", title).strip(" ,")
    title = _TITLE_TAIL.sub("", title)
    return title or None


# --------------------------------------------------------------------------- names


@dataclass(slots=True)
class _Named:
    start: int
    end: int  # end of the name
    kind: str
    name: str
    symbol_at: int | None  # a symbol follows: "Luật ... số 64/2025/QH15"


def _read_name(t: _Text, m: re.Match[str]) -> _Named | None:
    """The name after a type word: "Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ
    và Luật Tổ chức chính quyền địa phương" (an amending law names the laws it amends, so there
    "của Luật" and "và Luật" go on), "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh ... lần thứ XVI"."""
    text = t.match
    kind = m["tw"]
    resolution = kind == "Nghị quyết"
    i = m.end()
    words: list[tuple[int, int]] = []
    amending = False
    saw_of = False
    symbol_at = None
    while len(words) < 25:
        if text.startswith(",", i):
            rest = text[i + 1:i + 30].lstrip(" ")
            if resolution or not any(rest.startswith(x) for x in _NAME_COMMA_GOES_ON):
                break
            i += 1
        g = _GAP.match(text, i)
        if not g or "\n\n" in g.group():
            break
        w = _WORD.match(text, g.end()) or (_DIGITS.match(text, g.end()) if resolution else None)
        if not w or ("\n" in g.group() and not w.group()[0].islower()):
            break  # a capital after a line break starts a new paragraph; a lowercase word is a wrapped line
        word = w.group()
        low = word.lower()
        if low == "số" and (s := _NUMBER_NEXT.match(text, w.end())):
            symbol_at = s.end()
            break
        if low == "năm" and _YEAR_NEXT.match(text, w.end()):
            break
        if resolution and low == "nhiệm":
            break
        if words and low in _NAME_PAIR_FIRST:
            nxt = _WORD.match(text, w.end() + 1)
            if nxt and (low, nxt.group().lower()) in _NAME_STOP_PAIRS:
                break
        if amending and low == "của" and _LAW_NEXT.match(text, w.end()):
            saw_of = True
        elif amending and saw_of and low == "và" and _LAW_NEXT.match(text, w.end()):
            pass
        elif word[0].islower() and low in _NAME_STOP:
            break
        if not words:
            if low in _NAME_GENERIC_FIRST:
                return None
            amending = low == "sửa"
        words.append((w.start(), w.end()))
        i = w.end()
        if resolution and len(words) > 2 and _ROMAN.fullmatch(word) and \
                text[words[-2][0]:words[-2][1]].lower() in ("khóa", "khoá"):
            break  # "... khóa XII" ends a resolution's name
    if kind == "Hiến pháp" and not words:
        return _Named(m.start(), m.end(), kind, kind, None)
    if len(words) < 2 and symbol_at is None:
        return None
    end = words[-1][1] if words else m.end()
    name = _SPACES.sub(" ", text[m.start():end])
    return _Named(m.start(), end, kind, name, symbol_at)


_DIGITS = re.compile(r"\d+")
_NUMBER_NEXT = re.compile(r"[ \t]*:?[ \t]*(?:\n[ \t]*)?(?=\d)")
_YEAR_NEXT = re.compile(r"[ \t]+\d{4}")
_LAW_NEXT = re.compile(r"[ \t]+(?:các[ \t]+)?(?:Luật|Bộ luật|Pháp lệnh)")


# --------------------------------------------------------------------------- find


def find_citations(text: str) -> list[Citation]:
    """Every citation in `text`, in order of appearance.

    >>> [(c.id, c.date) for c in find_citations(
    ...     "các Nghị định số: 130/2005/NĐ-CP ngày 17/10/2005, 117/2013/NĐ-CP đối với các cơ quan nhà nước")]
    [('130/2005/NĐ-CP', '2005-10-17'), ('117/2013/NĐ-CP', None)]
    >>> c = find_citations("Chương trình hành động số 99/CTr-UBND ngày 28/5/2018 của UBND tỉnh về việc thực hiện")[0]
    >>> c.id, c.kind, c.year, c.issuer, c.issuer_implied, c.title
    ('99/CTr-UBND', 'Chương trình', 2018, 'UBND tỉnh', 'Ủy ban nhân dân', 'về việc thực hiện')
    >>> find_citations("theo TCVN ISO 9001:2015, hotline 24/24, định kỳ 3 tháng/lần, Quý IV/2021, 20%")
    []
    """
    t = _prepare(text)
    named: list[_Named] = []
    symbol_owner: dict[int, _Named] = {}
    last_end = -1
    for m in _named_starts(t.match):
        if m.start() < last_end:
            continue  # "của Luật ..." inside an amending law's name
        n = _read_name(t, m)
        if n is None:
            continue
        last_end = n.end
        if n.symbol_at is not None:
            symbol_owner[n.symbol_at] = n
        else:
            named.append(n)

    found: list[Citation] = []
    for m in _symbols(t.match):
        owner = symbol_owner.get(m.start())
        tw = None if owner else _type_word_before(t, m.start())
        sym = _read_symbol(m, typed=bool(tw or owner))
        if sym is None:
            continue
        start = owner.start if owner else (tw[0] if tw else m.start())
        kind = owner.kind if owner else (tw[1] if tw else None)
        c = _citation(t, start, m.end(), sym, kind, symbol_span=(m.start(), m.end()))
        if owner:
            c.title = owner.name
        if tw and tw[2]:
            c.noise.append("no_diacritics")
        if "glued" not in c.noise and m.start() > 0 and t.match[m.start() - 1].isalpha():
            c.noise.append("glued")
        found.append(c)
    for n in named:
        found.append(_named_citation(t, n))
    found.sort(key=lambda c: c.loc.start)
    _finish(t, found, _list_members(t, found))
    return found


_AFTER_SLASH = 100


def _symbols(text: str):
    """The matches of `_SYMBOL`, in order. Every symbol holds a "/", so only the text around slashes is
    read: a window from 20 characters before a slash ("66.15 / 2026 /", "123-QĐi /") to `_AFTER_SLASH` after it,
    more than the longest codes `_SYMBOL` takes after a slash (14 + 19 + 4 x 15 characters)."""
    lo = hi = -1
    i = text.find("/")
    while i >= 0:
        if i - 20 > hi:
            if hi > lo:
                yield from _SYMBOL.finditer(text, max(lo, 0), hi)
            lo = i - 20
        hi = i + _AFTER_SLASH
        i = text.find("/", i + 1)
    if hi > lo:
        yield from _SYMBOL.finditer(text, max(lo, 0), hi)


def _named_starts(text: str) -> list[re.Match[str]]:
    """The matches of `_NAMED`, in order, looking only where a name word occurs."""
    found = []
    for word in _NAME_STARTS:
        i = text.find(word)
        while i >= 0:
            m = _NAMED.match(text, i)
            if m and m.start() == i:
                found.append(m)
            i = text.find(word, i + 1)
    found.sort(key=lambda m: m.start())
    return found


def _citation(t: _Text, start: int, sym_end: int, sym: _Symbol, kind: str | None,
              symbol_span: tuple[int, int]) -> Citation:
    end = sym_end
    date = _date_after(t, sym_end)
    iso = date_raw = None
    if date:
        end = date.end
        iso = date.iso
        date_raw = t.match[date.raw_start:date.end]
    c = Citation(
        id=sym.id,
        kind=kind or sym.code_kind or ("Công văn" if sym.type_code is None else "Văn bản"),
        raw="",
        number=sym.number,
        year=sym.year or (int(iso[:4]) if iso else None),
        type_code=sym.type_code,
        organ_code="-".join(sym.organs) or None,
        date=iso,
        date_raw=date_raw,
        issuer_implied=_implied_issuer(sym.organs),
        party=sym.party,
        normative=sym.normative,
        noise=list(sym.noise),
        loc=Loc(start=start, end=end),
    )
    if kind is None and sym.code_kind is None and sym.type_code is None:
        c.kind = "Công văn"
    symbol_text = t.match[symbol_span[0]:symbol_span[1]]
    if " " in symbol_text or "\t" in symbol_text:
        c.noise.append("spaces")
    return c


def _named_citation(t: _Text, n: _Named) -> Citation:
    end = n.end
    year = None
    iso = date_raw = None
    date = _date_after(t, n.end)
    if date:
        end, iso = date.end, date.iso
        date_raw = t.match[date.raw_start:date.end]
        year = int(iso[:4]) if iso else None
    else:
        y = _YEAR_AFTER.match(t.match, n.end)
        if y:
            end, year = y.end(), int(y["y"])
    implied = {"Luật": "Quốc hội", "Bộ luật": "Quốc hội", "Hiến pháp": "Quốc hội",
               "Pháp lệnh": "Ủy ban Thường vụ Quốc hội"}.get(n.kind)
    return Citation(
        id=n.name,
        kind=n.kind,
        raw="",
        year=year,
        date=iso,
        date_raw=date_raw,
        issuer_implied=implied,
        party=n.kind == "Nghị quyết",
        normative=n.kind != "Nghị quyết",  # laws are normative though their symbol is not written
        loc=Loc(start=n.start, end=end),
    )


def _list_members(t: _Text, cits: list[Citation]) -> list[bool]:
    """Which citations continue a list ("..., 108/2020/NĐ-CP", "... và 19-NQ/TW"); they take the list's kind
    unless their own type code says otherwise."""
    member = [False] * len(cits)
    for i in range(1, len(cits)):
        prev, cur = cits[i - 1], cits[i]
        if cur.number and t.match[cur.loc.start].isdigit() and \
                _LIST_GAP.fullmatch(t.match, prev.loc.end, cur.loc.start):
            member[i] = True
            own = _kind_of_code(cur.type_code, ("party",) if cur.party else ("vbqppl", "nd30", "pre2020", "pre2008"))
            if own is None or prev.kind.startswith(own):
                cur.kind = prev.kind
    return member


def _finish(t: _Text, cits: list[Citation], members: list[bool]) -> None:
    """Issuers, titles, offsets into the original text, lines, noise and registry rows."""
    text = t.original
    # issuer and title after each citation; a title stops where the next citation starts
    for i, c in enumerate(cits):
        limit = cits[i + 1].loc.start if i + 1 < len(cits) else len(t.match)
        pos = c.loc.end
        iss = _issuer_after(t, pos)
        if iss and iss[1] <= limit:
            c.issuer, pos = iss
        title = _title_after(t, pos, limit)
        if title:
            c.title = c.title or title
    # the "của ..." after a list belongs to the members before it that have no date of their own:
    # "Nghị định số 107/2020/NĐ-CP, 108/2020/NĐ-CP ngày 14/9/2020 của Chính phủ"
    for i in range(len(cits) - 1, 0, -1):
        if not members[i] or cits[i].issuer is None:
            continue
        j = i - 1
        while j >= 0 and members[j + 1] and cits[j].date is None and cits[j].issuer is None:
            cits[j].issuer = cits[i].issuer
            cits[j].title = cits[j].title or cits[i].title
            j -= 1
    # offsets back into the original text, lines, noise, registry
    line = 1
    pos = 0
    # the bounds of the current line, found once per line: a line of many citations stays linear
    line_start, line_end, line_has_tab = 0, -1, False
    folded = t.match is not t.original and t.back is None or (t.back is not None and _NEEDS_ONE_TO_ONE.search(text))
    for c in cits:
        s, e = t.orig(c.loc.start), t.orig(c.loc.end)
        line += text.count("\n", pos, s)
        pos = s
        c.loc = Loc(start=s, end=e, line=line)
        c.raw = text[s:e]
        if not line_start <= s <= line_end:
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", s)
            line_end = line_end if line_end >= 0 else len(text)
            line_has_tab = "\t" in text[line_start:line_end]
        c.in_table = line_has_tab
        noise = c.noise
        if folded:  # the text had look-alikes or odd dashes: which ones are in this citation?
            if any(ch in _CYRILLIC for ch in c.raw):
                noise.append("cyrillic")
            if any(ch in _GREEK for ch in c.raw):
                noise.append("greek")
            if "Ð" in c.raw or "ð" in c.raw:
                noise.append("eth")
            if any(ch in _DASHES for ch in c.raw):
                noise.append("dash")
        if "\n" in c.raw:
            noise.append("line_break")
        if t.back is not None and not unicodedata.is_normalized("NFC", c.raw):
            noise.append("nfd")
        c.noise = list(dict.fromkeys(noise))
        if c.date_raw:
            c.date_raw = _SPACES.sub(" ", c.date_raw)
        c.registry = resolve(c)


# --------------------------------------------------------------------------- registry


@functools.cache
def _registry_index() -> tuple[dict[str, list[dict[str, str]]], list[tuple[str, dict[str, str]]]]:
    by_symbol: dict[str, list[dict[str, str]]] = {}
    by_name: list[tuple[str, dict[str, str]]] = []
    for row in registry():
        by_symbol.setdefault(row["symbol"], []).append(row)
        if row["short_title"]:
            by_name.append((match_key(row["short_title"]), row))
    return by_symbol, by_name


@functools.lru_cache(maxsize=4096)
def _name_key(name: str) -> str:
    return match_key(name)


def _years(row: dict[str, str]) -> set[int]:
    return {int(y) for y in re.findall(r"\d{4}", row.get("year", ""))}


def resolve(c: Citation) -> dict[str, Any] | None:
    """The registry row of a cited document, or None.

    Normative documents are found by their symbol; non-normative and Party ones by symbol and year,
    since their numbers restart every year or term; laws cited by name by their name and year.

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
        rows = [r for k, r in by_name if k == key and (c.year is None or c.year in _years(r))]
        return dict(rows[0]) if len(rows) == 1 else None
    rows = by_symbol.get(c.id)
    if rows is None:
        num = c.number
        alt = num.lstrip("0") if num.startswith("0") else (f"0{num}" if num.isdigit() and len(num) == 1 else None)
        if alt:
            rows = by_symbol.get(alt + c.id[len(num):])
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


# --------------------------------------------------------------------------- records and tables


def citation_record(c: Citation, text: str | None = None) -> dict[str, Any]:
    """The contract's citation columns for one citation; `start`/`end` are offsets in its line.

    Pass the text the citation was found in, so that the offsets can be counted from the start of
    the line; without it they are the offsets in the whole text (the same for a one-line text).
    A citation that runs onto the next lines ends past its first line's end.

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

    >>> print(format_table(find_citations("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ")))
    line  id             kind       date        issuer     raw
    1     30/2020/NĐ-CP  Nghị định  2020-03-05  Chính phủ  Nghị định số 30/2020/NĐ-CP ngày 05/3/2020
    """
    header = ("line", "id", "kind", "date", "issuer", "raw")
    rows = [header]
    for c in citations:
        raw = _SPACES.sub(" ", c.raw)
        if len(raw) > 70:
            raw = raw[:69] + "…"
        date = c.date or (f"?{c.date_raw}" if c.date_raw else "")
        rows.append((str(c.loc.line or ""), c.id, c.kind, date, c.issuer or "", raw))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows)
