"""A national database page's property table ("Thuộc tính"): what vbpl.vn records of a document.

    Số hiệu63/2023/NĐ-CP\tLoại văn bảnNghị định
    Ngành...\tNgày ban hành18/08/2023
    ...
    Cơ quan ban hànhChính phủ
    Chức danhPhó Thủ tướng\tNgười kýTrần Lưu Quang

A page saved from its "Thuộc tính" tab holds the table and the title but not the document's text (no
header, no "Số:" line), so the header stage finds nothing. The table is the national database's record of
the document; where the text gave no number, type, date, issuer, signer or subject, they are taken from it
(`number_from` "catalogue"), each with its place in the text. A consolidated text (Văn bản hợp nhất) has
"Ngày ký xác thực" (the day it was authenticated) where others have "Ngày ban hành".

The database also publishes English translations ("Decree 28/2021/ND-CP", "Law 104/2016/QH13"): the page's
title gives the type and the symbol, and the text is English, which vanban does not read (`english_page`).
"""

from __future__ import annotations

import re

from vanban.model import Decision, Loc, Signer
from vanban.normalize.header import canonical_number

#: the labels vanban reads; a value of "--" is the page's "not recorded"
LABELS = ("Số hiệu", "Loại văn bản", "Ngày ban hành", "Ngày ký xác thực", "Cơ quan ban hành", "Chức danh", "Người ký")


def property_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """A label of the table at a line's or cell's start, and its value up to the cell's end."""
    return re.compile(rf"(?:^|\t|\n)({'|'.join(labels)})\s*:?\s*([^\t\n]+)")


_PROPERTY = property_pattern(LABELS)
#: how far into the text the table stands (after the page's title, repeated a few times)
HEAD = 20000


def properties(text: str) -> dict[str, tuple[str, int]]:
    """The table's values by label, with where each value starts; only when the text holds the table (its
    "Số hiệu" and "Loại văn bản" both), and without the values the page leaves unrecorded ("--").

    >>> properties("Tiêu đề\\nSố hiệu63/2023/NĐ-CP\\tLoại văn bảnNghị định\\nChức danh--\\tNgười kýTrần Lưu Quang")
    {'Số hiệu': ('63/2023/NĐ-CP', 15), 'Loại văn bản': ('Nghị định', 41), 'Người ký': ('Trần Lưu Quang', 71)}
    """
    found: dict[str, tuple[str, int]] = {}
    for m in _PROPERTY.finditer(text[:HEAD]):
        value = m.group(2).strip()
        if value.strip("-– ") and m.group(1) not in found:
            found[m.group(1)] = (value, m.start(2))
    return found if "Số hiệu" in found and "Loại văn bản" in found else {}


def fill_from_catalogue(dec: Decision) -> None:
    """The number, type, date, issuer, signer and subject the text did not give, from the property table of
    a national database page."""
    if dec.format != "html":
        return
    props = properties(dec.text)
    if not props:
        return
    def loc(label: str) -> Loc:
        value, start = props[label]
        return Loc(start=start, end=start + len(value), line=dec.text.count("\n", 0, start) + 1)

    kind = props["Loại văn bản"][0]
    if dec.type is None and kind in _known_kinds():
        dec.type = kind
    if dec.number is None and (number := canonical_number(props["Số hiệu"][0], dec.type)):
        dec.number, dec.number_loc, dec.number_from = number, loc("Số hiệu"), "catalogue"
    _date(dec, props, loc)
    if dec.issuer is None and "Cơ quan ban hành" in props:
        dec.issuer, dec.issuer_loc = props["Cơ quan ban hành"][0], loc("Cơ quan ban hành")
    if dec.signer is None and "Người ký" in props:
        title = props.get("Chức danh", (None, 0))[0]
        dec.signer = Signer(name=props["Người ký"][0], title=title, loc=loc("Người ký"))
    if dec.subject is None and dec.number:
        _subject(dec)


#: the type words of the national database's English pages' titles
ENGLISH_KINDS = {"law": "Luật", "code": "Bộ luật", "decree": "Nghị định", "circular": "Thông tư",
                 "joint circular": "Thông tư liên tịch", "decision": "Quyết định", "resolution": "Nghị quyết",
                 "joint resolution": "Nghị quyết liên tịch", "directive": "Chỉ thị", "ordinance": "Pháp lệnh",
                 "order": "Lệnh", "constitution": "Hiến pháp"}
_TITLE = re.compile(r"(?P<kind>[^\W\d_][^\d\n]*?)[ \t]+(?:No\.[ \t]*)?(?P<symbol>\d[^\s,;]*/[^\s,;]+)[ \t]*(?=\n|$)")
#: letters only Vietnamese writes (with a diacritic, or đ): about one letter in four of a Vietnamese text
_VIETNAMESE = re.compile(r"[à-ỹÀ-Ỹđ]")
_LATIN = re.compile(r"[A-Za-z]")


