"""Each rule, one positive and one negative case at least: small documents written to a file
and run through the whole pipeline (`process_file`), or Decisions built by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED, run_cli
from vanban.model import Citation, Decision, Loc
from vanban.pipeline import process_file
from vanban.rules import engine
from vanban.rules.engine import Config, Context, check, load_rules

HEADER = "ỦY BAN NHÂN DÂN\nTỈNH THỪA THIÊN HUẾ\nSố: 100/QĐ-UBND\tThừa Thiên Huế, ngày 24 tháng 12 năm 2020\n"
AREAS = [("1", "Cải cách thể chế"), ("2", "Cải cách thủ tục hành chính")]
SECTIONS = [("I", "CẢI CÁCH THỂ CHẾ"), ("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH")]
ROWS = {
    "I": ["1\tRà soát văn bản QPPL\tBáo cáo kết quả rà soát\tSở Tư pháp\tCác sở, ban, ngành\tQuý IV/2021"],
    "II": ["1\tCông bố TTHC\tCác Quyết định công bố TTHC\tVăn phòng UBND tỉnh\tCác sở, ban, ngành\tNăm 2021"],
}


def make_doc(
    *,
    header: str = HEADER,
    articles: tuple[str, ...] = ("1", "2", "3"),
    plan_caption: str = "(Ban hành kèm theo Quyết định số 100/QĐ-UBND ngày 24/12/2020 của UBND tỉnh)",
    appendix_caption: str = "(Kèm theo Quyết định số 100/QĐ-UBND ngày 24 tháng 12 năm 2020 của UBND tỉnh)",
    objectives: str = "- Phấn đấu 100% TTHC được công khai đúng hạn.",
    areas: list[tuple[str, str]] | None = None,
    targets: dict[str, list[str]] | None = None,
    body: str = "- Tổ chức thực hiện Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 của Chính phủ về thực hiện TTHC trên môi trường điện tử.",
    sections: list[tuple[str, str]] | None = None,
    rows: dict[str, list[str]] | None = None,
    appendix: bool = True,
    after_plan: str = "(Các nhiệm vụ cụ thể tại Phụ lục kèm theo)",
) -> str:
    """A decision approving a 2021 plan with one appendix task table, in the seed's text shape."""
    areas = AREAS if areas is None else areas
    sections = SECTIONS if sections is None else sections
    rows = ROWS if rows is None else rows
    targets = targets or {}
    out = [header, "QUYẾT ĐỊNH", "Về việc phê duyệt Kế hoạch cải cách hành chính năm 2021", "", "ỦY BAN NHÂN DÂN TỈNH", ""]
    out += ["Căn cứ Luật tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", "", "QUYẾT ĐỊNH:", ""]
    texts = {"1": "Phê duyệt Kế hoạch cải cách hành chính năm 2021.", "2": "Quyết định này có hiệu lực kể từ ngày ký.", "3": "Chánh Văn phòng UBND tỉnh chịu trách nhiệm thi hành Quyết định này./."}
    for a in articles:
        out += [f"Điều {a}. {texts.get(a, 'Các cơ quan chịu trách nhiệm thi hành.')}", ""]
    out += ["Nơi nhận:", "- Như Điều 3;", "- Lưu: VT.", "", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "Nguyễn Văn An", "", ""]
    out += ["KẾ HOẠCH Cải cách hành chính của tỉnh năm 2021", "", plan_caption, ""]
    out += ["I. MỤC TIÊU, YÊU CẦU", "", "1. Mục tiêu", "", objectives, "", "II. NHIỆM VỤ CÔNG TÁC CCHC", ""]
    for num, title in areas:
        out += [f"{num}. {title}", "", "a) Chỉ tiêu", ""]
        for t in targets.get(num, ["- 100% văn bản được rà soát đúng hạn."]):
            out += [t, ""]
        out += ["b) Nhiệm vụ", "", body, ""]
    out += [after_plan, "", "III. TỔ CHỨC THỰC HIỆN", "", "1. Sở Nội vụ theo dõi, đôn đốc thực hiện Kế hoạch này.", ""]
    if appendix:
        out += ["**PHỤ LỤC**", "", "NHIỆM VỤ CỤ THỂ TRIỂN KHAI CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2021", appendix_caption, ""]
        out += ["TT\tNội dung, nhiệm vụ\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành"]
        for num, title in sections:
            out.append(f"{num}. {title}\t\t\t\t\t")
            out += rows.get(num, [])
    return "\n".join(out) + "\n"


