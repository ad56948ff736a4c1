"""Planted variants of the Lâm Đồng 2026 plans (tests/planted.py): cells merged across the agency
columns, empty cells that are not merged under filled ones, cells merged from above, a header
over two rows. Every row's lead, partners, monitor and deadline must be what an independent
reader (python-docx) sees in the Word file, and the PDF LibreOffice renders must read the same."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from planted import CCHC, CCHC_PLANTS, TUYEN_TRUYEN, TUYEN_TRUYEN_PLANTS, expected_rows, plant
from vanban.pipeline import process_file

SOFFICE = shutil.which("soffice")
VARIANTS = {
    # name: (source, plants, header over two rows, header rows)
    "cchc": (CCHC, CCHC_PLANTS, False, 1),
    "cchc_two_row_header": (CCHC, CCHC_PLANTS, True, 2),
    "tuyen_truyen": (TUYEN_TRUYEN, TUYEN_TRUYEN_PLANTS, False, 1),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    base = tmp_path_factory.mktemp("planted")
    docs = {name: plant(src, base / f"{name}.docx", plants, two) for name, (src, plants, two, _) in VARIANTS.items()}
    pdfs = {}
    if SOFFICE:
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={(base / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(base), *map(str, docs.values())],
            check=True, capture_output=True, timeout=300,
        )
        pdfs = {name: base / f"{name}.pdf" for name in docs}
    return docs, pdfs


@pytest.fixture(scope="module")
def read(files):
    cache = {}

    def get(path):
        if path not in cache:
            res = process_file(path)
            assert res.error is None, res.error
            cache[path] = [t for t in res.decision.tasks if t.source_kind == "table"]
        return cache[path]

    return get


def _compare(tasks, want):
    assert len(tasks) >= len(want)
    for i, (t, w) in enumerate(zip(tasks, want), 1):
        got = {f: getattr(t, f) for f in w}
        assert got == w, f"row {i} ({t.section}.{t.task_no})"


@pytest.mark.parametrize("name", list(VARIANTS))
def test_word_variant_reads_as_python_docx_sees_it(files, read, name):
    docs, _ = files
    _compare(read(docs[name]), expected_rows(docs[name], VARIANTS[name][3]))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", list(VARIANTS))
def test_pdf_rendering_reads_the_same(files, read, name):
    docs, pdfs = files
    _compare(read(pdfs[name]), expected_rows(docs[name], VARIANTS[name][3]))


def _row(tasks, section, tt, nth=0):
    return [t for t in tasks if (t.section, t.task_no) == (section, tt)][nth]


def _original(read):
    return read(CCHC)


@pytest.mark.parametrize("kind", ["docx", "pdf"])
@pytest.mark.parametrize("name", ["cchc", "cchc_two_row_header"])
def test_planted_cells_mean_what_they_say(files, read, name, kind):
    """The planted rows themselves, against the original plan's rows."""
    docs, pdfs = files
    if kind == "pdf" and not pdfs:
        pytest.skip("LibreOffice (soffice) is not installed")
    got = read((docs if kind == "docx" else pdfs)[name])
    orig = _original(read)
    # a cell over "Chủ trì" and "Phối hợp": both are its text; the monitor keeps its own cell
    for tt in (("I", "2"), ("II", "9"), ("IV", "3")):
        t, o = _row(got, *tt), _row(orig, *tt)
        assert (t.lead, t.partners, t.monitor) == (o.lead, o.lead, o.monitor)
    # a cell over "Phối hợp" and "Theo dõi": the partners are the monitor too
    for tt in (("I", "4"), ("V", "2"), ("VI", "8")):
        t, o = _row(got, *tt), _row(orig, *tt)
        assert (t.lead, t.partners, t.monitor) == (o.lead, o.partners, o.partners)
    t, o = _row(got, "III", "4"), _row(orig, "III", "4")
    assert t.lead == t.partners == t.monitor == o.lead
    # empty cells that are not merged stay empty, whatever is above them
    assert (_row(got, "I", "3").partners, _row(got, "I", "2").partners) == ("", _row(orig, "I", "2").lead)
    assert _row(got, "II", "3").lead == "" and _row(got, "II", "2").lead
    assert _row(got, "V", "4").monitor == "" and _row(got, "V", "3").monitor
    assert _row(got, "VI", "10").deadline == "" and _row(got, "VI", "10").deadline_kind == "unparsed"
    second = _row(got, "VII", "5", 1)
    assert (second.task, second.lead, second.inherited) == (_row(got, "VII", "5").task, "", [])
    # cells merged from above take the text above: a product row's lead, a deadline shared by two tasks
    assert _row(got, "VII", "3", 1).lead == _row(orig, "VII", "3").lead == "Sở Nội vụ"
    assert "lead" in _row(got, "VII", "3", 1).inherited
    iv4, iv3 = _row(got, "IV", "4"), _row(orig, "IV", "3")
    assert (iv4.deadline, iv4.deadline_end, iv4.inherited) == (iv3.deadline, iv3.deadline_end, ["deadline"])


def test_the_word_variants_carry_the_planted_xml(files):
    """The plants are real Word merges: gridSpan cells and vMerge continues the reader sees."""
    from vanban.extract import read as read_source

    docs, _ = files
    src = read_source(docs["cchc_two_row_header"])
    table = next(b for b in src.blocks if b.kind == "table" and b.rows[0].cells and b.rows[0].cells[0].text == "STT")
    assert [c.colspan for c in table.rows[0].cells] == [1, 1, 1, 1, 3]
    assert all(c.merged_above for c in table.rows[1].cells[:4])
    spans = [c.colspan for r in table.rows for c in r.cells if c.colspan > 1]
    # the plan's own three cells over Chủ trì and Phối hợp, six planted ones, one over three columns, the header's
    assert sorted(spans) == [2] * 9 + [3, 3]