def english_page(dec: Decision) -> bool:
    """A national database page holding a document's English translation: its title is a type word (English,
    or Vietnamese on older pages: "Nghị định 116/2008/NĐ-CP") and a symbol, and under one letter in fifty of
    the text after it is one that only Vietnamese writes. Its type and number are read from the title, and a
    note says the text was not read: the tasks, targets, citations and the checks of form are for Vietnamese.
    """
    if dec.format != "html":
        return False
    m = _TITLE.match(dec.text)
    if m is None:
        return False
    body = dec.text[m.end():m.end() + 20000]
    latin = len(_LATIN.findall(body))
    if latin < 200 or len(_VIETNAMESE.findall(body)) * 50 >= latin:
        return False
    written = " ".join(m["kind"].split())
    kind = ENGLISH_KINDS.get(written.lower()) or (written if written in _known_kinds() else None)
    dec.translation = "en"
    dec.notes.append("the national database's English translation of the document: its type and number are "
                     "read from the page's title; its text is not read (vanban reads Vietnamese documents)")
    if dec.type is None and kind:
        dec.type = kind
    if dec.number is None and (number := _symbol(m["symbol"])):
        dec.number, dec.number_from = number, "title"
        dec.number_loc = Loc(start=m.start("symbol"), end=m.end("symbol"), line=1)
    return True


#: a Vietnamese page's title: the type word, the name of a law ("Luật Xây dựng"), "số" and the symbol
_VI_TITLE = re.compile(r"(?P<before>[^\n]{0,300}?)\bsố[ \t]+(?P<symbol>\d[^\s,;]*/[^\s,;]+)")


def number_from_title(dec: Decision) -> None:
    """The number of a national database page whose text does not give it, from the page's title: a law's
    page holds the law from its name down ("LUẬT / XÂY DỰNG"), without the "Luật số: 135/2025/QH15" of its
    header, and its title says "Luật Xây dựng số 135/2025/QH15". The title must start with the document's
    type word, and its first citation must be the title itself ("Thông tư hướng dẫn Luật số 135/2025/QH15"
    is a circular's title citing a law) with a plausible symbol."""
    from vanban.normalize.citations import find_citations
    from vanban.normalize.symbols import symbol_is_plausible

    if dec.format != "html" or dec.number is not None or dec.translation or not dec.type:
        return
    m = _VI_TITLE.match(dec.text)
    if m is None or not m["before"].casefold().startswith(dec.type.casefold()):
        return
    cites = find_citations(dec.text[:m.end()])
    if cites and cites[0].loc.start == 0 and cites[0].number and symbol_is_plausible(cites[0].id):
        dec.number, dec.number_from = cites[0].id, "title"
        dec.number_loc = Loc(start=m.start("symbol"), end=m.end("symbol"), line=1)


def _known_kinds() -> set[str]:
    """The kinds of `corpus/doc_types.tsv`."""
    from vanban.normalize.codes import doc_types

    return {row["kind"] for row in doc_types()}


def _symbol(written: str) -> str | None:
    """A symbol as vanban writes it ("28/2021/ND-CP" -> "28/2021/NĐ-CP"), or None."""
    from vanban.normalize.symbols import find_symbols, read_symbol

    m = next(find_symbols(written), None)
    sym = read_symbol(m, typed=True) if m is not None and m.start() == 0 else None
    return sym.id if sym else None


def _date(dec: Decision, props: dict[str, tuple[str, int]], loc) -> None:
    from vanban.normalize.dates import find_dates

    if dec.date is not None:
        return
    for label in ("Ngày ban hành", "Ngày ký xác thực"):
        if label in props and (found := find_dates(props[label][0])) and found[0].iso:
            dec.date, dec.date_loc = found[0].iso, loc(label)
            return


def _subject(dec: Decision) -> None:
    """The page's title after the symbol: "Nghị định số 63/2023/NĐ-CP Quy định chi tiết ..." -> "Quy định
    chi tiết ..."."""
    line_end = dec.text.find("\n")
    title = dec.text[:line_end if line_end >= 0 else len(dec.text)]
    written = dec.number.split("/")[0]
    m = re.search(rf"(?<!\d){re.escape(written)}\s*/\S*\s+(?=\S)", title)
    if m is None:
        return
    rest = title[m.end():].strip()
    if rest:
        dec.subject = rest[:1].upper() + rest[1:]
        dec.subject_loc = Loc(start=m.end(), end=m.end() + len(rest), line=1)
