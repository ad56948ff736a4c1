"""Agencies named in task-table cells: split a lead/partner cell into bodies and name each canonically.

The gazetteer is `corpus/agencies.tsv` (package data of `vanban.corpus`), loaded once.

>>> [a.canonical for a in split_agencies("Sở Nội vụ, Sở KH&CN, Sở TTTT")]
['Sở Nội vụ', 'Sở Khoa học và Công nghệ', 'Sở Thông tin và Truyền thông']
>>> canonical_name("VP UBND tỉnh")
'Văn phòng UBND tỉnh'
>>> agency_key("Sở TT&TT") == agency_key("Sở TTTT")
True

How a cell is split (`split_agencies`):

1. at ";" and at bulleted lines ("- Sở A" / "- Sở B"): Lâm Đồng cells separate bodies with ";";
2. each segment at "," and " và " (never inside parentheses), then the pieces are put
   back together, left to right, by the first of these that applies:
   - the longest run of pieces that is a gazetteer name ("Sở Kế hoạch và Đầu tư",
     "Các sở, ban, ngành cấp tỉnh", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh");
   - a collective run: bare collective nouns sharing one qualifier ("Các cơ quan, đơn vị
     trực tiếp sử dụng ngân sách nhà nước") is one group, even when unknown;
   - a shared head: "Các Sở: TT&TT, Nội vụ" and "Sở Nội vụ, Tư pháp" give "Sở ..." to each
     item; "UBND cấp huyện, xã" gives "UBND cấp huyện" and "UBND cấp xã" (split, not one group);
   - a piece that does not start like an agency (lower case, not a head word such as "Sở",
     "các", "đơn vị") continues the unknown name before it;
3. "Mời ..." / "Đề nghị ..." marks the agencies after it `invited` (outside the issuer's
   authority); "Lãnh đạo Sở X" names Sở X. Both markers are left out of `raw`.

A cell that assigns by reference ("Theo phân công tại Quyết định số 1441/QĐ-UBND ...") is one
unknown agency, not split. Unknown names keep their written form, spaces tidied and the first
letter capitalised, as canonical.

Matching folds case, spacing, NFD/NFC, look-alike letters, tone placement ("Ủy"/"Uỷ"), "&" and
"và", hyphens and commas, runs of capitals ("TT&TT" = "TT-TT" = "TTTT") and the usual
abbreviations UBND, HĐND, VP, UBMTTQ, MTTQ, VN. A name followed by "tỉnh <Province>", or with
"tỉnh" added or left out, still matches; a parenthesised note after a name is ignored for matching.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from vanban.corpus import table
from vanban.model import Agency
from vanban.normalize.fold import (
    clean_spaces,
    fold_homoglyphs,
    fold_tone_placement,
    nfc,
    remembered,
    strip_diacritics,
    tone_key,
)

LEVELS: tuple[str, ...] = ("central", "province", "district", "commune", "party", "mass", "any")
KINDS: tuple[str, ...] = ("body", "group")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One row of `corpus/agencies.tsv`."""

    canonical: str
    level: str
    kind: str
    code: str
    variants: tuple[str, ...]
    example: str
    source: str
    valid_from: str = ""  # ISO day the body began, when it began within the documents' time
    valid_until: str = ""  # ISO day it ceased ("Sở Tài nguyên và Môi trường": 2025-02-28)
    successor: str = ""  # the body that took over its work
    validity: str = ""  # confirmed, single_source or memory: how sure the dates are
    validity_source: str = ""

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def written_forms(self) -> tuple[str, ...]:
        """The canonical name, its variants and its code: every form that must resolve to it."""
        return (self.canonical, *self.variants, *((self.code,) if self.code else ()))


# --------------------------------------------------------------------------- folding

# Abbreviations expanded before matching, so "VP UBND tỉnh", "VPUBND tỉnh" and "Văn phòng
# Ủy ban nhân dân tỉnh" need no variants of their own. Only unambiguous ones: "TP" (thành phố
# or Tư pháp) and "TT" (thông tin, trung tâm, thường trực) are not here.
_EXPANSIONS = {
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "VP": "văn phòng",
    "VPUBND": "văn phòng ủy ban nhân dân",
    "UBMTTQVN": "ủy ban mặt trận tổ quốc việt nam",
    "UBMTTQ": "ủy ban mặt trận tổ quốc",
    "MTTQVN": "mặt trận tổ quốc việt nam",
    "MTTQ": "mặt trận tổ quốc",
    "VN": "việt nam",
}
_CONNECTORS = re.compile(r"[&,;:.()\[\]\"'“”‘’/+\-–—]")
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")


