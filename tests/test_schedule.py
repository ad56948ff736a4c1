"""The order a run hands documents to its workers: the costliest first (issue 21)."""

from __future__ import annotations

import shutil
from pathlib import Path

from vanban import schedule
from vanban.batch import Settings, run

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
SCAN = SAMPLES / "1716 QĐ thành lập HĐTĐ.pdf"  # 2 scanned pages: OCR
DECREE = SAMPLES / "82_2020_ND-CP_392611.pdf"  # 84 pages with a text layer
SEED = SAMPLES / "000_2460ae3cff98ef28.txt"
LEGACY_PDF = next((ROOT / "tests" / "data" / "legacy_pdf").glob("*.pdf"))  # a TCVN3 text layer: decoded, not OCR'd
DOC = ROOT / "tests" / "data" / "legacy" / "2005-QD-256.doc"


def test_a_scan_goes_before_a_long_text_pdf_and_those_before_a_word_file_and_a_text_decision():
    order = schedule.costliest_first([str(p) for p in (SEED, DOC, LEGACY_PDF, DECREE, SCAN)])
    assert order[:2] == [str(SCAN), str(DECREE)]
    assert order.index(str(DOC)) < order.index(str(SEED))


def test_a_text_layer_in_legacy_fonts_is_not_taken_for_a_scan():
    pages, ocr = schedule._pdf_pages(str(LEGACY_PDF))
    assert pages >= 1 and not ocr
    assert schedule._pdf_pages(str(SCAN)) == (2, True)


def test_a_file_that_is_not_what_its_suffix_says_or_is_gone_is_estimated_not_an_error(tmp_path):
    fake = tmp_path / "broken.pdf"
    fake.write_bytes(b"not a pdf at all")
    assert schedule.estimated_ms(str(fake), fake.stat().st_size) > 0
    assert schedule.estimated_ms(str(tmp_path / "gone.pdf"), None) > 0
    assert schedule.costliest_first([str(tmp_path / "gone.docx"), str(fake)])  # no exception


def test_the_tables_keep_the_order_of_the_inputs_whatever_order_they_were_processed_in(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i, src in enumerate((SEED, DECREE, DOC)):  # in table order a text, a long PDF, a Word file
        shutil.copy(src, inputs / f"{i}_{src.name}")
    out = tmp_path / "out"
    run([str(inputs)], Settings(out=str(out), jobs=2))
    rows = (out / "documents.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [r.split(",")[1].rsplit("/", 1)[-1][:2] for r in rows] == ["0_", "1_", "2_"]
