"""Task tables beyond the standard appendix: a procedure whose deadline cell is merged over
several steps (a real .doc), performer and monitor columns, headers over two rows, a row of
column numbers, and how empty cells are read when the reader can or cannot tell a merge."""

from __future__ import annotations

from conftest import ROOT
from vanban.pipeline import process_file

PHULUC3 = ROOT / "tests" / "data" / "legacy" / "2004-13-t-Phuluc3.doc"


def _tasks(tmp_path, text: str):
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    res = process_file(path)
    assert res.error is None, res.error
    return [t for t in res.decision.tasks if t.source_kind == "table"]


def test_a_procedure_whose_deadline_is_merged_over_its_steps():
    """2004-13-t-Phuluc3 (corpus-dev, tuning half): "Thời hạn" merged down over steps 2-5 and 6-7,
    "Đơn vị, cá nhân thực hiện" merged over steps 2-3; each table under a roman heading."""
    res = process_file(PHULUC3)
    assert res.error is None, res.error
    tasks = [t for t in res.decision.tasks if t.source_kind == "table"]
    first = {t.task_no: t for t in tasks if t.section == "I"}
    assert (first["1"].section_title, first["1"].lead) == ("Đánh giá cấp cơ sở", "Chủ nhiệm Đề tài")
    shared = "Trong thời hạn 60 ngày kể từ khi kết thúc Hợp đồng"
    assert [first[n].deadline for n in "2345"] == [shared] * 4
    assert [first[n].deadline_kind for n in "2345"] == ["by_reference"] * 4
    assert first["3"].lead == first["2"].lead == "Cơ quan chủ trì Đề tài" and first["3"].inherited == ["lead", "deadline"]
    assert first["4"].lead == "Các thành viên Hội đồng cơ sở"  # its own cell under the merged deadline
    assert first["7"].deadline == first["6"].deadline and "deadline" in first["7"].inherited
    assert first["8"].inherited == []  # below the merge: its own cells
    assert [t.section for t in tasks] == ["I"] * 10 + ["II"] * 11 + ["III"] * 2 + ["IV"] * 3
    assert all(t.lead for t in tasks) and not any(t.extra for t in tasks)


def test_header_over_two_rows_and_a_row_of_column_numbers(tmp_path):
    text = "\n".join([
        "KẾ HOẠCH",
        "TT\tNội dung\tCơ quan thực hiện\t\tThời gian\t\tTheo dõi, đôn đốc",
        "\t\tChủ trì\tPhối hợp\tBắt đầu\tHoàn thành\t",
        "(1)\t(2)\t(3)\t(4)\t(5)\t(6)\t(7)",
        "1\tRà soát thủ tục\tSở Tư pháp\tSở Nội vụ\tQuý I/2026\tQuý III/2026\tVăn phòng UBND tỉnh",
    ])
    (t,) = _tasks(tmp_path, text)
    assert (t.task_no, t.task, t.lead, t.partners, t.monitor) == ("1", "Rà soát thủ tục", "Sở Tư pháp", "Sở Nội vụ", "Văn phòng UBND tỉnh")
    assert t.deadline == "Quý I/2026 – Quý III/2026"
    assert (t.deadline_start, t.deadline_end) == ("2026-01-01", "2026-09-30")


def test_a_text_rendering_reads_empty_product_cells_as_merged(tmp_path):
    """A text rendering cannot tell a merged cell from an empty one: a product row's empty lead is the one above."""
    text = "\n".join([
        "TT\tNội dung, nhiệm vụ\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành",
        "1\tXây dựng kế hoạch\tKế hoạch\tSở Nội vụ\tSở Tư pháp\tQuý I/2026",
        "\t\tBáo cáo\t\t\tQuý IV/2026",
    ])
    first, second = _tasks(tmp_path, text)
    assert (second.task_no, second.task, second.product, second.lead, second.partners) == ("1", "Xây dựng kế hoạch", "Báo cáo", "Sở Nội vụ", "Sở Tư pháp")
    assert second.inherited == ["lead", "partners"]


def test_a_row_naming_a_group_is_its_rows_title_not_a_task(tmp_path):
    """A row with no number and only a label ("Đề tài nghiên cứu khoa học") names the group of
    rows under it: 2005-2942C_Detai2003 (corpus-dev, tuning half) gave an empty task for it."""
    tasks = [t for t in process_file(ROOT / "tests" / "data" / "legacy" / "2005-2942C_Detai2003.txt").decision.tasks
             if t.source_kind == "table"]
    assert len(tasks) == 28 and all(t.task and t.lead and t.task_no for t in tasks)
    assert {t.section_title for t in tasks} == {"Đề tài nghiên cứu khoa học"}
    text = "\n".join([
        "TT\tTên nhiệm vụ\tCơ quan chủ trì\tThời gian\tGhi chú",
        "\t\t\t\tNhóm A",
        "1\tRà soát thủ tục\tSở Tư pháp\tQuý I/2026\t",
        "\t\t\t\tNhóm B",
        "2\tXây dựng kế hoạch\tSở Nội vụ\tQuý II/2026\t",
    ])
    got = [(t.task_no, t.section_title, t.task) for t in _tasks(tmp_path, text)]
    assert got == [("1", "Nhóm A", "Rà soát thủ tục"), ("2", "Nhóm B", "Xây dựng kế hoạch")]
