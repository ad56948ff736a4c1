"""Bounds on the work of table detection on one PDF page (issue 14).

pdfplumber's table finder parses every drawn object of a page (pdfminer, in
Python), merges the rules into edges, crosses every horizontal edge with every
vertical one and builds a cell for each crossing. A crafted page with about
100,000 rule-like segments kept a worker busy for 73 s a page at 620 MB. Two
gates stand before that work, and a page over either keeps its text, read as
lines, with a note saying its tables were not read:

- `segments_over_budget`: the drawn path segments, counted by PDFium (C, a few
  milliseconds for 10,000) before pdfplumber sees the page. The densest real
  table page of the corpora has 1,602 segments; the bound is 10,000;
- `grid_over_budget`: the rules pdfplumber's finder would keep, merged as it
  merges them (horizontal x vertical = the crossings, hence the cells it would
  build), before it crosses them. The real maximum is 504 crossings (42 x 12);
  the bound is 5,000, about a second of pdfplumber on a page.
"""

from __future__ import annotations

import pypdfium2.raw as pdfium_c

#: drawn path segments on a page beyond which its tables are not looked for
MAX_SEGMENTS = 10_000
#: crossings of merged horizontal and vertical rules beyond which no cell is built
MAX_CROSSINGS = 5_000


def segments_over_budget(page, limit: int = MAX_SEGMENTS) -> str | None:
    """Why the page's tables are not read (too many drawn segments), or None. Stops counting past the limit."""
    n = 0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=4):
        n += max(1, pdfium_c.FPDFPath_CountSegments(obj.raw))
        if n > limit:
            return segments_message(limit)
    return None


def segments_message(limit: int = MAX_SEGMENTS) -> str:
    return (f"more than {limit:,} drawn segments on the page, more than a table needs; "
            "its tables are not looked for (read as text lines)")


def grid_over_budget(plumber_page, limit: int = MAX_CROSSINGS) -> str | None:
    """Why pdfplumber is not asked for the page's cells (too many rule crossings), or None."""
    from pdfplumber.table import TableSettings, merge_edges
    from pdfplumber.utils import filter_edges

    s = TableSettings.resolve(None)  # the settings table_fragments' find_tables() uses
    edges = filter_edges(plumber_page.edges, min_length=s.edge_min_length_prefilter)
    merged = filter_edges(merge_edges(edges, s.snap_x_tolerance, s.snap_y_tolerance, s.join_x_tolerance, s.join_y_tolerance),
                          min_length=s.edge_min_length)
    return crossings_over_budget(merged, limit)


def crossings_over_budget(merged: list[dict], limit: int = MAX_CROSSINGS) -> str | None:
    """Why no cell is built from these merged rules (too many crossings), or None."""
    h = sum(1 for e in merged if e["orientation"] == "h")
    v = len(merged) - h
    if h * v > limit:
        return (f"a grid of {h} x {v} rules ({h * v:,} crossings, more than {limit:,}); "
                "its tables are not read (read as text lines)")
    return None
