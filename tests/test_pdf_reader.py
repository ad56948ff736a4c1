"""The PDF reader on real PDFs: signed decisions, an appendix table, a decree, a scan with a
garbage text layer, and PDFs LibreOffice makes here from Word files built in the test."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.extract import ocr
from vanban.extract import read as read_any
from vanban.extract.base import ReadError
from vanban.extract.pdf import QUALITY_THRESHOLD, read, text_layer_quality

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
QD_779 = SAMPLES / "779qdubDLQUY KHUYEN HOC.signed.signed.kydauden.pdf"
CD_58 = SAMPLES / "58_CD-VPCP_10012026_1-signed.pdf"
PHU_LUC_I = SAMPLES / "Phụ lục I Công tác Chỉ đạo điều hành CCHC.pdf"
SCAN_1716 = SAMPLES / "1716 QĐ thành lập HĐTĐ.pdf"
ND_82 = SAMPLES / "82_2020_ND-CP_392611.pdf"

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _tesseract_vie() -> bool:
    try:
        ocr.check_tesseract()
    except ReadError:
        return False
    return True


needs_tesseract = pytest.mark.skipif(not _tesseract_vie(), reason="tesseract with the vie model is not installed")


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "paragraph"]


def tables(doc):
    return [b for b in doc.blocks if b.kind == "table"]


# --------------------------------------------------------------------------- text PDFs


@pytest.fixture(scope="module")
def qd779():
    return read(QD_779)


def test_779_decision_number_and_articles(qd779):
    assert qd779.format == "pdf" and qd779.pages == 13 and not qd779.ocr
    # The number was typed into the blank of "Số:   /QĐ-UBND", leaving a space: the text keeps it.
    assert "Số: 779 /QĐ-UBND Bình Thuận, ngày 23 tháng 3 năm 2022" in paragraphs(qd779)
    assert re.search(r"779\s*/QĐ-UBND", qd779.text)
    paras = paragraphs(qd779)
    # Each Điều is one paragraph, its wrapped lines joined.
    assert (
        "Điều 1. Công nhận Điều lệ (sửa đổi, bổ sung) lần thứ 1 của Quỹ Khuyến học tỉnh Bình Thuận "
        "ban hành kèm theo Quyết định này." in paras
    )
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký ban hành." in paras
    assert any(p.startswith("Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh") and p.endswith("căn cứ Quyết định thi hành./.") for p in paras)
    # Legal bases: one paragraph each, the citation whole.
    assert (
        "Căn cứ Nghị định số 93/2019/NĐ-CP ngày 25 tháng 11 năm 2019 của Chính phủ về tổ chức, "
        "hoạt động của quỹ xã hội, quỹ từ thiện;" in paras
    )
    # Header lines and the recipients list keep their lines.
    assert paras[:4] == ["ỦY BAN NHÂN DÂN", "TỈNH BÌNH THUẬN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert "- Thường trực Tỉnh ủy;" in paras


def test_779_pages_and_page_breaks(qd779):
    assert all(b.loc.page is not None for b in qd779.blocks)
    breaks = [b for b in qd779.blocks if b.kind == "page_break"]
    assert [b.loc.page for b in breaks] == list(range(2, 14))
    page_of = {b.text: b.loc.page for b in qd779.blocks if b.kind == "paragraph"}
    assert page_of["Điều 2. Quyết định này có hiệu lực kể từ ngày ký ban hành."] == 1
    assert page_of["Điều 1. Tên gọi, trụ sở"] == 2  # the attached Điều lệ starts on page 2
    # Page numbers ("2" at the top of page 2, ...) are gone.
    assert not [p for p in paragraphs(qd779) if p.isdigit()]
    assert "dropped 12 page numbers" in qd779.notes
    # Locs point into the text.
    block = next(b for b in qd779.blocks if b.text.startswith("Điều 2."))
    assert qd779.text[block.loc.start : block.loc.end] == block.text
    assert qd779.text.splitlines()[block.loc.line - 1] == block.text


def test_dispatcher_reads_pdf():
    doc = read_any(CD_58)
    assert doc.format == "pdf" and doc.pages == 2


def test_58_cd_hyphen_at_line_end_and_hanging_list():
    doc = read(CD_58)
    # PDFium marks the hyphen of "2764/QĐ-TTg" at a line end specially; it stays a hyphen.
    assert "2764/QĐ-TTg" in doc.text and "QĐTTg" not in doc.text
    # A list item whose second line hangs under the first is one paragraph.
    assert any(
        p.startswith("- Các đồng chí thành viên Ban Chỉ đạo quốc gia về dữ liệu (Theo Quyết định số 2319/QĐ-TTg")
        for p in paragraphs(doc)
    )
    assert "I. Thời gian: 14 giờ 30 phút, ngày 12 tháng 01 năm 2026 (Thứ Hai)." in paragraphs(doc)


def test_84_page_decree():
    doc = read(ND_82)
    assert doc.pages == 84 and not tables(doc)
    paras = paragraphs(doc)
    assert "Số: 82/2020/NĐ-CP Hà Nội, ngày 15 tháng 7 năm 2020" in paras
    # Paragraphs without a first-line indent are still told apart.
    assert "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;" in paras
    assert (
        "Căn cứ Nghị định số 77/2008/NĐ-CP ngày 16 tháng 7 năm 2008 của Chính phủ về tư vấn pháp luật;" in paras
    )
    assert "c) Hôn nhân và gia đình;" in paras
    assert max(b.loc.page for b in doc.blocks) == 84


# --------------------------------------------------------------------------- tables


@pytest.fixture(scope="module")
def phu_luc():
    return read(PHU_LUC_I)


def test_phu_luc_tables_as_a_reader_sees_them(phu_luc):
    so, xa = tables(phu_luc)
    header = ["STT", "Đơn vị", "Điểm chuẩn tối đa", "Điểm tự đánh giá", "Điểm thẩm định", "Chỉ số"]
    assert so.rows[0].texts == header and so.rows[0].is_header
    assert so.rows[1].texts == ["1", "Sở Tư pháp", "14,50", "14,50", "13,50", "93,10%"]
    # A name wrapped in its cell is one cell text; raw keeps the line break.
    sokhcn = so.rows[4]
    assert sokhcn.texts == ["4", "Sở Khoa học và Công nghệ", "12,50", "12,50", "9,50", "76,00%"]
    assert sokhcn.cells[1].raw == "Sở Khoa học và Công\nnghệ"
    assert [r.texts[0] for r in so.rows[1:16]] == [str(i) for i in range(1, 16)]
    # "Chỉ số cao nhất" spans the first five columns: one cell with colspan 5.
    top = so.rows[16]
    assert top.texts == ["Chỉ số cao nhất", "93,10%"]
    assert (top.cells[0].colspan, top.cells[1].col) == (5, 5)
    assert so.loc.page == 1

    # The communes' table runs over pages 2-5: one table, the header once, 124 rows in order.
    assert xa.rows[0].texts == ["STT", "Đơn vị", "Điểm chuẩn tối đa", "Điểm tự đánh giá", "Điểm thẩm định", "Chỉ số"]
    assert [r.is_header for r in xa.rows].count(True) == 1
    assert sum(1 for r in xa.rows if r.texts[0] == "STT") == 1
    numbered = [r for r in xa.rows if r.texts[0].isdigit()]
    assert [int(r.texts[0]) for r in numbered] == list(range(1, 125))
    assert xa.rows[-3].texts == ["Chỉ số cao nhất", "85,29%"]
    row_39 = numbered[38]
    assert row_39.texts == ["39", "UBND xã Hàm Tân", "17,00", "15,50", "9,00", "52,94%"]
    assert row_39.after_break and row_39.loc.page == 3 and row_39.cells[1].loc.page == 3
    assert numbered[37].loc.page == 2 and not numbered[37].after_break
    assert numbered[121].texts[1] == "UBND phường Nam Gia Nghĩa"
    assert any("dropped 3 repeated header rows" in n for n in phu_luc.notes)


def test_table_text_is_one_line_per_row(phu_luc):
    for table in tables(phu_luc):
        for row in table.rows:
            assert phu_luc.text.splitlines()[row.loc.line - 1] == "\t".join(row.texts)
            assert all("\n" not in c.text and "\t" not in c.text for c in row.cells)


# --------------------------------------------------------------------------- PDFs made here


def _soffice_pdf(docx: Path, out: Path, profile: Path, filter_options: str = "") -> Path:
    target = "pdf" + (f":writer_pdf_Export:{filter_options}" if filter_options else "")
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target, "--outdir", str(out), str(docx)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out / (docx.stem + ".pdf")


LONG_TASK = " ".join(["Triển khai rà soát thủ tục hành chính và đơn giản hóa quy trình nội bộ"] * 12)


def _task_table_docx(path: Path) -> None:
    """A plan with a 40-row task table: a header row Word repeats on every page,
    row 27 too long for the page it starts on, and "Sở Tư pháp" merged over rows 3-5."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH THỬ NGHIỆM")
    document.add_paragraph("Bảng nhiệm vụ được trình bày dưới đây.")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian"]):
        cell.text = text
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for i in range(1, 41):
        cells = table.add_row().cells
        cells[0].text = str(i)
        cells[1].text = LONG_TASK if i == 27 else f"Nhiệm vụ số {i} về cải cách hành chính"
        cells[2].text = "Sở Nội vụ"
        cells[3].text = "Quý I/2026"
    merged = table.cell(3, 2).merge(table.cell(5, 2))
    merged.text = "Sở Tư pháp"
    document.add_paragraph("Kết thúc bảng.")
    document.save(path)