def _is_abbreviation(token: str) -> bool:
    """'TT', 'KH', 'LĐ', 'UBND': capitals only, no vowel marks (Đ has no decomposition)."""
    return (
        len(token) <= 8
        and token.isalpha()
        and token.isupper()
        and not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", token))
    )


@remembered()
def _name_key(name: str) -> str:
    """The matching key of a name as written: `match_key`'s folding (case, spacing, look-alikes, tone
    placement) plus what names of bodies vary in: "và", hyphens and "&" between parts, runs of
    capitals merged ("TT TT" = "TTTT") and the usual abbreviations expanded. (`agency_key` goes
    through the gazetteer first.)

    >>> _name_key("Sở TT&TT") == _name_key("Sở TT-TT") == _name_key("Sở TTTT")
    True
    >>> _name_key("VP UBND tỉnh") == _name_key("Văn phòng Uỷ ban nhân dân tỉnh")
    True
    >>> _name_key("Đài Phát thanh - Truyền hình tỉnh") == _name_key("Đài Phát thanh và Truyền hình tỉnh")
    True
    """
    text, _ = fold_homoglyphs(clean_spaces(nfc(name)))
    text = fold_tone_placement(text)
    has_lower = any(ch.islower() for ch in text)
    tokens = [t for t in _CONNECTORS.sub(" ", text).split() if t.lower() != "và"]
    out: list[str] = []
    run: list[str] = []  # consecutive abbreviation tokens, merged: "TT TT" -> "TTTT"

    def flush() -> None:
        if run:
            out.append("".join(run).lower())
            run.clear()

    for tok in tokens:
        if tok in _EXPANSIONS:
            flush()
            out.append(_EXPANSIONS[tok])
        elif has_lower and _is_abbreviation(tok):
            run.append(tok)
        else:
            flush()
            out.append(tok.lower())
    flush()
    return " ".join(out)



# --------------------------------------------------------------------------- gazetteer


_VALIDITY_COLUMNS = ("valid_from", "valid_until", "successor", "validity", "validity_source")


@functools.cache
def gazetteer() -> tuple[GazetteerEntry, ...]:
    """The rows of `corpus/agencies.tsv`, read once."""
    entries = []
    for row in table("agencies.tsv"):
        variants = tuple(v.strip() for v in row["variants"].split("|") if v.strip())
        entries.append(
            GazetteerEntry(
                canonical=row["canonical"],
                level=row["level"],
                kind=row["kind"],
                code=row["code"],
                variants=variants,
                example=row["example"],
                source=row["source"],
                **{k: row[k] for k in _VALIDITY_COLUMNS},
            )
        )
    return tuple(entries)


@functools.cache
def _index() -> tuple[dict[str, GazetteerEntry], dict[str, GazetteerEntry | None]]:
    """Key -> entry, and diacritic-free key -> entry (None when two entries share it)."""
    by_key: dict[str, GazetteerEntry] = {}
    bare: dict[str, GazetteerEntry | None] = {}
    for entry in gazetteer():
        for form in entry.written_forms:
            key = _name_key(form)
            by_key.setdefault(key, entry)
            plain = strip_diacritics(key)
            if bare.get(plain, entry) is not entry:
                bare[plain] = None
            else:
                bare[plain] = entry
    return by_key, bare


@functools.cache
def _max_pieces() -> int:
    """How many comma/"và" pieces the longest gazetteer name has."""
    return max(len(_split_pieces(form)) for e in gazetteer() for form in e.written_forms)


_PROVINCE_TAIL = re.compile(r"^(.*\btỉnh)((?:\s+\w+){1,4})\s*$")


def _province_tail(name: str) -> str | None:
    """'Công an tỉnh Lâm Đồng' -> 'Công an tỉnh': the name without a province's proper name."""
    m = _PROVINCE_TAIL.match(" ".join(nfc(name).split()))
    if m and all(w[:1].isupper() for w in m.group(2).split()):
        return m.group(1)
    return None

