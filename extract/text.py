"""The text reader: UTF-8 text dumps (`.txt`, `.md`), one block per line.

- a line with tabs is a table row; consecutive rows are one table, and a blank
  line between rows ends the table (a page break in the rendering): the blank is
  kept as its own block and the next row is marked `after_break`, so that the
  appendix stage can stitch the table and rejoin a row the break split;
- `**x**` marks bold: the text loses the stars, the block is bold and keeps the
  written form in `raw`;
- a form feed is a page break;
- bytes that are not UTF-8 are decoded as a legacy Vietnamese encoding (TCVN3,
  VNI) when they look like one, else as Windows-1258, and the document says so.

Line n of the document's text is line n of the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from vanban.extract.base import ReadError, build_source, clean_text, sha256_of
from vanban.model import Block, Cell, Row, SourceDocument

_BOLD = re.compile(r"^\*\*(.+?)\*\*$")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read in ("utf-8", or a legacy one)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        for enc in ("utf-16",):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
        raise ReadError("binary data, not text (NUL bytes in a text file)")
    from vanban.extract import legacy

    decoded = legacy.decode_legacy_bytes(data)
    if decoded is not None:
        return decoded
    return data.decode("cp1258", errors="replace"), "cp1258"


def blocks_from_lines(lines: list[str]) -> list[Block]:
    """Blocks for the lines of a text rendering, one line each (tables: one row each)."""
    blocks: list[Block] = []
    table: Block | None = None
    pending_break = False
    for raw_line in lines:
        line, raw = clean_text(raw_line.rstrip("\r"))
        if "\f" in line:
            table = None
            pending_break = True
            blocks.append(Block(kind="page_break", raw=raw_line))
            continue
        if not line.strip():
            table = None
            pending_break = True
            blocks.append(Block(kind="blank", raw=raw_line if raw_line else None))
            continue
        if "\t" in line:
            cells = [Cell(text=t.strip(), col=i, raw=None) for i, t in enumerate(line.split("\t"))]
            follows_table = bool(blocks) and _last_table_before_break(blocks) is not None
            if table is None:
                table = Block(kind="table", raw=None)
                blocks.append(table)
            table.rows.append(Row(cells=cells, after_break=pending_break and follows_table))
            pending_break = False
            continue
        table = None
        pending_break = False
        bold = False
        m = _BOLD.match(line.strip())
        if m:
            bold, raw, line = True, raw_line, m.group(1)
        blocks.append(Block(kind="paragraph", text=line, raw=raw, bold=bold))
    return blocks


def _last_table_before_break(blocks: list[Block]) -> Block | None:
    for b in reversed(blocks):
        if b.kind in ("blank", "page_break"):
            continue
        return b if b.kind == "table" else None
    return None


def read(path: Path) -> SourceDocument:
    data = path.read_bytes()
    if not data.strip():
        raise ReadError("the file holds no text")
    text, encoding = decode_bytes(data)
    notes = [] if encoding == "utf-8" else [f"decoded as {encoding}"]
    blocks = blocks_from_lines(text.split("\n"))
    return build_source(path, "text", blocks, sha256=sha256_of(path), encoding=encoding, notes=notes)
