"""The vbpl.vn HTML reader: document body only, NFC, look-alike letters kept as written."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from vanban.extract import html as html_reader
from vanban.extract import read
from vanban.extract.base import ReadError

HTML_DIR = Path(__file__).resolve().parent / "data" / "html"
CYRILLIC = HTML_DIR / "doc_000030.html"  # 07/2025/NĐ-СР with Cyrillic С, Р in the page title
NFD = HTML_DIR / "doc_000172.html"  # Luật 131/2025/QH15, partly decomposed accents


@pytest.fixture(scope="module")
def cyrillic():
    return read(CYRILLIC)


@pytest.fixture(scope="module")
def nfd():
    return read(NFD)


@pytest.mark.parametrize("fixture", ["cyrillic", "nfd"])
def test_body_only_no_css_or_js(request, fixture):
    doc = request.getfixturevalue(fixture)
    for chrome in ("{", "}", "display:", "anticon", "function(", "webpack", "Footer", "Đăng nhập", "©"):
        assert chrome not in doc.text, chrome
    assert doc.format == "html"
    assert doc.blocks[0].style == "vbpl title"
    assert any("vbpl.vn catalogue" in n for n in doc.notes)
    assert "Ngày cập nhật" not in doc.text  # the site's date stays out of the document text


def test_cyrillic_number_kept_as_written_and_noted(cyrillic):
    assert "07/2025/NĐ-\u0421\u0420" in cyrillic.text  # Cyrillic С (U+0421), Р (U+0420), as published
    assert "Số: 07/2025/NĐ-CP" in cyrillic.text  # the body's own Latin form
    assert any("cyrillic" in n and "NĐ-СР" in n for n in cyrillic.notes)


def test_document_structure(cyrillic):
    texts = [b.text for b in cyrillic.blocks if b.kind == "paragraph"]
    assert "NGHỊ ĐỊNH\nSửa đổi, bổ sung một số điều của các Nghị định trong lĩnh vực" in texts  # <br> kept
    assert any(t.startswith("Căn cứ Luật Tổ chức Chính phủ") for t in texts)
    tables = [b for b in cyrillic.blocks if b.kind == "table"]
    assert len(tables) == 2
    assert tables[0].rows[0].texts[0].startswith("CHÍNH PHỦ")
    assert "Lê Thành Long" in tables[1].rows[0].texts[1]
    for b in cyrillic.blocks:
        for r in b.rows:
            for c in r.cells:
                assert "\n" not in c.text
                assert cyrillic.text[c.loc.start:c.loc.end] == c.text


def test_nfd_page_is_nfc_with_raw_kept(nfd):
    raw_html = NFD.read_text(encoding="utf-8")
    assert not unicodedata.is_normalized("NFC", raw_html)
    assert unicodedata.is_normalized("NFC", nfd.text)
    assert any(b.raw and not unicodedata.is_normalized("NFC", b.raw) for b in nfd.blocks)
    assert any("not NFC" in n for n in nfd.notes)
    assert "131/2025/QH15" in nfd.text
    assert "Luật Sở hữu trí tuệ" in nfd.text


def test_rowspan_gives_merged_cells(tmp_path):
    page = tmp_path / "t.html"
    page.write_text(
        "<html><body><nav>Trang chủ | Tìm kiếm</nav><script>var x = 1;</script>"
        "<div class='preview-content'><p><b>ĐIỀU 1.</b> Phạm vi</p>"
        "<table><thead><tr><th>TT</th><th>Nhiệm vụ</th><th>Chủ trì</th></tr></thead>"
        "<tr><td rowspan='2'>1</td><td>Việc một</td><td>Sở Nội vụ</td></tr>"
        "<tr><td colspan='2'>Việc hai<br>dòng hai</td></tr></table>"
        "<p>Dòng một<br>Dòng hai</p></div><footer>Bản quyền</footer></body></html>",
        encoding="utf-8",
    )
    doc = html_reader.read(page)
    assert "Trang chủ" not in doc.text and "var x" not in doc.text and "Bản quyền" not in doc.text
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows[0].is_header and not table.rows[1].is_header
    assert table.rows[1].cells[0].rowspan == 2
    merged, spanned = table.rows[2].cells
    assert merged.merged_above and merged.text == "" and merged.col == 0
    assert (spanned.col, spanned.colspan, spanned.text) == (1, 2, "Việc hai dòng hai")
    assert "Dòng một\nDòng hai" in [b.text for b in doc.blocks]
    assert doc.blocks[0].text == "ĐIỀU 1. Phạm vi" and not doc.blocks[0].bold


def test_no_network_or_entities(tmp_path):
    page = tmp_path / "e.html"
    page.write_text('<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<html><body><main><p>a &x; b</p><img src="http://example.invalid/x.png"></main></body></html>',
                    encoding="utf-8")
    doc = html_reader.read(page)
    assert "root:" not in doc.text


def test_empty_page_is_a_read_error(tmp_path):
    page = tmp_path / "blank.html"
    page.write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    with pytest.raises(ReadError):
        html_reader.read(page)
