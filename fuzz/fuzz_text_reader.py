"""Fuzz target: the text reader and the normalize stage on any bytes.

Bytes -> `decode_bytes` (a `ReadError` is a fine answer) -> `blocks_from_lines` ->
`build_source` -> `normalize` -> the per-document rules: what `vanban run` does
with a `.txt` file, minus the file system. Checks, besides "never raises": every
block, row and cell points at its own text in the document's text. See fuzz/_harness.py.

    .venv/bin/python fuzz/fuzz_text_reader.py --minutes 10
"""

from __future__ import annotations

import time

import _harness

try:
    import atheris

    with atheris.instrument_imports(include=["vanban"]):
        from vanban.extract.base import ReadError, build_source
        from vanban.extract.text import blocks_from_lines, decode_bytes
        from vanban.normalize.document import normalize
        from vanban.rules.engine import check as check_rules, load_rules
        import vanban.normalize.agencies, vanban.normalize.deadlines, vanban.normalize.dates  # noqa: E401,F401 - imported lazily by the stage

        load_rules()
except ImportError:
    from vanban.extract.base import ReadError, build_source
    from vanban.extract.text import blocks_from_lines, decode_bytes
    from vanban.normalize.document import normalize
    from vanban.rules.engine import check as check_rules

SLOW = 5.0


def check(data: bytes) -> None:
    t0 = time.monotonic()
    try:
        text, encoding = decode_bytes(data)
    except ReadError:
        return
    blocks = blocks_from_lines(text.split("\n"))
    src = build_source("fuzz.txt", "text", blocks, sha256="0" * 64, encoding=encoding)
    for b in src.blocks:
        if b.kind == "paragraph":
            assert src.text[b.loc.start:b.loc.end] == b.text, (b.loc, b.text)
        for row in b.rows:
            for cell in row.cells:
                assert src.text[cell.loc.start:cell.loc.end] == cell.text, (cell.loc, cell.text)
    dec = normalize(src)
    check_rules(dec)
    if time.monotonic() - t0 > SLOW:
        raise AssertionError(f"took {time.monotonic() - t0:.1f} s on {len(data)} bytes")


if __name__ == "__main__":
    _harness.main("text_reader", check)
