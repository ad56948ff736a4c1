"""The .docx reader on the Lâm Đồng CCHC 2026 plan and on small documents built here from XML."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from vanban.extract import docx as docx_reader
from vanban.extract.base import ReadError

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "corpus" / "samples" / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx"
W = docx_reader.W_NS


@pytest.fixture(scope="module")
def plan():
    return docx_reader.read(PLAN)


def _appendix(doc):
    tables = [b for b in doc.blocks if b.kind == "table"]
    return next(t for t in tables if "Sản phẩm" in t.rows[0].texts)


def _xml_counts(path: Path) -> dict[str, int]:
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    ns = {"w": W}
    vm = root.xpath("//w:tc/w:tcPr/w:vMerge", namespaces=ns)
    return {
        "continue": sum(1 for v in vm if v.get(f"{{{W}}}val") in (None, "continue")),
        "restart": sum(1 for v in vm if v.get(f"{{{W}}}val") == "restart"),
        "gridspan": sum(1 for g in root.xpath("//w:tc/w:tcPr/w:gridSpan", namespaces=ns) if int(g.get(f"{{{W}}}val")) > 1),
        "tblHeader": len(root.xpath("//w:trPr/w:tblHeader", namespaces=ns)),
    }


def test_appendix_table_and_header_row(plan):
    table = _appendix(plan)
    assert table.rows[0].texts == ["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì thực hiện",
                                   "Phối hợp thực hiện", "Theo dõi, kiểm tra, đôn đốc"]
    assert [r.is_header for r in table.rows].count(True) == _xml_counts(PLAN)["tblHeader"] == 1
    assert table.rows[0].is_header
    assert len(table.rows) == 60
    assert table.rows[1].texts[:2] == ["I", "Cải cách thể chế"]


def test_merged_cells_counted_as_in_the_xml(plan):
    xml = _xml_counts(PLAN)
    assert (xml["continue"], xml["restart"], xml["gridspan"]) == (6, 6, 3)
    cells = [c for b in plan.blocks if b.kind == "table" for r in b.rows for c in r.cells]
    assert sum(c.merged_above for c in cells) == xml["continue"]
    assert sum(c.colspan > 1 for c in cells) == xml["gridspan"]
    assert sum(c.rowspan - 1 for c in cells) == xml["continue"]  # every continue cell extends a restart


def test_vmerge_text_is_not_repeated(plan):
    table = _appendix(plan)
    for i, row in enumerate(table.rows):
        for cell in row.cells:
            if cell.merged_above:
                assert cell.text == ""
                above = next(c for c in table.rows[i - 1].cells if c.col == cell.col)
                assert above.merged_above or above.rowspan > 1


def test_grid_columns_account_for_spans(plan):
    for b in plan.blocks:
        for row in b.rows:
            cols = [c.col for c in row.cells]
            assert cols == sorted(cols)
            for a, c in zip(row.cells, row.cells[1:]):
                assert c.col == a.col + a.colspan


def test_body_order_numbering_and_page_break(plan):
    texts = [b.text for b in plan.blocks if b.kind == "paragraph"]
    assert texts[0] == "KẾ HOẠCH"
    # Word auto-numbering written out: decimal "%1." and lowerLetter "%1)" lists
    assert "1. Cải cách thể chế" in texts
    assert "7. Công tác chỉ đạo, điều hành" in texts
    assert any(t.startswith("c) Sở Nội vụ có trách nhiệm") for t in texts)
    numbered = next(b for b in plan.blocks if b.text == "1. Cải cách thể chế")
    assert numbered.raw == "Cải cách thể chế" and numbered.bold and numbered.style == "Normal"
    # the landscape Phụ lục section starts on a new page: one break (section + w:br collapse)
    kinds = [b.kind for b in plan.blocks]
    assert kinds.count("page_break") == 1
    assert kinds.index("page_break") < kinds.index("table", kinds.index("page_break"))
    # w:lastRenderedPageBreak (46 of them in the file) is not a break
    assert "lastRenderedPageBreak" in zipfile.ZipFile(PLAN).read("word/document.xml").decode()


def test_no_footnotes_in_plan_and_locs_point_into_text(plan):
    # The plan's footnotes.xml holds only the separator notes: nothing to append.
    assert not any((b.style or "").startswith("footnote") for b in plan.blocks)
    for b in plan.blocks:
        if b.kind == "paragraph":
            assert plan.text[b.loc.start:b.loc.end] == b.text
        for r in b.rows:
            for c in r.cells:
                assert plan.text[c.loc.start:c.loc.end] == c.text
                # a cell of several paragraphs keeps them as lines; its line is where it starts
                assert plan.text.count("\n", 0, c.loc.start) + 1 == c.loc.line


# --------------------------------------------------------------------------- built documents

_CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
_DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:rPr><w:b/></w:rPr></w:style>
</w:styles>"""
_NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"""
_FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:t>Nghị định số 107/2020/NĐ-CP ngày 14/9/2020.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def _p(text: str, extra: str = "", ppr: str = "") -> str:
    return f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>{extra}</w:p>"


def _tc(inner: str, tcpr: str = "") -> str:
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{inner}</w:tc>"


def make_docx(path: Path, body: str, *, doctype: str = "") -> Path:
    """Write a minimal .docx whose body is `body` (WordprocessingML), with styles, numbering and a footnote."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
                f'<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr/></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/_rels/document.xml.rels", _DOC_RELS)
        z.writestr("word/document.xml", document)
        z.writestr("word/styles.xml", _STYLES)
        z.writestr("word/numbering.xml", _NUMBERING)
        z.writestr("word/footnotes.xml", _FOOTNOTES)
    return path