def run(tmp_path: Path, text: str, name: str = "doc.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    res = process_file(p)
    assert res.error is None, res.error
    return res


def rules_of(res) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in res.findings:
        out.setdefault(f.rule, []).append(f)
    return out


@pytest.fixture
def clean(tmp_path):
    return run(tmp_path, make_doc())


def test_the_clean_document_gives_no_finding(clean):
    assert clean.decision.number == "100/QĐ-UBND" and clean.decision.plan_year == 2021
    assert [t.source_kind for t in clean.decision.tasks] == ["table", "table", "prose"]
    assert [f.message for f in clean.findings] == []


# --------------------------------------------------------------------------- self reference


def test_caption_number_mismatch(tmp_path):
    res = run(tmp_path, make_doc(appendix_caption="(Kèm theo Quyết định số 101/QĐ-UBND ngày 24/12/2020 của UBND tỉnh)"))
    (f,) = rules_of(res)["caption_number_mismatch"]
    assert f.severity == "error" and "100/QĐ-UBND" in f.message and "101/QĐ-UBND" in f.message
    assert {e.part for e in f.evidence} == {"decision", "appendix"}


def test_caption_number_mismatch_between_captions_without_header(tmp_path):
    res = run(tmp_path, make_doc(header="", appendix_caption="(Kèm theo Quyết định số 101/QĐ-UBND ngày 24/12/2020 của UBND tỉnh)"))
    (f,) = rules_of(res)["caption_number_mismatch"]
    assert "Kế hoạch ghi ban hành kèm theo Quyết định số 100/QĐ-UBND, Phụ lục ghi 101/QĐ-UBND" in f.message


def test_caption_date_mismatch_and_same_date_written_two_ways(tmp_path, clean):
    assert "caption_date_mismatch" not in rules_of(clean)  # 24/12/2020 = ngày 24 tháng 12 năm 2020
    res = run(tmp_path, make_doc(appendix_caption="(Kèm theo Quyết định số 100/QĐ-UBND ngày 25 tháng 12 năm 2020 của UBND tỉnh)"))
    (f,) = rules_of(res)["caption_date_mismatch"]
    assert "24/12/2020" in f.message and "25/12/2020" in f.message


def test_a_caption_naming_another_document_is_not_a_self_reference(tmp_path):
    res = run(tmp_path, make_doc(appendix_caption="(Kèm theo Kế hoạch số 55/KH-UBND ngày 20/12/2020 của UBND tỉnh)"))
    assert "caption_number_mismatch" not in rules_of(res) and "caption_date_mismatch" not in rules_of(res)


# --------------------------------------------------------------------------- years and deadlines


def _rows(*lines: str) -> dict[str, list[str]]:
    return {"I": list(lines), "II": ROWS["II"]}


def test_year_out_of_scope_and_preparation_note(tmp_path):
    res = run(tmp_path, make_doc(rows=_rows(
        "1\tXây dựng kế hoạch kiểm soát TTHC năm 2022\tKế hoạch\tVăn phòng UBND tỉnh\tCác sở\tQuý IV/2021",
        "2\tTổ chức thực hiện chương trình năm 2021\tBáo cáo\tSở Nội vụ\tCác sở\tNăm 2021",
    )))
    (f,) = rules_of(res)["year_out_of_scope"]
    assert f.severity == "info" and "2022" in f.message and "chuẩn bị" in f.message
    assert f.evidence[0].line == res.decision.tasks[0].loc.line


def test_year_out_of_scope_skips_baselines_and_the_plan_year(tmp_path, clean):
    assert "year_out_of_scope" not in rules_of(clean)
    res = run(tmp_path, make_doc(rows=_rows("1\tGiảm 10% biên chế so với năm 2015\tBáo cáo\tSở Nội vụ\tCác sở\tNăm 2021")))
    assert "year_out_of_scope" not in rules_of(res)


def test_year_conflict_in_row(tmp_path):
    res = run(tmp_path, make_doc(rows=_rows(
        "1\tTheo dõi tình hình thi hành pháp luật năm 2022\tKế hoạch theo dõi tình hình thi hành pháp luật năm 2021\tSở Tư pháp\tCác sở\tQuý IV/2021",
        "2\tĐánh giá CCHC năm 2021\tBáo cáo kết quả đánh giá năm 2021\tSở Nội vụ\tCác sở\tQuý IV/2021",
    )))
    found = rules_of(res)
    (f,) = found["year_conflict_in_row"]
    assert f.severity == "warning" and "2022" in f.message and "2021" in f.message
    assert "year_out_of_scope" not in found  # the row's conflict says more


def test_report_before_period_vs_preparing_next_year(tmp_path):
    res = run(tmp_path, make_doc(rows=_rows(
        "1\tKiểm tra CCHC và thực hiện ý kiến chỉ đạo năm 2022\tKế hoạch, Báo cáo kết quả kiểm tra\tVăn phòng UBND tỉnh\tSở Nội vụ\tTháng 12/2021",
        "2\tXây dựng kế hoạch rà soát, đánh giá TTHC năm 2022\tKế hoạch\tVăn phòng UBND tỉnh\tCác sở\tQuý IV/2021",
        "3\tCông tác xây dựng văn bản QPPL năm 2022\tKế hoạch xây dựng văn bản QPPL năm 2022\tSở Tư pháp\tCác sở\tQuý IV/2021",
    )))
    found = rules_of(res)
    (f,) = found["report_before_period"]
    assert f.category == "deadline_conflict" and "Tháng 12/2021" in f.message and "2022" in f.message
    assert [g.evidence[0].line for g in found["year_out_of_scope"]] == [t.loc.line for t in res.decision.tasks[1:3]]


def test_a_deadline_that_is_the_preparation_step_is_not_a_conflict(tmp_path):
    res = run(tmp_path, make_doc(rows=_rows(
        "1\tTổ chức đào tạo CBCCVC\tKết quả đào tạo trong năm 2022\tSở Nội vụ\tCác sở\tBan hành kế hoạch chậm nhất là ngày 31/12/2021 và tổ chức mở lớp theo kế hoạch đề ra",
    )))
    assert "report_before_period" not in rules_of(res)


def test_deadline_before_decision_and_after_period(tmp_path, clean):
    assert "deadline_before_decision" not in rules_of(clean) and "deadline_after_period" not in rules_of(clean)
    res = run(tmp_path, make_doc(rows=_rows(
        "1\tRà soát văn bản\tBáo cáo\tSở Tư pháp\tCác sở\tQuý III/2020",
        "2\tNâng cấp hệ thống\tDự án\tSở TT&TT\tCác sở\tQuý II/2022",
        "3\tBáo cáo tổng kết công tác CCHC\tBáo cáo\tSở Nội vụ\tCác sở\tQuý I/2022",
    )))
    found = rules_of(res)
    (before,) = found["deadline_before_decision"]
    (after,) = found["deadline_after_period"]
    assert "Quý III/2020" in before.message and "Quý II/2022" in after.message  # the Q1 year-end report is normal


# --------------------------------------------------------------------------- citations


def _cite(id: str, date: str | None, line: int, **kw) -> Citation:
    number = id.split("/")[0].split("-")[0]
    return Citation(id=id, kind=kw.pop("kind", "Nghị định"), raw=kw.pop("raw", f"Nghị định số {id}"), number=number, date=date, loc=Loc(0, 0, line), **kw)


def _decision(cites: list[Citation], date: str | None = "2020-12-24") -> Decision:
    return Decision(doc_id="d1", source="x", sha256="0", format="text", text="x\n" * 400, date=date, citations=cites)


def _only(dec: Decision, rule_id: str) -> list:
    return [f for f in check(dec) if f.rule == rule_id]


def test_citation_date_mismatch_compares_calendar_dates(tmp_path):
    same = _decision([_cite("16/2015/NĐ-CP", "2015-02-14", 189, year=2015, normative=True), _cite("16/2015/NĐ-CP", "2015-02-14", 296, year=2015, normative=True)])
    assert not _only(same, "citation_date_mismatch")
    res = run(tmp_path, make_doc(body="- Thực hiện Nghị định số 16/2015/NĐ-CP ngày 14/2/2015 và Nghị định số 16/2015/NĐ-CP ngày 14/3/2015 của Chính phủ."))
    (f,) = rules_of(res)["citation_date_mismatch"]
    assert "16/2015/NĐ-CP" in f.message and "14/02/2015" in f.message and "14/03/2015" in f.message


def test_a_yearless_symbol_in_two_years_is_two_documents():
    dec = _decision([_cite("13/CT-TTg", "2015-06-10", 10, year=2015), _cite("13/CT-TTg", "2024-05-02", 20, year=2024)])
    assert not _only(dec, "citation_date_mismatch")


def test_citation_title_mismatch():
    a = _cite("45/2020/NĐ-CP", "2020-04-08", 10, year=2020, normative=True, title="về thực hiện thủ tục hành chính trên môi trường điện tử")
    b = _cite("45/2020/NĐ-CP", "2020-04-08", 20, year=2020, normative=True, title="về chính sách tinh giản biên chế cán bộ")
    c = _cite("45/2020/NĐ-CP", "2020-04-08", 30, year=2020, normative=True, title="về thực hiện TTHC trên môi trường điện tử")
    assert len(_only(_decision([a, b]), "citation_title_mismatch")) == 1
    assert not _only(_decision([a, c]), "citation_title_mismatch")


def test_a_provision_cited_with_commas_is_no_title_of_the_document(tmp_path):
    """corpus-dev legacy/2003-A16 (judged false): "quy định tại khoản 3, Điều 2, Nghị định số 94/1998/NĐ-CP ..."
    names a provision of the decree; the words after it say nothing of the decree's subject."""
    res = run(tmp_path, make_doc(body=(
        "- Căn cứ Nghị định số 94/1998/NĐ-CP ngày 17/11/1998 của Chính phủ quy định chi tiết thi hành Luật thuế "
        "xuất khẩu, thuế nhập khẩu;\n- Hàng hóa quy định tại khoản 3, Điều 2, Nghị định số 94/1998/NĐ-CP ngày "
        "17/11/1998 của Chính phủ hướng dẫn riêng việc miễn thuế cho hàng viện trợ.")))
    assert "citation_title_mismatch" not in rules_of(res)


def test_citation_after_document_and_symbol_year(tmp_path, clean):
    assert "citation_after_document" not in rules_of(clean) and "citation_symbol_year" not in rules_of(clean)
    res = run(tmp_path, make_doc(body="- Thực hiện Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ và Nghị định số 107/2020/NĐ-CP ngày 14/9/2019 của Chính phủ."))
    found = rules_of(res)
    assert "76/NQ-CP" in found["citation_after_document"][0].message
    assert "107/2020/NĐ-CP" in found["citation_symbol_year"][0].message


def test_citation_registry_date_by_status():
    confirmed = _cite("45/2020/NĐ-CP", "2020-05-08", 10, year=2020, normative=True, registry={"date": "2020-04-08", "status": "confirmed"})
    memory = _cite("141/2016/NĐ-CP", "2016-11-10", 11, year=2016, normative=True, registry={"date": "2016-10-10", "status": "memory"})
    single = _cite("117/2013/NĐ-CP", "2013-11-07", 12, year=2013, normative=True, registry={"date": "2013-10-07", "status": "single_source"})
    agree = _cite("61/2018/NĐ-CP", "2018-04-23", 13, year=2018, normative=True, registry={"date": "2018-04-23", "status": "confirmed"})
    found = {f.evidence[0].line: f.severity for f in _only(_decision([confirmed, memory, single, agree]), "citation_registry_date")}
    assert found == {10: "warning", 12: "info"}


def test_citation_corpus_date_needs_the_other_documents():
    a = _decision([_cite("16/2015/NĐ-CP", "2015-02-14", 10, year=2015, normative=True)])
    b = Decision(doc_id="d2", source="y", sha256="1", format="text", text="x\n" * 40, citations=[_cite("16/2015/NĐ-CP", "2015-03-14", 5, year=2015, normative=True)])
    assert not _only(a, "citation_corpus_date")  # no context: corpus rules do not run
    found = [f for f in check(a, Context([a, b])) if f.rule == "citation_corpus_date"]
    assert len(found) == 1 and "d2" in found[0].message and "14/03/2015" in found[0].message
    same = Decision(doc_id="d3", source="z", sha256="2", format="text", text="x\n", citations=[_cite("16/2015/NĐ-CP", "2015-02-14", 5, year=2015, normative=True)])
    assert not [f for f in check(a, Context([a, same])) if f.rule == "citation_corpus_date"]


def test_a_name_given_to_two_laws_in_one_year_is_not_one_law_with_two_dates(tmp_path):
    """Lâm Đồng decisions of 2025 cite "Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025" (65/2025/QH15)
    and, after June, "... ngày 16 tháng 6 năm 2025" (72/2025/QH15, the law of the two-level local government): two
    laws with one name and one year, not one law written with two dates. A symbol with two dates still is."""
    head = "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố: {n}/QĐ-UBND\nLâm Đồng, ngày {d}\nQUYẾT ĐỊNH\nVề việc phê duyệt Điều lệ Hội\n"
    docs = []
    for n, d, law in (("12", "10 tháng 3 năm 2025", "ngày 19 tháng 02 năm 2025"), ("812", "20 tháng 8 năm 2025", "ngày 16 tháng 6 năm 2025"),
                      ("901", "05 tháng 9 năm 2025", "ngày 16 tháng 6 năm 2025")):
        path = tmp_path / f"qd{n}.txt"
        path.write_text(head.format(n=n, d=d) + f"Căn cứ Luật Tổ chức chính quyền địa phương {law};\n"
                        f"Căn cứ Nghị định số 126/2024/NĐ-CP ngày {'08/10/2024' if n != '901' else '18/10/2024'} của Chính phủ;\n", encoding="utf-8")
        docs.append(process_file(path).decision)
    found = [f for dec in docs for f in check(dec, Context(docs)) if f.rule == "citation_corpus_date"]
    assert [f.evidence[0].text for f in found] == ["Nghị định số 126/2024/NĐ-CP ngày 18/10/2024"]


# --------------------------------------------------------------------------- invalid references


def test_issuer_organ_mismatch(tmp_path, clean):
    assert "issuer_organ_mismatch" not in rules_of(clean)  # "45/2020/NĐ-CP ... của Chính phủ"
    res = run(tmp_path, make_doc(body="- Thực hiện Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Thủ tướng Chính phủ ban hành Chương trình tổng thể; "
                                      "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Ủy ban Thường vụ Quốc hội; Chỉ thị số 13/CT-TTg ngày 10/6/2015 của Thủ tướng Chính phủ."))
    msgs = [f.message for f in rules_of(res)["issuer_organ_mismatch"]]
    assert len(msgs) == 2 and "76/NQ-CP" in msgs[0] and "202/2025/QH15" in msgs[1]  # one finding per document, all its lines


def test_issuer_family():
    from vanban.rules.validity import issuer_family

    assert issuer_family("Thủ tướng Chính phủ") == "TTg"
    assert issuer_family("Văn phòng Chính phủ") == "VPCP"
    assert issuer_family("Chính phủ") == "CP"
    assert issuer_family("Ủy ban Thường vụ Quốc hội") == "UBTVQH"
    assert issuer_family("BCH Trung ương Đảng") == "TW" == issuer_family("Bộ Chính trị")
    assert issuer_family("UBND tỉnh") == "UBND"
    assert issuer_family("Bộ Nội vụ") == "BNV"


def test_malformed_standard(tmp_path, clean):
    assert "malformed_standard" not in rules_of(clean)
    res = run(tmp_path, make_doc(objectives="- Quản lý nhà nước theo TCVN ISO 2008:2015 và TCVN ISO 9001:2015."))
    (f,) = rules_of(res)["malformed_standard"]
    assert "TCVN ISO 2008:2015" in f.message and "9001:2015" in f.message and f.severity == "warning"


def test_impossible_date_and_unknown_codes(tmp_path):
    res = run(tmp_path, make_doc(body="- Thực hiện Quyết định số 12/XYZ-UBND ngày 31/02/2020 của UBND tỉnh."))
    found = rules_of(res)
    assert "31/02/2020" in found["impossible_date"][0].message
    assert "XYZ" in found["unknown_symbol_code"][0].message


def test_symbol_lookalike_letters(tmp_path):
    res = run(tmp_path, make_doc(body="- Thực hiện Nghị định số 45/2020/NĐ-СР ngày 08/4/2020 của Chính phủ."))
    found = rules_of(res)["symbol_lookalike_letters"]  # the body is written once per area: two occurrences
    assert len(found) == 2 and all("Kirin" in f.message and "45/2020/NĐ-CP" in f.message for f in found)


# --------------------------------------------------------------------------- numbering, structure, fields


def test_numbering_articles(tmp_path):
    res = run(tmp_path, make_doc(articles=("1", "2", "4")))
    (f,) = rules_of(res)["numbering_articles"]
    assert "thiếu số 3" in f.message


def test_numbering_table_repeat_and_product_rows(tmp_path):
    res = run(tmp_path, make_doc(rows=_rows(
        "1\tRà soát văn bản\tKế hoạch rà soát\tSở Tư pháp\tCác sở\tQuý IV/2021",
        "\t\tBáo cáo rà soát\tSở Tư pháp\tCác sở\t",  # another product of task 1: not a repeat
        "2\tKiểm tra văn bản\tBáo cáo\tSở Tư pháp\tCác sở\tNăm 2021",
        "2\tTheo dõi thi hành pháp luật\tBáo cáo\tSở Tư pháp\tCác sở\tNăm 2021",
        "4\tPhổ biến pháp luật\tBáo cáo\tSở Tư pháp\tCác sở\tNăm 2021",
    )))
    msgs = [f.message for f in rules_of(res)["numbering_table"]]
    assert len(msgs) == 2 and "số 2 bị lặp" in msgs[0] and "thiếu số 3" in msgs[1]
    assert "task_missing_field" not in rules_of(res)  # the product row inherits its deadline


def test_numbering_sections_of_the_plan(tmp_path):
    text = make_doc().replace("III. TỔ CHỨC THỰC HIỆN", "IV. TỔ CHỨC THỰC HIỆN")
    (f,) = rules_of(run(tmp_path, text))["numbering_sections"]
    assert "thiếu số III" in f.message


def test_sequence_problems():
    from vanban.rules.numbering import sequence_problems

    assert sequence_problems([1, 2, 3]) == []
    assert sequence_problems([1, 2, 2, 4]) == [("repeat", 2, 3), ("gap", 3, 3)]


def test_areas_vs_appendix(tmp_path, clean):
    assert "areas_vs_appendix" not in rules_of(clean)
    res = run(tmp_path, make_doc(sections=[("I", "CẢI CÁCH THỂ CHẾ"), ("II", "CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH VÀ TUYÊN TRUYỀN")]))
    (f,) = rules_of(res)["areas_vs_appendix"]
    assert "Cải cách thủ tục hành chính" in f.message and "TUYÊN TRUYỀN" in f.message and f.severity == "info"
    res = run(tmp_path, make_doc(sections=[("I", "CẢI CÁCH THỂ CHẾ")], rows={"I": ROWS["I"]}), "b.txt")
    assert "2 lĩnh vực" in rules_of(res)["areas_vs_appendix"][0].message


def test_missing_appendix(tmp_path, clean):
    assert "missing_appendix" not in rules_of(clean)
    res = run(tmp_path, make_doc(appendix=False))
    assert "Phụ lục" in rules_of(res)["missing_appendix"][0].message
    res = run(tmp_path, make_doc(after_plan="(Chi tiết tại Phụ lục II kèm theo; theo Phụ lục I Nghị định số 30/2020/NĐ-CP)"), "b.txt")
    (f,) = rules_of(res)["missing_appendix"]
    assert "Phụ lục II" in f.message


def test_missing_header_field(tmp_path, clean):
    assert "missing_header_field" not in rules_of(clean)
    res = run(tmp_path, make_doc(header="ỦY BAN NHÂN DÂN\nTỈNH THỪA THIÊN HUẾ\n"))
    (f,) = rules_of(res)["missing_header_field"]
    assert f.severity == "info" and "số, ký hiệu" in f.message and "100/QĐ-UBND" in f.message
    res = run(tmp_path, make_doc().replace("Nguyễn Văn An\n", ""), "b.txt")
    assert any("người ký" in f.message for f in rules_of(res)["missing_signer"])


def test_task_missing_field(tmp_path):
    res = run(tmp_path, make_doc(rows=_rows("1\tRà soát văn bản\tBáo cáo\t\tCác sở\tNăm 2021")))
    (f,) = rules_of(res)["task_missing_field"]
    assert "cơ quan chủ trì" in f.message


# --------------------------------------------------------------------------- content


def test_unmeasurable_target(tmp_path, clean):
    assert "unmeasurable_target" not in rules_of(clean)
    res = run(tmp_path, make_doc(targets={"2": ["- Tăng cường kỷ luật, kỷ cương trong quản lý ngân sách.", "- 100% TTHC được công khai."]}))
    (f,) = rules_of(res)["unmeasurable_target"]
    assert "1/2" in f.message and "Cải cách thủ tục hành chính" in f.message


def test_is_measurable():
    from vanban.rules.content import is_measurable

    assert is_measurable("Phấn đấu 100% hồ sơ đúng hạn") and is_measurable("tất cả các xã có bộ phận một cửa")
    assert not is_measurable("Tăng cường kỷ luật, kỷ cương trong quản lý ngân sách")


def test_agency_name_variants(tmp_path, clean):
    assert "agency_name_variants" not in rules_of(clean)
    res = run(tmp_path, make_doc(rows=_rows(
        "1\tNâng cấp Cổng dịch vụ công\tDự án\tSở TT&TT\tVP UBND tỉnh\tNăm 2021",
        "2\tKiểm tra CCHC\tBáo cáo\tVăn phòng UBND tỉnh\tSở TTTT\tNăm 2021",
    )))
    msgs = sorted(f.message for f in rules_of(res)["agency_name_variants"])
    assert any("Sở TT&TT" in m and "Sở TTTT" in m for m in msgs)
    assert any("VP UBND tỉnh" in m and "Văn phòng UBND tỉnh" in m for m in msgs)


# --------------------------------------------------------------------------- typos


def test_known_confusions_every_example_is_flagged():
    from vanban.rules.typos import confusions, find_confusions

    for c in confusions():
        hits = [h for h in find_confusions(c.example) if h[0].wrong == c.wrong]
        assert hits, f"example of {c.wrong!r} not flagged: {c.example}"


def test_known_confusions_found_in_any_case_with_the_text_as_written():
    """The scan runs on the text in lower case; what it returns is the text as written, capitals and
    all, also where lower case would change the text's length (a dotted capital I before it)."""
    from vanban.rules.typos import find_confusions

    for text in ("KẾ HOẠCH: PHÂN ĐẤU 100% hồ sơ", "Năng Xuất lao động; Phân đấu đạt", "İ phân đấu đạt 100%"):
        hits = find_confusions(text)
        assert [m.group(0) for _, m in hits] == [w for w in ("PHÂN ĐẤU", "Năng Xuất", "Phân đấu", "phân đấu") if w in text]
        assert all(text[m.start():m.end()] == m.group(0) for _, m in hits)


def test_known_confusion_context(tmp_path):
    from vanban.rules.typos import find_confusions

    assert not find_confusions("Phần đầu của báo cáo nêu kết quả.")  # "phần đầu" = the first part
    assert not find_confusions("Nâng cao khả năng xuất khẩu.")
    # Luật sửa đổi Luật Di sản văn hóa 2009 (a ledger row judged the finding false): "tài năng" + "xuất sắc"
    assert not find_confusions("nghệ nhân có tài năng xuất sắc, tiêu biểu")
    assert [h[0].right for h in find_confusions("Nâng cao năng xuất lao động.")] == ["năng suất"]
    assert [h[0].right for h in find_confusions("(phần đầu đến năm 2021 giảm 10%)")] == ["phấn đấu"]
    res = run(tmp_path, make_doc(objectives="- Phân đấu 100% TTHC được công khai đúng hạn."))
    (f,) = rules_of(res)["known_confusion"]
    assert "Phân đấu" in f.message and "Phấn đấu" in f.message


def test_repeated_word(tmp_path, clean):
    assert "repeated_word" not in rules_of(clean)
    res = run(tmp_path, make_doc(objectives="- Kiện toàn tổ chức tại các các bộ phận; hành vi vi phạm; Luật Luật sư; ngày ngày; dịch vụ mức độ 3, 4."))
    (f,) = rules_of(res)["repeated_word"]
    assert "các các" in f.message


def test_a_compound_ending_in_a_function_word_before_that_word_is_no_repeat(tmp_path):
    """"hiện tại tại" is "hiện tại" (currently) and "tại" (at): a real 2006 text judged false in the ledger;
    "quy định tại tại Điều 36" (Nghị định 02/2022/NĐ-CP, judged true) stays a slip."""
    text = ("- Số cán bộ hiện tại tại các phòng chuyên môn; các bước tiếp theo theo quy định; quyền tự do do Hiến pháp "
            "quy định.\n- Thực hiện theo quy định tại tại Điều 36.")
    res = run(tmp_path, make_doc(objectives=text))
    (f,) = rules_of(res)["repeated_word"]
    assert "tại tại" in f.message and "Điều 36" in f.evidence[0].text


# --------------------------------------------------------------------------- registry, config, CLI


def test_every_rule_has_a_docstring_and_a_known_category():
    rules = load_rules()
    assert len(rules) >= 25
    for r in rules.values():
        assert r.func.__doc__ and len(r.func.__doc__) > 40, r.id
        assert r.func.__module__.startswith("vanban.rules."), r.id


def test_rules_toml_example_loads_and_regrades(tmp_path):
    cfg = Config.from_toml(ROOT / "rules.toml")
    assert "repeated_word" not in cfg.disabled
    custom = tmp_path / "r.toml"
    custom.write_text('[rules]\ndisable = ["year_out_of_scope"]\n[rules.severity]\ncaption_number_mismatch = "warning"\n')
    res = process_file(SEED, rules_config=Config.from_toml(custom))
    assert not [f for f in res.findings if f.rule == "year_out_of_scope"]
    assert [f.severity for f in res.findings if f.rule == "caption_number_mismatch"] == ["warning"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[rules]\ndisable = ["no_such_rule"]\n')
    with pytest.raises(ValueError):
        Config.from_toml(bad)


def test_cli_rules_lists_every_rule():
    proc = run_cli("rules")
    assert proc.returncode == 0
    for rid in load_rules():
        assert rid in proc.stdout


def test_cli_check_prints_most_severe_first():
    proc = run_cli("check", str(SEED))
    assert proc.returncode == 0, proc.stderr
    severities = [l.split()[0] for l in proc.stdout.splitlines() if l[:1].isupper() and l.split()[0] in ("ERROR", "WARNING", "INFO")]
    order = {"ERROR": 0, "WARNING": 1, "INFO": 2}
    assert severities and severities == sorted(severities, key=order.get)
    assert "3248/QĐ-UBND" in proc.stdout and "1 error" in proc.stdout


def test_cli_fail_on(tmp_path):
    assert run_cli("run", str(SEED), "-o", str(tmp_path / "a"), "--fail-on", "error").returncode == 1
    assert run_cli("run", str(SEED), "-o", str(tmp_path / "b"), "--fail-on", "warning").returncode == 1
    assert run_cli("run", str(SEED), "-o", str(tmp_path / "c")).returncode == 0
    cfg = tmp_path / "r.toml"
    cfg.write_text('[rules]\ndisable = ["caption_number_mismatch"]\n')
    proc = run_cli("run", str(SEED), "-o", str(tmp_path / "d"), "--fail-on", "error", "--rules-config", str(cfg))
    assert proc.returncode == 0, proc.stderr
