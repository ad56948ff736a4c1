"""The lines of a document as a reader sees them, and the words that open them.

`paragraphs` cuts the SourceDocument into non-empty lines with their places
(paragraphs and table cells split at line breaks, tabs and decoration rules);
`match_type_line` recognizes a document-type word ("QUYẾT ĐỊNH", "TỜ TRÌNH") at
the start of one. The header, the signature block and the structure are read
from these lines (`vanban.normalize.header`, `.signer`, `.structure`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from vanban.corpus import table
from vanban.model import Loc, SourceDocument
from vanban.normalize.fold import strip_diacritics
from vanban.normalize.numerals import ROMAN



def kinds_with(flag: str) -> tuple[str, ...]:
    """The kinds of `corpus/doc_kinds.tsv` whose `flag` column says yes, in the file's order."""
    return tuple(r["kind"] for r in table("doc_kinds.tsv") if r[flag] == "yes")


# Document-type words as they stand alone (in capitals) on the title line -> the kind.
DOC_TYPES = {kind.upper(): kind for kind in kinds_with("title")}
# Kinds that start an attached part (after the decision's signature).
ATTACHMENT_KINDS = tuple(kind.upper() for kind in kinds_with("attachment"))
# Kinds that carry their own header (number, place and date, issuer).
HEADED_KINDS = frozenset(kinds_with("header"))
# Kinds whose word starts a new piece of a legal basis ("Căn cứ Luật ...; Nghị định ...").
BASIS_KINDS = kinds_with("basis")


@dataclass(slots=True)
class Para:
    """A non-empty line of the document with where it is."""

    text: str
    loc: Loc
    bold: bool = False
    in_table: bool = False


_PIECE_BREAK = re.compile(r"\n|\t|\s*[-_*=~]{3,}\s*| {4,}")
_RULE_RUN = re.compile(r"[-_*=~]{3}")  # what every break but a line break, a tab and 4 spaces holds


def _pieces(text: str, start: int) -> Iterator[tuple[str, int]]:
    """The pieces of a paragraph or cell between line breaks, tabs and decoration
    rules ("-----", "_____"), with their offsets: 'CHÍNH PHỦ ----- Số: 07/2025/NĐ-CP'
    is two pieces."""
    if "\n" not in text and "\t" not in text and "    " not in text and not _RULE_RUN.search(text):
        yield text, start  # nothing to break at (most cells and paragraphs): no scan
        return
    pos = 0
    for m in _PIECE_BREAK.finditer(text):
        if not m.group().strip(" ") and not text[m.end() : m.end() + 1].isupper():
            continue  # wide spaces before a capital are a column gap; before "/KH" or "tháng", a blank to fill
        yield text[pos : m.start()], start + pos
        pos = m.end()
    yield text[pos:], start + pos


def paragraphs(src: SourceDocument) -> list[Para]:
    """The non-empty lines of the document, in reading order, each with where it is.

    Paragraphs and table cells are cut at line breaks, tabs and decoration
    rules, so that a header cell "CHÍNH PHỦ ----- Số: 07/2025/NĐ-CP" gives the
    organ and the number as two lines, as a reader sees them.
    """
    out: list[Para] = []
    text = src.text
    for block in src.blocks:
        if block.kind == "paragraph":
            for piece, off in _pieces(block.text, block.loc.start):
                stripped = piece.strip()
                if stripped:
                    off += len(piece) - len(piece.lstrip())
                    line = (block.loc.line or 1) + text.count("\n", block.loc.start, off)
                    out.append(Para(stripped, Loc(off, off + len(stripped), line, block.loc.page), block.bold))
        elif block.kind == "table":
            for row in block.rows:
                for cell in row.cells:
                    for piece, off in _pieces(cell.text, cell.loc.start):
                        stripped = piece.strip()
                        if stripped:
                            off += len(piece) - len(piece.lstrip())
                            line = (cell.loc.line or 1) + text.count("\n", cell.loc.start, off)
                            out.append(Para(stripped, Loc(off, off + len(stripped), line, cell.loc.page), in_table=True))
    return out


def is_upper_title(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _strip_bullet(text: str) -> str:
    return re.sub(r"^[-–•+*]\s*", "", text).strip()


def _trim_end(text: str) -> str:
    return re.sub(r"[;.,:\s]+$", "", text.replace("./.", "")).strip()



@dataclass(slots=True)
class TypeLine:
    """A line that opens with a document-type word: 'QUYẾT ĐỊNH', 'PHỤ LỤC II', 'KẾ HOẠCH Cải cách ...'."""

    type: str  # the key of DOC_TYPES, e.g. "QUYẾT ĐỊNH"
    label: str | None
    rest: str


_FOLDED_TYPES = {strip_diacritics(k).upper(): k for k in DOC_TYPES}
_TYPE_FOLDED = re.compile(
    r"^(?P<type>" + "|".join(sorted(map(re.escape, _FOLDED_TYPES), key=len, reverse=True)) + r")\b"
    rf"(?P<label>\s+(?:{ROMAN}|\d+)\b(?!\s*[/.,]\d))?\s*(?P<rest>.*)$",
    re.DOTALL,
)


_APPENDIX_ALONE = re.compile(rf"^Phụ lục(?:\s+(?P<label>{ROMAN}|\d+))?\s*$")


def match_type_line(text: str, any_case: bool = False) -> TypeLine | None:
    """The type word at the start of a line, matched without diacritics so that an
    OCR'd 'QUYÉT ĐỊNH' is still a decision; the type word itself must be in capitals,
    unless `any_case` (an old header typed in a capitals font that was lost: "quyết định của ...")."""
    if not (text[:1].isupper() or any_case):  # most lines: "- ...", "1. ...", "Căn cứ" fails below anyway
        return None
    folded = strip_diacritics(text)
    if len(folded) != len(text):  # not NFC-shaped: fall back to the exact form
        folded = text
    m = _TYPE_FOLDED.match(folded.upper())
    if not m or not (any_case or is_upper_title(text[: m.end("type")])):
        alone = _APPENDIX_ALONE.match(text) if text.startswith("Phụ lục") else None  # "Phụ lục I" on a line of its own
        return TypeLine("PHỤ LỤC", alone.group("label"), "") if alone else None
    label = text[m.start("label") : m.end("label")].strip() if m.group("label") else None
    return TypeLine(_FOLDED_TYPES[m.group("type")], label, text[m.start("rest") :].strip())