@pytest.fixture()
def built(tmp_path):
    nested = ("<w:tbl><w:tr>" + _tc(_p("n1")) + _tc(_p("n2")) + "</w:tr>"
              "<w:tr>" + _tc(_p("n3")) + _tc(_p("n4")) + "</w:tr></w:tbl>")
    table = (
        "<w:tbl>"
        '<w:tr><w:trPr><w:tblHeader/></w:trPr>' + _tc(_p("STT")) + _tc(_p("Nhiệm vụ")) + _tc(_p("Chủ trì")) + "</w:tr>"
        "<w:tr>" + _tc(_p("1"), '<w:vMerge w:val="restart"/>') + _tc(_p("Việc một") + _p("dòng hai"))
        + _tc(_p("Sở Nội vụ")) + "</w:tr>"
        "<w:tr>" + _tc(_p(""), "<w:vMerge/>") + _tc(_p("Gộp hai cột"), '<w:gridSpan w:val="2"/>') + "</w:tr>"
        "<w:tr>" + _tc(_p("2")) + _tc(_p("Bảng lồng") + nested) + _tc(_p("")) + "</w:tr>"
        "</w:tbl>"
    )
    body = (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Tiêu đề</w:t></w:r></w:p>'
        + _p("Giữ ", "<w:ins w:id=\"1\" w:author=\"a\"><w:r><w:t>chèn thêm</w:t></w:r></w:ins>"
                     "<w:del w:id=\"2\" w:author=\"a\"><w:r><w:delText>đã xoá</w:delText></w:r></w:del>")
        + "<w:sdt><w:sdtPr><w:alias w:val=\"x\"/></w:sdtPr><w:sdtContent>" + _p("Trong ô điều khiển") + "</w:sdtContent></w:sdt>"
        + _p("Có chú thích", '<w:r><w:footnoteReference w:id="1"/></w:r>')
        + '<w:p><w:r><w:t>Trước</w:t></w:r><w:r><w:lastRenderedPageBreak/><w:t> vẫn một trang</w:t></w:r></w:p>'
        + '<w:p><w:r><w:t>Trang một</w:t></w:r><w:r><w:br w:type="page"/></w:r><w:r><w:t>Trang hai</w:t></w:r></w:p>'
        + _p("Mục tiêu", ppr='<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')
        + _p("Nhiệm vụ", ppr='<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')
        + _p("Thể chế", ppr='<w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>')
        + _p("Rà soát", ppr='<w:numPr><w:ilvl w:val="2"/><w:numId w:val="1"/></w:numPr>')
        + _p("Kiểm tra", ppr='<w:numPr><w:ilvl w:val="2"/><w:numId w:val="1"/></w:numPr>')
        + '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Đậm </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>hết</w:t></w:r></w:p>'
        + '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Nửa </w:t></w:r><w:r><w:t>đậm</w:t></w:r></w:p>'
        + table
        + '<w:p><w:r><w:rPr><w:rFonts w:ascii=".VnTimeH" w:hAnsi=".VnTimeH"/></w:rPr><w:t>ñy ban nh©n d©n</w:t></w:r></w:p>'
        + '<w:p><w:r><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr><w:t>Céng hoµ x· héi chñ nghÜa ViÖt Nam, Ch</w:t></w:r>'
          '<w:r><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr><w:softHyphen/><w:t>¬ng tr×nh</w:t></w:r></w:p>'
        + '<w:p><w:r><w:rPr><w:rFonts w:ascii="VNI-Times" w:hAnsi="VNI-Times"/></w:rPr><w:t>Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam</w:t></w:r></w:p>'
    )
    return docx_reader.read(make_docx(tmp_path / "built.docx", body))


