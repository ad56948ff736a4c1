"""Annotations as spaCy spans: each span covers exactly what the pipeline found."""

from __future__ import annotations

from conftest import SEED
from vanban.normalize.annotate import render_html, to_spacy
from vanban.pipeline import process_file


def test_spans_cover_the_values_the_pipeline_found():
    dec = process_file(SEED).decision
    doc = to_spacy(dec)
    cites = doc.spans["citations"]
    assert len(cites) == len(dec.citations)
    for span, c in zip(cites, dec.citations):
        assert span.label_ == c.id
        assert span.start_char <= c.loc.start and span.end_char >= c.loc.end
    # the page-split citation of lines 165-167 is one span across the break
    split = next(s for s in cites if s.label_ == "113/2018/NĐ-CP")
    assert "ngày" in split.text and "31/8/2018" in split.text
    agencies = {s.label_ for s in doc.spans["agencies"]}
    assert {"Sở Tư pháp", "Sở Thông tin và Truyền thông", "Văn phòng UBND tỉnh"} <= agencies
    deadlines = [s for s in doc.spans["deadlines"] if s.text == "Quý II, III/2021"]
    assert deadlines and deadlines[0].label_ == "2021-04-01..2021-09-30"
    assert any(s.label_ == "2020-12-24" for s in doc.spans["dates"])


def test_displacy_renders_the_spans_without_fetching_anything():
    html = render_html(process_file(SEED).decision, "citations")
    assert "107/2020/NĐ-CP" in html and "<script" not in html.lower()
