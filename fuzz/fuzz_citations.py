"""Fuzz target: the citation parser (`vanban.normalize.citations.find_citations`) on any text.

Checks, besides "never raises": offsets point at the written text, and a
citation's canonical symbol read again gives the same id. See fuzz/_harness.py.

    .venv/bin/python fuzz/fuzz_citations.py --minutes 10
"""

from __future__ import annotations

import sys
import time

import _harness

try:
    import atheris

    with atheris.instrument_imports(include=["vanban"]):
        from vanban.normalize.citations import citation_record, find_citations, format_table
except ImportError:
    from vanban.normalize.citations import citation_record, find_citations, format_table

#: seconds one input may take before it counts as a finding (4 KiB of text must be fast)
SLOW = 2.0


def check(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    t0 = time.monotonic()
    cites = find_citations(text)
    if time.monotonic() - t0 > SLOW:
        raise AssertionError(f"find_citations took {time.monotonic() - t0:.1f} s on {len(text)} characters")
    for c in cites:
        assert 0 <= c.loc.start <= c.loc.end <= len(text), (c.loc, len(text))
        assert c.raw == text[c.loc.start:c.loc.end], (c.raw, text[c.loc.start:c.loc.end])
        assert c.id, c
        citation_record(c)
        if c.number is not None and c.normative:
            again = [d.id for d in find_citations(c.id)]
            assert again == [c.id], (c.id, again)
    format_table(cites)


if __name__ == "__main__":
    _harness.main("citations", check)