def _paras(doc):
    return [b.text for b in doc.blocks if b.kind == "paragraph"]


def test_ins_and_sdt_kept_del_dropped(built):
    texts = _paras(built)
    assert "Giữ chèn thêm" in texts
    assert "Trong ô điều khiển" in texts
    assert "đã xoá" not in built.text


def test_style_name_and_bold(built):
    heading = next(b for b in built.blocks if b.text == "Tiêu đề")
    assert heading.style == "heading 1" and heading.bold  # bold through the style
    assert next(b for b in built.blocks if b.text == "Đậm hết").bold
    assert not next(b for b in built.blocks if b.text == "Nửa đậm").bold


def test_page_breaks(built):
    kinds = [(b.kind, b.text) for b in built.blocks]
    i = kinds.index(("paragraph", "Trang một"))
    assert kinds[i + 1] == ("page_break", "") and kinds[i + 2] == ("paragraph", "Trang hai")
    assert ("paragraph", "Trước vẫn một trang") in kinds  # lastRenderedPageBreak ignored
    assert [k for k, _ in kinds].count("page_break") == 1


def test_numbering_synthesised(built):
    texts = _paras(built)
    for expected in ("I. Mục tiêu", "II. Nhiệm vụ", "1. Thể chế", "a) Rà soát", "b) Kiểm tra"):
        assert expected in texts
    assert any("auto-numbering" in n for n in built.notes)


def test_footnote_appended(built):
    last = built.blocks[-1]
    assert last.style == "footnote 1"
    assert last.text == "[1] Nghị định số 107/2020/NĐ-CP ngày 14/9/2020."
    assert "Có chú thích" in _paras(built)  # no reference mark in the body


def test_table_merges_header_and_nested(built):
    table = next(b for b in built.blocks if b.kind == "table")
    rows = table.rows
    assert [r.is_header for r in rows] == [True, False, False, False]
    assert rows[1].cells[0].text == "1" and rows[1].cells[0].rowspan == 2
    assert rows[2].cells[0].merged_above and rows[2].cells[0].text == ""
    assert rows[2].cells[1].colspan == 2 and rows[2].cells[1].col == 1 and rows[2].cells[1].text == "Gộp hai cột"
    assert rows[1].cells[1].text == "Việc một\ndòng hai"  # a cell keeps its paragraphs as lines
    assert rows[3].cells[1].text == "Bảng lồng\nn1 | n2\nn3 | n4"
    assert any("nested table" in n for n in built.notes)


def test_legacy_font_runs_decoded(built):
    texts = _paras(built)
    assert "ỦY BAN NHÂN DÂN" in texts  # .VnTimeH draws lowercase codes as capitals
    assert "Cộng hoà xã hội chủ nghĩa Việt Nam, Chương trình" in texts  # w:softHyphen is TCVN3 "ư"
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in texts
    tcvn = next(b for b in built.blocks if b.text.startswith("Cộng hoà"))
    assert tcvn.raw == "Céng hoµ x· héi chñ nghÜa ViÖt Nam, Ch\u00ad¬ng tr×nh"
    assert built.encoding == "tcvn3+vni"


def test_legacy_font_that_lies_is_not_decoded(tmp_path):
    body = ('<w:p><w:r><w:rPr><w:rFonts w:ascii=".VnTime"/></w:rPr>'
            "<w:t>Ủy ban nhân dân tỉnh Lâm Đồng ban hành kế hoạch cải cách hành chính</w:t></w:r></w:p>")
    doc = docx_reader.read(make_docx(tmp_path / "lie.docx", body))
    assert doc.blocks[0].text == "Ủy ban nhân dân tỉnh Lâm Đồng ban hành kế hoạch cải cách hành chính"
    assert doc.encoding is None
    assert any("kept as written" in n for n in doc.notes)


def test_external_entity_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    path = make_docx(tmp_path / "xxe.docx", "<w:p><w:r><w:t>a&xxe;b</w:t></w:r></w:p>", doctype=doctype)
    try:
        doc = docx_reader.read(path)
    except ReadError:
        return
    assert "TOP-SECRET-VALUE" not in doc.text
    assert doc.blocks[0].text == "ab"  # the entity is dropped, not expanded


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is plain text, not a zip", "not a zip"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64,
         "encrypted"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "binary Word (.doc)"),
    ],
)
def test_broken_files_raise_read_error(tmp_path, content, reason):
    path = tmp_path / "broken.docx"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=re.escape(reason)):
        docx_reader.read(path)


def test_truncated_zip_raises_read_error(tmp_path):
    data = PLAN.read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError):
        docx_reader.read(path)


def test_zip_without_word_document(tmp_path):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ReadError, match="no Word document"):
        docx_reader.read(path)
