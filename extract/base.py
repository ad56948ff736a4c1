"""What every reader shares: hashing, doc ids, NFC, and laying blocks out as one text.

A reader produces a list of `Block`s in reading order and calls `build_source`,
which renders the document's text (one line per paragraph, one line per table
row with tab-joined cells, where a cell of several paragraphs keeps its line
breaks; an empty line for a blank or a page break) and sets
every block's, row's and cell's `Loc` to its place in that text.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from vanban.model import Block, Layout, Loc, SourceDocument
from vanban.normalize.fold import clean_spaces, join_lines, nfc  # noqa: F401  (join_lines: the readers import it from here)


class ReadError(Exception):
    """A file that cannot be read as a document; the message says why, in plain words."""


#: hex digits of the SHA-256 in a doc_id: 128 bits, so that no one can make a file whose id
#: is another document's (32 bits could be matched in minutes; issue 14)
ID_HEX = 32

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symbolic link"))


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a FIFO", "a socket", ...)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def not_regular(mode: int) -> str:
    """The reason a file of this mode is not read: vanban reads regular files only."""
    return f"not a regular file ({file_kind(mode)}); only regular files are read"


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The file's SHA-256; `OSError` for anything but a regular file (never blocks on a FIFO)."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(0, not_regular(mode))
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def doc_id_for(path: str | os.PathLike[str], sha256: str) -> str:
    """A stable, file-system-safe id: a slug of the file name's start and 128 bits of the content hash.

    Only [0-9a-z_-] appear, so the id can name a file under the output folder
    without escaping it; the same name and bytes always give the same id, and
    two files share it only when their names fold to the same slug and their
    SHA-256 agree on 128 bits (the batch compares the full digests).
    """
    from vanban.normalize.fold import strip_diacritics

    p = Path(path)
    stem = strip_diacritics(p.stem).lower()
    slug = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in stem)
    slug = "-".join(p for p in slug.split("-") if p)[:40].strip("-_") or "doc"
    # the suffix too: "empty.txt" and "empty.pdf" with the same bytes are two documents
    suffix = "".join(ch for ch in p.suffix.lower() if ch.isascii() and ch.isalnum())[:8]
    return f"{slug}-{suffix}_{sha256[:ID_HEX]}" if suffix else f"{slug}_{sha256[:ID_HEX]}"


def clean_text(text: str) -> tuple[str, str | None]:
    """NFC text with odd spaces and dashes made plain; the raw form when that changed it."""
    cleaned = clean_spaces(nfc(text))
    return cleaned, (text if cleaned != text else None)


def build_source(
    path: str | os.PathLike[str],
    fmt: str,
    blocks: list[Block],
    *,
    sha256: str | None = None,
    encoding: str | None = None,
    ocr: bool = False,
    pages: int | None = None,
    notes: list[str] | None = None,
    layout: Layout | None = None,
    signatures: list | None = None,
    ocr_checked: dict | None = None,
) -> SourceDocument:
    """Lay the blocks out as one text and give every block, row and cell its `Loc`."""
    sha = sha256 or sha256_of(path)
    text = lay_out(blocks)
    return SourceDocument(
        path=str(path),
        doc_id=doc_id_for(path, sha),
        sha256=sha,
        format=fmt,
        blocks=blocks,
        text=text,
        encoding=encoding,
        ocr=ocr,
        pages=pages,
        notes=notes or [],
        layout=layout,
        signatures=signatures or [],
        ocr_checked=ocr_checked or {},
    )



def lay_out(blocks: list[Block]) -> str:
    """The document's text from its blocks (see the module docstring); sets every block's, row's and cell's `Loc`."""
    parts: list[str] = []
    pos = 0
    line = 1
    for block in blocks:
        if block.kind == "table":
            pos, line = _lay_out_table(block, parts, pos, line)
            continue
        text = block.text
        n_lines = text.count("\n")
        block.loc = Loc(pos, pos + len(text), line, block.loc.page)
        parts.append(text)
        parts.append("\n")
        pos += len(text) + 1
        line += n_lines + 1
    text = "".join(parts)
    if text.endswith("\n"):
        text = text[:-1]
    return text


def _lay_out_table(block: Block, parts: list[str], pos: int, line: int) -> tuple[int, int]:
    """Append a table block's rows to `parts` (tab-joined cells, a line each) from offset `pos` and
    line `line`; the offset and line after it."""
    block_start = pos
    first_line = line
    for row in block.rows:
        row_start = pos
        row_line = line
        for i, cell in enumerate(row.cells):
            if i:
                parts.append("\t")
                pos += 1
            # a cell of several paragraphs keeps them on lines of their own
            cell.loc = Loc(pos, pos + len(cell.text), line, cell.loc.page or row.loc.page)
            parts.append(cell.text)
            pos += len(cell.text)
            line += cell.text.count("\n")
        row.loc = Loc(row_start, pos, row_line, row.loc.page)
        parts.append("\n")
        pos += 1
        line += 1
    block.loc = Loc(block_start, max(block_start, pos - 1), first_line, block.loc.page)
    block.text = ""
    return pos, line
