"""Ruled tables from PDFium's page objects (issue 21) give pdfplumber's rows on every ruled page the tests use."""

from __future__ import annotations

import ctypes
import shutil
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pdfplumber.table import TableSettings, edges_to_intersections, intersections_to_cells, merge_edges
from pdfplumber.utils import extract_text, filter_edges

from vanban.extract import pdf, pdf_tables, tablecost

ROOT = Path(__file__).resolve().parent.parent
# every PDF of the tests with a page that looks ruled (corpus/samples, tests/data), and the seed rendering
PDFS = [
    ROOT / "corpus" / "samples" / "Phụ lục I Công tác Chỉ đạo điều hành CCHC.pdf",
    ROOT / "corpus" / "samples" / "779qdubDLQUY KHUYEN HOC.signed.signed.kydauden.pdf",
    ROOT / "tests" / "data" / "judged" / "corpus-dev" / "decrees" / "Luật Đất đai 2024.pdf",
    ROOT / "tests" / "data" / "judged" / "corpus-dev" / "decrees" / "02_2022_ND-CP_484653.pdf",
    ROOT / "tests" / "data" / "signed" / "Tờ-trình-UBND-đổi-tên-Hội-Thiện-nguyện-Lan-tỏa-yêu-thương-Bình-Thuận-tỉnh-Lâm-Đồng.pdf",
]


@pytest.fixture(scope="module")
def ruled_pages(tmp_path_factory):
    """(name, pdfium page, pdfplumber page, page index) of every ruled page."""
    files = list(PDFS)
    if shutil.which("soffice"):
        from renderings import seed_docx, seed_pdf

        base = tmp_path_factory.mktemp("rendering")
        files.append(seed_pdf(seed_docx(base / "seed.docx"), base, base / "profile"))
    out, opened = [], []
    for path in files:
        doc = pdf.open_pdf(pdf.pdf_bytes(path)[1])
        plumber = pdfplumber.open(path)
        opened += [doc, plumber]
        for i in range(len(doc)):
            page = doc[i]
            if page.get_rotation() == 0 and pdf.looks_ruled(page) and not tablecost.segments_over_budget(page):
                out.append((f"{path.name} p{i + 1}", page, plumber.pages[i], i))
    yield out
    for o in opened:
        o.close()


def _shape(fragments):
    return [[(c.text, c.raw, c.col, c.colspan, c.rowspan, c.merged_above) for c in r.cells] for f in fragments for r in f.rows]


def test_pdfium_gives_pdfplumbers_rows_on_every_ruled_page(ruled_pages):
    tables_seen = 0
    for name, page, plumber_page, i in ruled_pages:
        textpage = page.get_textpage()
        tables, over = pdf_tables.find_tables(page, textpage, page.get_mediabox()[3])
        assert tables is not None and over is None, name
        ours = pdf.table_fragments(tables, i + 1)
        textpage.close()
        theirs = pdf.table_fragments(plumber_page.find_tables(), i + 1)
        assert _shape(ours) == _shape(theirs), name
        for a, b in zip(ours, theirs):  # the same boxes (PDFium computes in single precision)
            assert [round(v) for v in (a.top, a.bottom, a.x0, a.x1)] == [round(v) for v in (b.top, b.bottom, b.x0, b.x1)]
            assert len(a.columns) == len(b.columns)
        tables_seen += len(ours)
    assert len(ruled_pages) >= 40 and tables_seen >= 15  # the check covers real tables, not empty pages


