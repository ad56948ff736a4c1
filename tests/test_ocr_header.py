"""A scan's number and day are read again, digits only, where they stand; kept only when sure.

The scans are made here: a decision's header drawn with a real font into a 300 dpi
image, put on a PDF page with no text layer, so the reader OCRs it as it would a
scanner's PDF. The real scan (1716, handwritten number and day) is in corpus/samples.
"""

from __future__ import annotations

import random
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import SAMPLES
from vanban.pipeline import process_file

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DPI = 300
pytestmark = pytest.mark.skipif(not FONT.exists(), reason="the DejaVu fonts (Debian fonts-dejavu-core) are not installed")


def scan(path: Path, number: str, day: str, scribble: str | None = None) -> Path:
    """An A4 scan of a decision's first page; `scribble` ("number" or "day") scrawls over that value."""
    width, height = int(8.27 * DPI), int(11.69 * DPI)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 40)

    def text(x: float, y: float, s: str) -> tuple[int, int, int, int]:
        draw.text((x * DPI, y * DPI), s, font=font, fill=0)
        return draw.textbbox((x * DPI, y * DPI), s, font=font)

    text(0.9, 0.6, "ỦY BAN NHÂN DÂN"), text(4.0, 0.6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    text(1.0, 0.8, "TỈNH LÂM ĐỒNG"), text(4.5, 0.8, "Độc lập - Tự do - Hạnh phúc")
    text(0.9, 1.1, "Số:")
    num_box = text(1.35, 1.1, number)
    text(1.35 + draw.textlength(number, font=font) / DPI + 0.05, 1.1, "/QĐ-UBND")
    text(4.0, 1.1, "Lâm Đồng, ngày")
    day_box = text(5.55, 1.1, day)
    text(5.95, 1.1, "tháng 12 năm 2025")
    text(3.4, 1.6, "QUYẾT ĐỊNH")
    text(2.2, 1.8, "Về việc thành lập Tổ công tác cải cách hành chính")
    text(1.0, 2.3, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;")
    text(1.0, 2.5, "Điều 1. Thành lập Tổ công tác cải cách hành chính của tỉnh.")
    if scribble:
        x0, y0, x1, y1 = num_box if scribble == "number" else day_box
        rng = random.Random(7)
        for _ in range(40):  # a pen's scrawl over the value: no digit stays whole
            draw.line([(rng.uniform(x0, x1), rng.uniform(y0, y1)), (rng.uniform(x0, x1), rng.uniform(y0, y1))], fill=0, width=5)
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595.0, 842.0)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(img))
    image.set_matrix(pdfium.PdfMatrix().scale(595.0, 842.0))
    page.insert_obj(image)
    page.gen_content()
    pdf.save(path)
    return path


def test_a_printed_number_and_day_on_a_scan_are_confirmed_and_kept(tmp_path):
    d = process_file(scan(tmp_path / "scan.pdf", "4409", "08")).decision
    assert d.ocr
    assert (d.number, d.date) == ("4409/QĐ-UBND", "2025-12-08")
    assert any("number of the scanned header, read again digits only: read as '4409'" in n for n in d.notes)


def test_a_scrawled_number_is_left_empty_with_a_note_not_guessed(tmp_path):
    d = process_file(scan(tmp_path / "scan.pdf", "4409", "08", scribble="number")).decision
    assert d.number is None
    assert any("number is unreadable in the scan" in n for n in d.notes)
    assert d.date == "2025-12-08"


def test_a_scrawled_day_leaves_the_date_empty(tmp_path):
    d = process_file(scan(tmp_path / "scan.pdf", "4409", "08", scribble="day")).decision
    assert d.number == "4409/QĐ-UBND"
    assert d.date is None and any("day of the date is unreadable in the scan" in n for n in d.notes)


def test_the_handwritten_1716_scan_keeps_its_number_and_day_empty():
    """Handwritten "1716" and "16": Tesseract reads "4⁄6", "272", "446" with low confidence; nothing is invented."""
    d = process_file(SAMPLES / "1716 QĐ thành lập HĐTĐ.pdf").decision
    assert d.number in (None, "1716/QĐ-UBND") and d.date in (None, "2025-10-16")
    assert d.number is not None or any("number is unreadable in the scan" in n for n in d.notes)
