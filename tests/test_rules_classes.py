"""Classes of false findings found on real documents nobody tuned the rules on, each fixed as a
class: an office's code, an old form of symbol, a unit of an organ, an appendix of another
document, a table of contents, a procedure whose steps have no deadline, a run of documents
that mostly agree, and a rule that fires many times in one document."""

from __future__ import annotations

from test_rules import _cite, _decision, make_doc, rules_of, run

from vanban.model import Decision
from vanban.rules.engine import GROUP_OVER, Context, check


def test_issuer_of_an_office_a_unit_or_an_old_symbol_is_not_a_mismatch(tmp_path):
    """Real citations: the office of the provincial People's Committee signs with VP; an old Ministry
    of Finance circular "07-TC/CĐKT"; a unit of the Ministry of Public Security; the chairman's title."""
    body = ("- Thực hiện Công văn số 123/VP-NCKSTTHC ngày 08/01/2025 của Văn phòng Ủy ban nhân dân tỉnh; Thông tư số 07-TC/CĐKT "
            "ngày 21-2-1994 của Bộ Tài chính; Kế hoạch số 176/KH-BCA-C04 ngày 08/10/2025 của Cục Cảnh sát điều tra tội phạm về ma túy, "
            "Bộ Công an; Quyết định số 15/QĐ-CTUBND ngày 02/3/2025 của Chủ tịch Ủy ban nhân dân tỉnh.")
    assert "issuer_organ_mismatch" not in rules_of(run(tmp_path, make_doc(body=body)))


def test_issuer_mismatch_still_caught_where_the_organ_is_named_itself(tmp_path):
    body = "- Thực hiện Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Thủ tướng Chính phủ; Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Chính phủ."
    found = rules_of(run(tmp_path, make_doc(body=body)))["issuer_organ_mismatch"]
    assert {f.message.split(" mang ")[0] for f in found} == {"Nghị quyết số 76/NQ-CP", "Quyết định số 766/QĐ-TTg"}


def _appendix(tmp_path, after_plan: str, name: str = "doc.txt", **kw) -> list[str]:
    return [f.message for f in rules_of(run(tmp_path, make_doc(after_plan=after_plan, **kw), name)).get("missing_appendix", [])]


def test_an_appendix_of_another_document_is_not_missing(tmp_path):
    """"(Thay thế biểu A01 tại Phụ lục 3a / tại Quyết định số 477/2004/QĐ-NHNN ...)": a form of another
    decision's appendix, wrapped onto the next line of its cell."""
    text = "(Thay thế biểu A01 tại Phụ lục 3a\n\t\t\ttại Quyết định số 477/2004/QĐ-NHNN ngày 28/4/2004)"
    assert _appendix(tmp_path, text, appendix=False) == []
    assert _appendix(tmp_path, "- Lập hồ sơ theo mẫu tại Phụ lục I Nghị định số 30/2020/NĐ-CP.", "b.txt", appendix=False) == []


def test_a_table_of_contents_and_a_common_noun_are_not_references(tmp_path):
    text = "MỤC LỤC\nTài liệu tham khảo\t38\nPhụ lục 1\t39\nPhụ lục 2\t40\n- Hồ sơ hợp đồng gồm hợp đồng, phụ lục hợp đồng và tài liệu kèm theo."
    assert _appendix(tmp_path, text, appendix=False) == []


def test_an_own_appendix_reference_is_still_caught(tmp_path):
    (msg,) = _appendix(tmp_path, "(Chi tiết tại Phụ lục II kèm theo Kế hoạch này)")
    assert "Phụ lục II" in msg
    (msg,) = _appendix(tmp_path, "(Danh sách tại phụ lục kèm theo)", "b.txt", appendix=False)
    assert "không có phụ lục" in msg


def test_a_database_page_without_its_appendix_is_info(tmp_path):
    from vanban.rules.structure import missing_appendix

    dec = run(tmp_path, make_doc(appendix=False)).decision
    assert next(missing_appendix(dec)).severity == "warning"
    dec.format = "html"
    f = next(missing_appendix(dec))
    assert f.severity == "info" and "tệp đính kèm riêng" in f.message


def test_a_procedure_whose_steps_have_no_deadline_is_not_missing_fields(tmp_path):
    """Quy trình đánh giá đề tài (QĐ 13/2004/QĐ-BKHCN, Phụ lục 3): most steps have no deadline."""
    rows = {"I": [
        "1\tNộp Hồ sơ đánh giá cơ sở\tHồ sơ\tChủ nhiệm Đề tài\t\tChậm nhất là đến thời hạn kết thúc Hợp đồng",
        "2\tThành lập Hội đồng đánh giá cơ sở\tQuyết định\tCơ quan chủ trì\t\t",
        "3\tHội đồng cơ sở làm việc, đánh giá\tBiên bản\tHội đồng cơ sở\t\t",
        "4\tNộp Hồ sơ đánh giá đến Bộ\tHồ sơ\tChủ nhiệm Đề tài\t\t",
    ], "II": []}
    found = rules_of(run(tmp_path, make_doc(rows=rows, sections=[("I", "CẢI CÁCH THỂ CHẾ")])))
    assert "task_missing_field" not in found
    rows["I"][1] = "2\tThành lập Hội đồng đánh giá cơ sở\tQuyết định\t\t\tQuý I/2021"
    for i in (2, 3):
        rows["I"][i] = rows["I"][i][:-1] + "Quý II/2021"
    found = rules_of(run(tmp_path, make_doc(rows=rows, sections=[("I", "CẢI CÁCH THỂ CHẾ")]), "b.txt"))
    (f,) = found["task_missing_field"]
    assert "cơ quan chủ trì" in f.message


def _doc(doc_id: str, date: str) -> Decision:
    return Decision(doc_id=doc_id, source=doc_id, sha256=doc_id, format="text", text="x\n" * 12,
                    citations=[_cite("779/QĐ-UBND", date, 10)])


def test_the_run_reports_the_odd_date_out_not_the_majority():
    """Five documents of a file cite Quyết định 779/QĐ-UBND; one writes 13/3/2022, four 23/3/2022."""
    docs = [_doc("draft", "2022-03-13")] + [_doc(f"d{i}", "2022-03-23") for i in range(4)]
    found = {d.doc_id: [f for f in check(d, Context(docs)) if f.rule == "citation_corpus_date"] for d in docs}
    assert [d for d, fs in found.items() if fs] == ["draft"]
    assert "23/03/2022" in found["draft"][0].message


def test_repeated_findings_of_a_rule_are_one_finding_with_all_the_evidence():
    cites = [_cite(f"{n}/2020/NĐ-CP", "2019-05-0%d" % (n % 9 + 1), 10 + n, year=2020, normative=True) for n in range(1, GROUP_OVER + 3)]
    found = [f for f in check(_decision(cites)) if f.rule == "citation_symbol_year"]
    assert len(found) == 1
    (f,) = found
    assert f.message.startswith(f"{GROUP_OVER + 2} trường hợp") and len(f.evidence) == GROUP_OVER + 2
    assert {e.line for e in f.evidence} == {10 + n for n in range(1, GROUP_OVER + 3)}
    few = [f for f in check(_decision(cites[:GROUP_OVER])) if f.rule == "citation_symbol_year"]
    assert len(few) == GROUP_OVER
