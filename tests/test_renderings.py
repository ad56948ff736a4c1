"""The seed as it arrives in other forms: a Word file with real merged cells, and the PDF
LibreOffice makes of it, give the same task table as the text seed."""

from __future__ import annotations

import shutil

import pytest

from conftest import EXPECTED, read_csv
from renderings import seed_docx, seed_pdf
from vanban.outputs.tables import task_rows
from vanban.pipeline import process_file

FIELDS = ["section", "task_no", "task", "product", "lead", "partners", "deadline", "deadline_start", "deadline_end", "recurrence"]
SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="module")
def renderings(tmp_path_factory):
    base = tmp_path_factory.mktemp("renderings")
    docx_path = seed_docx(base / "seed.docx")
    pdf_path = seed_pdf(docx_path, base, base / "profile") if SOFFICE else None
    return docx_path, pdf_path


def _tasks(path):
    res = process_file(path)
    assert res.error is None, res.error
    return res.decision, [{f: str(r[f] or "") for f in FIELDS} for r in task_rows(res.decision) if r["source_kind"] == "table"]


def _want():
    return [{f: w[f] for f in FIELDS} for w in read_csv(EXPECTED / "tasks.csv")]


def test_the_word_rendering_has_real_merges(renderings):
    from vanban.extract import read

    src = read(renderings[0])
    table = next(b for b in src.blocks if b.kind == "table")
    assert table.rows[0].is_header
    assert sum(c.merged_above for r in table.rows for c in r.cells) >= 10
    assert any(c.colspan == 6 for r in table.rows for c in r.cells)


def test_the_word_rendering_gives_the_same_tasks(renderings):
    dec, got = _tasks(renderings[0])
    assert got == _want()
    assert dec.number == "3248/QĐ-UBND" and dec.plan_year == 2021


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_pdf_rendering_gives_the_same_tasks(renderings):
    dec, got = _tasks(renderings[1])
    assert dec.pages and dec.pages > 1
    want = _want()
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want), 1):
        assert g == w, f"row {i}"
