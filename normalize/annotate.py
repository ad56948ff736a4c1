"""The Decision's annotations as spans on a spaCy `Doc`.

A blank Vietnamese pipeline with spaCy's rule-based tokenizer (no pyvi) tokenizes
the document's text; citations, dates, deadlines and agencies, which the
normalize stage found with regexes and the gazetteer, become spans with
`doc.char_span`, grouped in `doc.spans` by kind, so that displaCy or any spaCy
component can render or use them. spaCy is an extra (`pip install 'vanban[spacy]'`);
without it these functions raise `vanban.extras.MissingExtra` saying so.

>>> from vanban.pipeline import process_file
>>> doc = to_spacy(process_file("corpus/samples/000_2460ae3cff98ef28.txt").decision)
>>> doc.spans["citations"][2].text, doc.spans["citations"][2].label_
('Nghị quyết số 01-NQ/TU ngày 03 tháng 12 năm 2020', '01-NQ/TU')
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from vanban.extras import require
from vanban.model import Decision

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPAN_GROUPS = ("citations", "dates", "deadlines", "agencies", "targets")


@cache
def blank_vi() -> "Language":
    """spaCy's blank Vietnamese pipeline with the rule-based tokenizer (pyvi is not needed)."""
    spacy = require("spacy", "spacy", "the annotation export")
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})


def to_spacy(dec: Decision) -> "Doc":
    """A spaCy Doc of the document's text with its annotations in `doc.spans[group]`.

    Each span's label is the normalized value: the canonical citation id, the
    ISO date, the deadline's ISO range, the agency's canonical name.
    """
    doc = blank_vi()(dec.text)
    groups: dict[str, list] = {g: [] for g in SPAN_GROUPS}

    def add(group: str, start: int, end: int, label: str) -> None:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            groups[group].append(span)

    for c in dec.citations:
        add("citations", c.loc.start, c.loc.end, c.id)
    for d in dec.dates:
        add("dates", d.loc.start, d.loc.end, d.iso or "invalid")
    for t in dec.tasks:
        loc = t.cell_locs.get("deadline")
        if loc is not None and t.deadline:
            add("deadlines", loc.start, loc.end, f"{t.deadline_start or ''}..{t.deadline_end or ''}")
        for f, agencies in (("lead", t.lead_agencies), ("partners", t.partner_agencies)):
            loc = t.cell_locs.get(f)
            if loc is None:
                continue
            cell = dec.text[loc.start : loc.end]
            for a in agencies:
                i = cell.find(a.raw)
                if i >= 0:
                    add("agencies", loc.start + i, loc.start + i + len(a.raw), a.canonical)
    for tg in dec.targets:
        add("targets", tg.loc.start, tg.loc.end, f"{tg.value:g}{tg.unit or ''}" if tg.value is not None else "target")
    for g, spans in groups.items():
        doc.spans[g] = spans
    return doc


def render_html(dec: Decision, group: str = "citations") -> str:
    """displaCy's HTML of one span group (a page, not fetched from anywhere)."""
    displacy = require("spacy.displacy", "spacy", "the annotation export")
    return displacy.render(to_spacy(dec), style="span", options={"spans_key": group}, page=True)


def write_docbin(dec: Decision, path) -> None:
    """The document as a spaCy DocBin file (`.spacy`) with its span groups, for spaCy's tools."""
    tokens = require("spacy.tokens", "spacy", "the annotation export")
    bin_ = tokens.DocBin(store_user_data=True)
    bin_.add(to_spacy(dec))
    bin_.to_disk(path)
