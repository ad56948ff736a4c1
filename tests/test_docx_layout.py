"""The presentation read from Word and PDF files: page setup, resolved run properties, page
numbers, fonts (vanban.extract.docx_layout, vanban.extract.pdf_layout)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from conftest import ROOT, SAMPLES
from vanban.extract import read
from vanban.model import to_dict
from vanban.rules.format_page import display_font, family, is_times

DATA = ROOT / "tests" / "data" / "format"
DECISION = DATA / "QD phe duyet Dieu le Hiep hoi Nuoc nam Phan Thiet 2024 - 2029.docx"


def _style_of(src, needle: str):
    at = src.text.index(needle)
    return next(s for s in src.layout.styles if s.loc.start <= at < max(s.loc.end, s.loc.start + 1))


def test_a_real_decision_page_setup_and_looks():
    src = read(DECISION)
    page = src.layout.pages[0]
    assert (page.width_mm, page.height_mm) == (210.0, 297.0)
    assert (page.top_mm, page.bottom_mm, page.left_mm, page.right_mm) == (20.0, 20.0, 30.0, 20.0)
    assert page.page_numbers == "header center" and page.first_page_numbered is False
    nt = _style_of(src, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert (nt.font, nt.size, nt.bold, nt.italic, nt.align) == ("Times New Roman", 13.0, True, False, "center")
    date = _style_of(src, "Bình Thuận, ngày")
    assert (date.italic, date.bold, date.size) == (True, False, 14.0)
    label = _style_of(src, "Nơi nhận:")
    assert (label.bold, label.italic, label.size) == (True, True, 12.0)
    assert src.layout.page_count == 1 and set(src.layout.fonts) == {"Times New Roman"} and not src.layout.colors


def test_the_layout_goes_to_the_document_json(tmp_path):
    from conftest import run_cli

    from vanban.outputs.schema import check_output_folder

    out = tmp_path / "out"
    planted = tmp_path / "planted.docx"  # on Letter paper: a format finding for findings.jsonl
    with zipfile.ZipFile(DECISION) as zin, zipfile.ZipFile(planted, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = re.sub(rb"<w:pgSz [^>]*/>", b'<w:pgSz w:w="12240" w:h="15840"/>', data)
            zout.writestr(item, data)
    res = run_cli("run", str(planted), str(SAMPLES / "779qdubDLQUY KHUYEN HOC.signed.signed.kydauden.pdf"),
                  "-o", str(out), "--no-validate", "--jobs", "1")
    assert res.returncode == 0, res.stderr
    assert check_output_folder(out) == {}
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(f["category"] == "format" and f["rule"] == "format_paper" for f in findings)
    doc = json.loads(next((out / "docs").glob("planted*.json")).read_text(encoding="utf-8"))
    assert doc["schema_version"] == "1.2"
    assert doc["layout"]["pages"][0]["left_mm"] == 30.0
    styles = doc["layout"]["styles"]
    first = styles[0]
    assert doc["text"][first["loc"]["start"] : first["loc"]["end"]].startswith("ỦY BAN NHÂN DÂN")


def _theme_docx(path: Path) -> None:
    """A document whose text font comes from the theme (its minor font), with a
    style based on another, a run that overrides it, a red run and a PAGE field in the footer."""
    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Mm(30), Mm(15), Mm(20), Mm(20)
    base = d.styles.add_style("Base", 1)
    base.font.bold = True
    base.font.size = Pt(13)
    child = d.styles.add_style("Child", 1)
    child.base_style = base
    p = d.add_paragraph("Dòng in đậm theo kiểu cha", style="Child")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    q = d.add_paragraph(style="Child")
    r = q.add_run("Dòng bỏ đậm ở chính nó")
    r.bold = False
    r.font.name = "Arial"
    red = d.add_paragraph().add_run("Một dòng chữ màu đỏ khá dài để đếm")
    red.font.color.rgb = docx.shared.RGBColor(0xFF, 0, 0)
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), " PAGE ")
    fp._p.append(fld)
    d.save(str(path))


def test_styles_inheritance_theme_fonts_colour_and_a_footer_page_field(tmp_path):
    path = tmp_path / "theme.docx"
    _theme_docx(path)
    with zipfile.ZipFile(path) as z:
        assert b"minorHAnsi" in z.read("word/styles.xml")  # the default font is the theme's minor font
        theme = z.read("word/theme/theme1.xml").decode()
    minor = re.search(r'<a:minorFont>\s*<a:latin typeface="([^"]+)"', theme).group(1)
    assert minor == "Cambria"  # python-docx's template
    src = read(path)
    first = _style_of(src, "Dòng in đậm")
    assert (first.bold, first.size, first.align, first.font) == (True, 13.0, "center", minor)
    second = _style_of(src, "Dòng bỏ đậm")
    assert (second.bold, second.font, second.size) == (False, "Arial", 13.0)
    assert _style_of(src, "Một dòng chữ").color == "FF0000" and src.layout.colors["FF0000"] >= 20
    page = src.layout.pages[0]
    assert page.page_numbers == "footer right" and page.first_page_numbered is True
    assert (page.left_mm, page.right_mm) == (30.0, 15.0)


def test_a_pdf_gives_its_page_sizes_and_embedded_fonts():
    src = read(SAMPLES / "779qdubDLQUY KHUYEN HOC.signed.signed.kydauden.pdf")
    pages = src.layout.pages
    assert sum((p.last_page - p.first_page + 1) for p in pages) == src.pages == 13
    assert all(abs(p.width_mm - 210) < 1.5 and abs(p.height_mm - 297) < 1.5 for p in pages)
    assert src.layout.fonts and all(is_times(f) for f in src.layout.fonts), src.layout.fonts  # "Times New Roman,Bold"
    assert not any("+" in f[:7] for f in src.layout.fonts)  # subset tags taken off
    assert src.layout.styles == [] and all(p.top_mm is None for p in pages)


def test_text_files_have_no_layout():
    src = read(SAMPLES / "000_2460ae3cff98ef28.txt")
    assert src.layout is None
    assert to_dict(src)["layout"] is None


def test_font_names_of_pdfs_and_word_files_come_to_their_family():
    assert [family(f) for f in ("TimesNewRomanPSMT", "TimesNewRomanPS-BoldMT", "Times New Roman,Bold", "Times New Roman")] == ["timesnewroman"] * 4
    assert is_times("LiberationSerif-Bold") and is_times("Times-Roman") and not is_times("ArialMT")
    assert [display_font(f) for f in ("ArialMT", "Arial-BoldMT", "Calibri", ".VnTime", "Times New Roman")] == ["Arial", "Arial", "Calibri", ".VnTime", "Times New Roman"]