_BARE_ORGANS = {_name_key("Ủy ban nhân dân"), _name_key("Hội đồng nhân dân")}


@functools.lru_cache(maxsize=8192)
def lookup(name: str) -> GazetteerEntry | None:
    """The gazetteer entry a single name resolves to, or None.

    >>> lookup("Sở TT-TT").canonical
    'Sở Thông tin và Truyền thông'
    >>> lookup("Công an tỉnh Lâm Đồng").canonical
    'Công an tỉnh'
    >>> lookup("Sở Nông nghiệp và Môi trường (Văn phòng Đăng ký đất đai tỉnh)").canonical
    'Sở Nông nghiệp và Môi trường'
    >>> lookup("Nội vụ") is None
    True
    """
    by_key, bare = _index()
    key = _name_key(name)
    if not key:
        return None
    candidates = [key]
    unparenthesised = _name_key(_PARENTHESIS.sub("", name))
    if unparenthesised and unparenthesised != key:
        candidates.append(unparenthesised)
    province = _province_tail(name)
    if province:  # "Công an tỉnh Lâm Đồng" -> "Công an tỉnh"
        candidates.append(_name_key(province))
    for k in list(candidates):
        if k.endswith(" tỉnh"):  # "Sở Tư pháp tỉnh" -> "Sở Tư pháp"
            candidates.append(k[: -len(" tỉnh")])
        elif k not in _BARE_ORGANS:  # "Công an" -> "Công an tỉnh", in a provincial document
            candidates.append(k + " tỉnh")
    for k in candidates:
        if k in by_key:
            return by_key[k]
    for k in candidates:
        entry = bare.get(strip_diacritics(k))
        if entry is not None:
            return entry
    return None


def canonical_name(name: str) -> str | None:
    """The gazetteer name of one agency, or None when it is not in the gazetteer.

    >>> canonical_name("Mời UBMTTQVN tỉnh") is None  # one name, not a cell: use split_agencies
    True
    >>> canonical_name("UBMTTQ VN tỉnh")
    'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh'
    >>> canonical_name("Sở VH,TT&DL")
    'Sở Văn hóa, Thể thao và Du lịch'
    """
    entry = lookup(name)
    return entry.canonical if entry else None


def agency_key(name: str) -> str:
    """The key by which one agency's written forms are grouped (the `inconsistent_name` rule).

    Known names share their canonical's key; an unknown name gets its own folded form, so
    unknown names differing only in case, spacing, tone placement or "&"/"và" share a key.

    >>> agency_key("Văn phòng UBND tỉnh") == agency_key("VP UBND tỉnh")
    True
    >>> agency_key("UBND xã Đức Trọng") == agency_key("Uỷ ban nhân dân xã Đức  Trọng")
    True
    >>> agency_key("Sở Nội vụ") == agency_key("Bộ Nội vụ")
    False
    """
    entry = lookup(name)
    return _name_key(entry.canonical) if entry else _name_key(name)


# --------------------------------------------------------------------------- splitting

_SEPARATOR = re.compile(r"\s*,\s*|\s+và\s+", re.IGNORECASE)


def _split_pieces(text: str) -> list[tuple[str, str]]:
    """Pieces between "," and " và " outside parentheses, each with the separator before it."""
    pieces: list[tuple[str, str]] = []
    start, sep_before = 0, ""
    for m in _SEPARATOR.finditer(text):
        if text.count("(", 0, m.start()) > text.count(")", 0, m.start()):
            continue  # inside "(...)"
        piece = text[start : m.start()].strip()
        if piece:
            pieces.append((sep_before, piece))
        sep_before = m.group(0).strip()
        start = m.end()
    tail = text[start:].strip()
    if tail:
        pieces.append((sep_before, tail))
    return pieces


def _join(pieces: list[tuple[str, str]]) -> str:
    out = pieces[0][1]
    for sep, piece in pieces[1:]:
        out += (", " if sep == "," else f" {sep} ") + piece
    return out


