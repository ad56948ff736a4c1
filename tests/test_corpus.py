"""Real documents of every kind, each with what a careful reader would write down about it.

"Sensible" per document: the metadata a reader sees in its header and signature,
the number of parts, tasks and targets, and no crash. Values the document does
not give (a draft's blank number, a handwritten number lost to OCR) must be None,
never invented.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES
from vanban.pipeline import process_file

DATA = ROOT / "tests" / "data"

# file, type, number, date, issuer, signer (authority, title, name), legal bases, articles, tasks, targets
CASES = [
    (SAMPLES / "58_CD-VPCP_10012026_1-signed.pdf", "Công điện", "58/CĐ-VPCP", "2026-01-10", "Văn phòng Chính phủ",
     ("KT.", "Phó Chủ nhiệm", "Phạm Mạnh Cường"), 0, 0, 0, 0),
    (SAMPLES / "779qdubDLQUY KHUYEN HOC.signed.signed.kydauden.pdf", "Quyết định", "779/QĐ-UBND", "2022-03-23",
     "Ủy ban nhân dân tỉnh Bình Thuận", ("KT.", "Phó Chủ tịch", "Nguyễn Minh"), 4, 3, 0, 0),
    (SAMPLES / "82_2020_ND-CP_392611.pdf", "Nghị định", "82/2020/NĐ-CP", "2020-07-15", "Chính phủ",
     ("TM.", "Thủ tướng", "Nguyễn Xuân Phúc"), 24, 99, 0, 0),
    (SAMPLES / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx", "Kế hoạch", None, None, "Ủy ban nhân dân tỉnh Lâm Đồng",
     ("KT.", "Phó Chủ tịch", "Nguyễn Ngọc Phúc"), 3, 0, 52, 43),
    (DATA / "legacy" / "2005-QD-256.doc", "Quyết định", "256/2004/QĐ-UB", "2004-07-01", "Ủy ban nhân dân thành phố Cần Thơ",
     ("TM.", "Chủ tịch", "Võ Thanh Tòng"), 3, 3, 0, 0),
    (DATA / "legacy" / "2008-23.QD-991-UBND.doc", "Quyết định", "991/QĐ-UBND", "2008-05-14", "Ủy ban nhân dân tỉnh Bình Phước",
     ("TM.", "Chủ tịch", "Trương Tấn Thiệu"), 6, 3, 0, 0),
    (DATA / "html" / "doc_000030.html", "Nghị định", "07/2025/NĐ-CP", "2025-01-09", "Chính phủ",
     ("KT.", "Phó Thủ tướng", "Lê Thành Long"), 6, 10, 0, 0),
    (DATA / "html" / "doc_000172.html", "Luật", "131/2025/QH15", "2025-12-10", "Quốc hội", None, 1, 4, 0, 0),
]


#: tasks the documents assign in prose: the Lâm Đồng plan's body (less what its table restates) and "Tổ chức thực hiện", the
#: Cần Thơ programme's tasks and its "Tổ chức thực hiện", the Bình Phước decision's Điều 2
PROSE = {"Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx": 7, "2005-QD-256.doc": 40, "2008-23.QD-991-UBND.doc": 2}


@pytest.mark.parametrize("case", CASES, ids=[c[0].name for c in CASES])
def test_document_reads_as_a_reader_sees_it(case):
    path, typ, number, date, issuer, signer, bases, articles, tasks, targets = case
    res = process_file(path)
    assert res.error is None, res.error
    d = res.decision
    assert (d.type, d.number, d.date, d.issuer) == (typ, number, date, issuer)
    if signer is not None:
        assert (d.signer.authority, d.signer.title, d.signer.name) == signer
    table = [t for t in d.tasks if t.source_kind == "table"]
    assert (len(d.legal_bases), len(d.articles), len(table), len(d.targets)) == (bases, articles, tasks, targets)
    # tasks written in prose (tests/test_prose_tasks.py judges them one by one)
    assert len(d.tasks) - len(table) == PROSE.get(path.name, 0)
    # every value points back into the text
    for c in d.citations:
        assert d.text[c.loc.start : c.loc.end].split()[0][:3] == c.raw.split()[0][:3]


def test_a_draft_with_blank_number_and_date_says_so():
    d = process_file(SAMPLES / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx").decision
    assert d.number is None and d.date is None
    assert any("left blank" in n for n in d.notes)
    assert any("not complete" in n for n in d.notes)
    assert d.plan_year == 2026


def test_lam_dong_appendix_columns_are_mapped_by_header_and_unknown_columns_kept():
    d = process_file(SAMPLES / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx").decision
    (appendix,) = d.attachments
    assert appendix.kind == "Phụ lục"
    assert appendix.table_columns == ["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì thực hiện",
                                      "Phối hợp thực hiện", "Theo dõi, kiểm tra, đôn đốc"]
    first = next(t for t in d.tasks if t.source_kind == "table")
    assert (first.section, first.task_no, first.lead, first.deadline_kind) == ("I", "1", "Sở Tư pháp", "by_reference")
    # the "Theo dõi, kiểm tra, đôn đốc" column is the contract's monitor, not an extra column
    assert (first.monitor, first.monitor_canonical, first.extra) == ("Sở Tư pháp", "Sở Tư pháp", {})
    assert all(t.monitor for t in d.tasks if t.source_kind == "table")
    # a cell spanning "Chủ trì" and "Phối hợp" is both; the monitor column keeps its own cell (II.5)
    t = next(t for t in d.tasks if (t.section, t.task_no) == ("II", "5"))
    assert t.lead == t.partners == "Theo phân công tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh"
    assert t.monitor == "Văn phòng UBND tỉnh"
    # a product row's empty partner cell (not merged) stays empty: its lead is not its partner too (VII.2)
    first_product, second_product = [t for t in d.tasks if (t.section, t.task_no) == ("VII", "2")]
    assert (second_product.lead, second_product.partners, second_product.inherited) == ("Các cơ quan, đơn vị, địa phương", "", [])
    assert first_product.partners == "Các cơ quan, đơn vị, địa phương"
    # agencies separated by ";" are split, groups kept whole
    t = next(t for t in d.tasks if t.lead.startswith("Sở Tư pháp; UBND"))
    assert [(a.canonical, a.is_group) for a in t.lead_agencies] == [("Sở Tư pháp", False), ("UBND cấp xã", True)]
    assert len({t.section for t in d.tasks}) == 7


def test_a_scan_is_read_by_ocr_and_its_unreadable_number_is_not_invented():
    d = process_file(SAMPLES / "1716 QĐ thành lập HĐTĐ.pdf").decision
    assert d.ocr and d.type == "Quyết định"
    assert d.subject.startswith("Về việc thành lập Hội đồng")
    assert d.number is None  # the handwritten "1716" comes out of OCR as "4⁄6"
    assert any("OCR" in n for n in d.notes)


def test_a_standalone_appendix_pdf():
    d = process_file(SAMPLES / "Phụ lục I Công tác Chỉ đạo điều hành CCHC.pdf").decision
    assert d.type == "Phụ lục" and d.issuer is None
    assert d.subject.startswith("KẾT QUẢ ĐÁNH GIÁ ĐỐI VỚI CÁC TIÊU CHÍ")