@pytest.fixture(scope="module")
def made_pdfs(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    base = tmp_path_factory.mktemp("soffice")
    docx_path = base / "ke_hoach.docx"
    _task_table_docx(docx_path)
    profile = base / "profile"
    plain = _soffice_pdf(docx_path, base / "plain", profile)
    locked = _soffice_pdf(
        docx_path,
        base / "locked",
        profile,
        '{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"mat-khau"}}',
    )
    return plain, locked


@needs_soffice
def test_table_across_pages_is_stitched(made_pdfs):
    plain, _ = made_pdfs
    doc = read(plain)
    assert doc.pages >= 3
    (table,) = tables(doc)
    assert table.rows[0].texts == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian"]
    assert table.rows[0].is_header and sum(r.is_header for r in table.rows) == 1
    assert sum(r.texts[0] == "STT" for r in table.rows) == 1  # the repeated headers are gone
    numbered = [r for r in table.rows if r.texts[0].isdigit()]
    assert [int(r.texts[0]) for r in numbered] == list(range(1, 41))
    # Each page's first row is marked; the rows keep their own pages.
    continued = [r for r in table.rows if r.after_break]
    assert len(continued) == doc.pages - 1
    assert [r.loc.page for r in continued] == list(range(2, doc.pages + 1))
    # Row 27 is split by a page break: its rest comes next with an empty STT, marked after_break,
    # and the two halves make the text written (the appendix stage joins them).
    i = table.rows.index(numbered[26])
    rest = table.rows[i + 1]
    assert rest.after_break and rest.texts[0] == "" and rest.texts[2:] == ["", ""]
    assert f"{table.rows[i].texts[1]} {rest.texts[1]}" == LONG_TASK
    # The paragraphs around the table stay in place.
    assert paragraphs(doc)[:2] == ["KẾ HOẠCH THỬ NGHIỆM", "Bảng nhiệm vụ được trình bày dưới đây."]
    assert paragraphs(doc)[-1] == "Kết thúc bảng."
    assert doc.blocks[-1].loc.page == doc.pages


@needs_soffice
def test_vertically_merged_cells_are_merges(made_pdfs):
    plain, _ = made_pdfs
    (table,) = tables(read(plain))
    rows = {r.texts[0]: r for r in table.rows}
    lead = rows["3"].cells[2]
    assert (lead.text, lead.rowspan, lead.merged_above) == ("Sở Tư pháp", 3, False)
    for stt in ("4", "5"):
        cell = rows[stt].cells[2]
        assert (cell.text, cell.col, cell.merged_above) == ("", 2, True)
    assert not rows["6"].cells[2].merged_above and rows["6"].cells[2].text == "Sở Nội vụ"


@needs_soffice
def test_encrypted_pdf(made_pdfs):
    _, locked = made_pdfs
    with pytest.raises(ReadError, match="encrypted"):
        read(locked)


# --------------------------------------------------------------------------- broken files


def test_junk_before_the_header(tmp_path):
    dump = tmp_path / "cong_dien.pdf"
    dump.write_bytes(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n" + CD_58.read_bytes())
    doc = read(dump)
    assert doc.text == read(CD_58).text
    assert "skipped 50 bytes before the %PDF header" in doc.notes


def test_truncated_pdf(tmp_path):
    half = tmp_path / "half.pdf"
    data = QD_779.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match="truncated"):
        read(half)


def test_not_a_pdf(tmp_path):
    page = tmp_path / "download.pdf"
    page.write_bytes(b"<html><body>404 Not Found</body></html>")
    with pytest.raises(ReadError, match="not a PDF"):
        read(page)


def _save(pdf: pdfium.PdfDocument, path: Path) -> Path:
    buf = io.BytesIO()
    pdf.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def test_zero_pages_and_blank_pages(tmp_path):
    with pytest.raises(ReadError, match="no pages"):
        read(_save(pdfium.PdfDocument.new(), tmp_path / "zero.pdf"))
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    _save(blank, tmp_path / "blank.pdf")
    with pytest.raises(ReadError, match="no readable text"):
        read(tmp_path / "blank.pdf")


# --------------------------------------------------------------------------- garbage text layers and OCR


@pytest.mark.parametrize(
    ("text", "trusted"),
    [
        ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", True),
        ("Điều 1. Thành lập Hội đồng thẩm định, đánh giá Chỉ số CCHC của UBND tỉnh", True),
        ("UBND xã Đắk Sắk 17,00 13,50 10,50 61,76%", True),
        # the 1716 scan's text layer
        ("Cdn c* Luqt TO ch*c chinh quyin dia phuong ngdy 16 thdng 6 ndm 2025;", False),
        ("QUYTTDINH Vd viQc thirnh lAp HQi tl6ng thAm tlinh, tl6nh gi6", False),
        # diacritics stripped: valid shapes, but no Vietnamese letters at all
        ("Can cu Luat To chuc chinh quyen dia phuong ngay 19 thang 6 nam 2015", False),
        ("", False),
    ],
)
def test_text_layer_quality(text, trusted):
    assert (text_layer_quality(text) >= QUALITY_THRESHOLD) is trusted


def test_text_layer_quality_of_real_layers():
    def layer(path: Path, index: int = 0) -> str:
        pdf = pdfium.PdfDocument(path)
        try:
            return pdf[index].get_textpage().get_text_range()
        finally:
            pdf.close()

    assert text_layer_quality(layer(SCAN_1716)) < 0.1
    assert text_layer_quality(layer(QD_779)) > 0.9
    assert text_layer_quality(layer(PHU_LUC_I, 1)) > 0.7  # commune names: Đắk Mil, Huoai, D'Ran


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_text_layer_quality_is_a_share(text):
    assert 0.0 <= text_layer_quality(text) <= 1.0


@needs_tesseract
def test_scan_with_garbage_layer_is_ocrd():
    doc = read(SCAN_1716, max_ocr_pages=1)  # one page keeps the suite fast (about 2 s)
    assert doc.ocr and doc.pages == 2
    assert any(n.startswith("text layer not trusted (garbage) on pages 1, 2") for n in doc.notes)
    assert any(n.startswith("OCR (tesseract vie") for n in doc.notes)
    assert any("OCR limited to 1 pages" in n for n in doc.notes)
    text = doc.text
    assert "QUYTTDINH" not in text and "Cdn c*" not in text
    # What a reader checks first: the legal bases and Điều 1, as printed.
    paras = paragraphs(doc)
    assert (
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng thể "
        "cải cách hành chính Nhà nước giai đoạn 2021 - 2030;" in paras
    )
    assert "1234/QĐ-UBND ngày 08 tháng 9 năm 2025" in text
    assert any(p.startswith("Điều 1. Thành lập Hội đồng thẩm định, đánh giá Chỉ số cải cách hành chính") for p in paras)
    assert "Chỉ số cải cách hành chính tỉnh Lâm Đồng" in paras
    assert text_layer_quality(text) > 0.9
    assert {b.loc.page for b in doc.blocks if b.kind == "paragraph"} == {1}


def test_missing_tesseract_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no tesseract on it
    ocr.check_tesseract.cache_clear()
    try:
        with pytest.raises(ReadError, match="tesseract-ocr-vie"):
            read(SCAN_1716)
    finally:
        ocr.check_tesseract.cache_clear()