# Words a name of a body or a set of bodies starts with, in lower case.
_HEAD_WORDS = (
    "sở", "bộ", "ban", "ủy ban", "hội đồng", "văn phòng", "đài", "báo", "công an", "thanh tra",
    "trung tâm", "cổng", "hội", "liên đoàn", "tỉnh ủy", "tỉnh đoàn", "thành ủy", "huyện ủy", "đảng ủy",
    "đoàn", "kho bạc", "cục", "chi cục", "tổng cục", "phòng", "trường", "bệnh viện", "viện",
    "tòa án", "bảo hiểm", "ngân hàng", "chính phủ", "thủ tướng", "quốc hội", "mặt trận",
    "chủ tịch", "thường trực", "lãnh đạo", "mời", "đề nghị", "kiểm toán", "các", "cơ quan",
    "đơn vị", "địa phương", "tổ chức", "doanh nghiệp", "xã", "phường", "thị trấn", "huyện",
    "thị xã", "thành phố", "đặc khu", "người",
)
# Collective nouns: "các cơ quan, đơn vị [qualifier]" shares its qualifier.
_COLLECTIVE_WORDS = (
    "cơ quan", "đơn vị", "địa phương", "sở", "ban", "ngành", "tổ chức", "doanh nghiệp", "cá nhân",
    "đoàn thể", "huyện", "thị xã", "thành phố", "xã", "phường", "thị trấn", "đặc khu", "phòng",
    "trường", "hội",
)
_INVITED = re.compile(r"^(?:kính\s+)?(?:mời|đề\s+nghị)\s+", re.IGNORECASE)
_ROLE = re.compile(r"^(?:lãnh\s+đạo|thủ\s+trưởng)\s+", re.IGNORECASE)
_DISTRIBUTIVE = re.compile(r"^(?:các\s+)?(sở|bộ|ban|phòng)\s*:\s*(.+)$", re.IGNORECASE | re.DOTALL)
_DISTRIBUTIVE_NO_COLON = re.compile(r"^các\s+(sở|bộ)\s+(?=[^\W\d_])(.+)$", re.IGNORECASE | re.DOTALL)
_BY_REFERENCE = re.compile(r"^theo\s", re.IGNORECASE)
_LIST_PREFIX = re.compile(r"^(?:các|những)\s+[^\W\d_]+(?:\s[^\W\d_]+)?\s*:\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-+•*–]\s*")
_TRAILING = re.compile(r"[\s.;:,]+$")


def _lower_words(text: str) -> str:
    return tone_key(text)


def _starts_with(text: str, words: tuple[str, ...]) -> str | None:
    """The longest of `words` the text starts with, as whole words."""
    low = _lower_words(text)
    for w in _by_first_word(words).get(low.split(" ", 1)[0], ()):  # a match shares the text's first word
        if low == w or low.startswith(w + " "):
            return w
    return None