def test_the_fast_cell_finder_and_cell_text_are_pdfplumbers(ruled_pages):
    s = TableSettings.resolve(None)
    cells_compared = 0
    for name, page, _, _ in ruled_pages[:: max(1, len(ruled_pages) // 12)]:
        top = page.get_mediabox()[3]
        edges = filter_edges(pdf_tables.page_edges(page, top), min_length=s.edge_min_length_prefilter)
        merged = filter_edges(merge_edges(edges, 3, 3, 3, 3), min_length=s.edge_min_length)
        points = edges_to_intersections(merged, 3, 3)
        cells = pdf_tables.cells_of(points)
        assert cells == intersections_to_cells(points), name
        textpage = page.get_textpage()
        chars = pdf_tables.page_chars(textpage.raw, top)
        textpage.close()
        for x0, y0, x1, y1 in cells:
            inside = [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and y0 <= (c["top"] + c["bottom"]) / 2 < y1]
            if inside:
                assert pdf_tables.cell_text(inside) == extract_text(inside), (name, (x0, y0))
                cells_compared += 1
    assert cells_compared > 100


def _grid_pdf(path: Path, angle_text: bool) -> Path:
    """A page with a 3 x 3 ruled grid and a word in each cell, the words turned a quarter when `angle_text`."""
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(400, 400)
    for k in range(4):
        for x0, y0, x1, y1 in ((50, 50 + 80 * k, 290, 50 + 80 * k), (50 + 80 * k, 50, 50 + 80 * k, 290)):
            rule = pdfium_c.FPDFPageObj_CreateNewPath(x0, y0)
            pdfium_c.FPDFPath_LineTo(rule, x1, y1)
            pdfium_c.FPDFPath_SetDrawMode(rule, 0, True)
            pdfium_c.FPDFPage_InsertObject(page.raw, rule)
    font = pdfium_c.FPDFText_LoadStandardFont(doc.raw, b"Helvetica")
    for r in range(3):
        for c in range(3):
            text = pdfium_c.FPDFPageObj_CreateTextObj(doc.raw, font, 10)
            word = f"o{r}{c}\0".encode("utf-16-le")
            pdfium_c.FPDFText_SetText(text, ctypes.cast(ctypes.c_char_p(word), ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            if angle_text:
                pdfium_c.FPDFPageObj_Transform(text, 0, 1, -1, 0, 0, 0)
            pdfium_c.FPDFPageObj_Transform(text, 1, 0, 0, 1, 80 + 80 * c, 250 - 80 * r)
            pdfium_c.FPDFPage_InsertObject(page.raw, text)
    pdfium_c.FPDFPage_GenerateContent(page.raw)
    page.close()
    doc.save(path)
    doc.close()
    return path


@pytest.mark.parametrize("turned", [False, True])
def test_a_page_of_turned_text_is_left_to_pdfplumber(tmp_path, turned):
    path = _grid_pdf(tmp_path / "grid.pdf", turned)
    doc = pdf.open_pdf(path.read_bytes())
    page = doc[0]
    textpage = page.get_textpage()
    tables, _ = pdf_tables.find_tables(page, textpage, page.get_mediabox()[3])
    textpage.close()
    if turned:
        assert tables is None
    else:
        assert [[c.text for c in r.cells] for r in pdf.table_fragments(tables, 1)[0].rows] == \
            [[f"o{r}{c}" for c in range(3)] for r in range(3)]
    # the reader reads the grid either way, with pdfplumber's rows (its own reading of turned words)
    doc.close()
    data = path.read_bytes()
    items = pdf._read_pages(pdf.open_pdf(data), data, [])[0].items
    with pdfplumber.open(path) as plumber:
        want = plumber.pages[0].extract_tables()[0]
    assert [[[c.text for c in r.cells] for r in it.rows] for it in items] == [want]


def test_pdfium_functions_without_converters_answer_as_the_declared_ones(ruled_pages):
    """`pdfium_calls.bare` gives the same answers as pypdfium2's declared functions, and refuses a
    function whose arguments ctypes would pass wrong without their declaration."""
    from vanban.extract.pdfium_calls import bare

    count, loose = bare("FPDFText_CountChars"), bare("FPDFText_GetLooseCharBox")
    name, page, _, _ = ruled_pages[0]
    textpage = page.get_textpage()
    try:
        n = count(textpage.raw)
        assert n == pdfium_c.FPDFText_CountChars(textpage.raw) > 100, name
        ours, theirs = pdfium_c.FS_RECTF(), pdfium_c.FS_RECTF()
        for i in range(0, n, 17):
            assert loose(textpage.raw, i, ctypes.byref(ours)) == pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, i, theirs)
            assert (ours.left, ours.top, ours.right, ours.bottom) == (theirs.left, theirs.top, theirs.right, theirs.bottom)
    finally:
        textpage.close()
    with pytest.raises(TypeError, match="size_t|c_ulong"):
        bare("FPDFFormObj_GetObject")  # its index is an unsigned long