@functools.lru_cache(maxsize=64)
def _by_first_word(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The words by their first word, the longest first."""
    out: dict[str, list[str]] = {}
    for w in sorted(words, key=len, reverse=True):
        out.setdefault(w.split(" ", 1)[0], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def _strip_cac(text: str) -> str:
    return re.sub(r"^(?:các|những)\s+", "", _lower_words(text))


def _is_bare_collective(piece: str) -> bool:
    return _strip_cac(piece) in _COLLECTIVE_WORDS


def _starts_collective(piece: str) -> bool:
    return _starts_with(_strip_cac(piece), _COLLECTIVE_WORDS) is not None


def _starts_agency(piece: str) -> bool:
    first = piece.split()[0]
    if _is_abbreviation(first.strip("&-.,")) and len(first) >= 2:
        return True
    return _starts_with(piece, _HEAD_WORDS) is not None


def starts_like_agency(text: str) -> bool:
    """Whether a phrase starts as the name of a body or a set of bodies does ("Sở ...", "Các
    cơ quan ...", "UBND ...", "Báo ..."): the head words of the gazetteer's names.

    >>> starts_like_agency("Sở Tư pháp chủ trì"), starts_like_agency("Tăng cường công tác")
    (True, False)
    """
    return bool(text.strip()) and _starts_agency(text.strip())


def _tidy(text: str) -> str:
    text = _TRAILING.sub("", _BULLET.sub("", " ".join(clean_spaces(nfc(text)).split())))
    return text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _looks_like_group(name: str) -> bool:
    low = _lower_words(name)
    return (
        low.startswith(("các ", "những "))
        or _starts_with(low, ("cơ quan", "đơn vị", "địa phương", "tổ chức")) is not None
        or re.match(r"^(?:ủy ban nhân dân|ubnd|hđnd|hội đồng nhân dân) các ", low) is not None
    )


def _agency(raw: str, invited: bool, head: str = "") -> Agency:
    raw = _tidy(raw)
    entry = lookup(raw)
    if entry is None and _ROLE.match(raw):
        raw = _ROLE.sub("", raw)
        entry = lookup(raw)
    if entry is not None:
        return Agency(raw=raw, canonical=entry.canonical, is_group=entry.is_group, invited=invited, known=True)
    if head and not _starts_agency(raw):
        raw = f"{head} {raw}"
    return Agency(raw=raw, canonical=_capitalised(raw), is_group=_looks_like_group(raw), invited=invited)


def _head_prefixes(previous: Agency | None) -> list[str]:
    """'UBND cấp huyện' -> ['UBND cấp', 'UBND']: heads a bare following piece may share."""
    if previous is None or not previous.known:
        return []
    words = previous.raw.split()
    return [" ".join(words[:n]) for n in range(len(words) - 1, 0, -1)]


def _split_segment(segment: str, invited: bool) -> list[Agency]:
    head = ""
    m = _DISTRIBUTIVE.match(segment) or _DISTRIBUTIVE_NO_COLON.match(segment)
    if m and lookup(segment) is None:
        head, segment = m.group(1)[:1].upper() + m.group(1)[1:], m.group(2)
    pieces = _split_pieces(segment)
    out: list[Agency] = []
    glued_unknown = False  # the last agency is unknown and may take a continuation
    i = 0
    while i < len(pieces):
        sep, piece = pieces[i]
        piece_invited = invited
        if _INVITED.match(piece):
            piece_invited, invited = True, True  # "Mời A, B": both invited
            piece = _INVITED.sub("", piece)
            pieces[i] = (sep, piece)
        longest = min(len(pieces), i + _max_pieces())
        # 1. the longest known name over pieces i..j, with the list's head first when there is one
        found = None
        for j in range(longest, i, -1):
            text = _join(pieces[i:j])
            for cand in ([f"{head} {text}"] if head else []) + [text]:
                if lookup(cand) is not None or (_ROLE.match(cand) and lookup(_ROLE.sub("", cand))):
                    found = (j, cand)
                    break
            if found:
                break
        # 2. a collective run: "Các cơ quan, đơn vị trực tiếp sử dụng ngân sách nhà nước"
        run_end = i + 1
        if _starts_collective(piece) and _is_bare_collective(piece):
            while run_end < len(pieces) and _is_bare_collective(pieces[run_end - 1][1]) and _starts_collective(pieces[run_end][1]):
                run_end += 1
        if run_end - i > 1 and (found is None or run_end > found[0]):
            out.append(_agency(_join(pieces[i:run_end]), piece_invited))
            glued_unknown = not out[-1].known
            i = run_end
            continue
        if found:
            out.append(_agency(found[1], piece_invited))
            glued_unknown = False
            i = found[0]
            continue
        # 3. a head shared with the item before: "Sở Nội vụ, Tư pháp", "UBND cấp huyện, xã"
        shared = next((f"{p} {piece}" for p in _head_prefixes(out[-1] if out else None) if lookup(f"{p} {piece}")), None)
        if shared:
            out.append(_agency(shared, piece_invited))
            glued_unknown = False
        # 4. a continuation of the unknown name before: "Trung tâm X đầu tư, thương mại ..."
        elif glued_unknown and out and not _starts_agency(piece):
            prev = out.pop()
            joined = prev.raw + (", " if sep == "," else f" {sep} ") + piece
            out.append(_agency(joined, prev.invited))
        else:
            out.append(_agency(piece, piece_invited, head))
            glued_unknown = not out[-1].known
        i += 1
    return out


def _segments(cell: str) -> list[str]:
    """The cell cut at ";" and at bulleted lines; other line breaks are spaces."""
    lines = clean_spaces(nfc(cell)).splitlines()
    parts: list[str] = []
    current = ""
    for line in lines:
        if _BULLET.match(line) and current.strip():
            parts.append(current)
            current = ""
        current += " " + _BULLET.sub("", line) if _BULLET.match(line) else " " + line
    parts.append(current)
    segments = []
    for part in parts:
        depth_safe = re.split(r";(?![^()]*\))", part)
        segments += [" ".join(s.split()) for s in depth_safe]
    return [s for s in (_TRAILING.sub("", s).strip() for s in segments) if s]


def split_agencies(cell: str) -> list[Agency]:
    """The agencies a lead or partner cell names, in order.

    >>> [(a.canonical, a.is_group) for a in split_agencies(
    ...     "Các Sở: TT&TT, Nội vụ, Tư pháp, VP UBND tỉnh và đơn vị, địa phương liên quan")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('Sở Thông tin và Truyền thông', False), ('Sở Nội vụ', False), ('Sở Tư pháp', False),
     ('Văn phòng UBND tỉnh', False), ('Các đơn vị, địa phương liên quan', True)]
    >>> [a.canonical for a in split_agencies("Văn phòng UBND tỉnh, UBND cấp huyện, xã")]
    ['Văn phòng UBND tỉnh', 'UBND cấp huyện', 'UBND cấp xã']
    >>> a, = split_agencies("Mời UBMTTQVN tỉnh"); (a.canonical, a.invited, a.raw)
    ('Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh', True, 'UBMTTQVN tỉnh')
    >>> [a.canonical for a in split_agencies("Sở Tư pháp; UBND các xã, phường, đặc khu")]
    ['Sở Tư pháp', 'UBND cấp xã']
    """
    if not cell or not cell.strip():
        return []
    return list(_agencies_of(cell))


@remembered(limit=300, maxsize=4096)  # a cell comes back in many rows, in prose and in rules (Agency is never changed)
def _agencies_of(cell: str) -> tuple[Agency, ...]:
    text = _tidy(cell)
    if _BY_REFERENCE.match(text):
        return (Agency(raw=text, canonical=_capitalised(text)),)
    out: list[Agency] = []
    for segment in _segments(cell):
        m = _LIST_PREFIX.match(segment)
        if m and _starts_agency(segment[m.end():]):
            segment = segment[m.end():]  # "các hội: Hội Nghề cá, Hội Tin học": the names carry their own heads
        invited = bool(_INVITED.match(segment))
        out += _split_segment(_INVITED.sub("", segment), invited)
    return tuple(out)


# --------------------------------------------------------------------------- variants


def name_variants(names: Iterable[str | Agency]) -> dict[str, set[str]]:
    """Canonical name -> the distinct ways it is written among `names`.

    Takes written names (or `Agency` objects, by their `raw`). Forms that differ only in case,
    spacing or tone placement count as one (the first seen is kept), and a note in parentheses
    is left out: only real variants such as "Sở TT&TT"/"Sở TTTT" make a set of two. The `inconsistent_name` rule flags the sets
    with more than one form.

    >>> v = name_variants(["Sở TT&TT", "Sở TTTT", "Văn phòng UBND tỉnh", "VP UBND tỉnh",
    ...                    "Sở Nội vụ", "sở nội  vụ"])
    >>> sorted(v["Sở Thông tin và Truyền thông"]), sorted(v["Văn phòng UBND tỉnh"]), v["Sở Nội vụ"]
    (['Sở TT&TT', 'Sở TTTT'], ['VP UBND tỉnh', 'Văn phòng UBND tỉnh'], {'Sở Nội vụ'})
    """
    by_key: dict[str, str] = {}  # agency key -> canonical
    seen: dict[str, dict[str, str]] = {}  # canonical -> tone key -> first written form
    for item in names:
        # A note in parentheses ("Sở TT&TT (chủ trì)") is not a way of writing the name.
        written = _tidy(_PARENTHESIS.sub("", item.raw if isinstance(item, Agency) else item))
        if not written:
            continue
        key = agency_key(written)
        canonical = by_key.setdefault(key, canonical_name(written) or _capitalised(written))
        seen.setdefault(canonical, {}).setdefault(tone_key(written), written)
    return {canonical: set(forms.values()) for canonical, forms in seen.items()}
