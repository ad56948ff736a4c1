"""Numbers that cannot be (issue 16), on real documents of corpus-dev copied into tests/data/issue16 (the
tuning half: a 2003 provincial plan's table of targets, a 2004 study of a district hospital), read by the real
pipeline, and on planted variants of them: change one figure, the finding appears; change it back, it goes."""

from __future__ import annotations

import lzma
from pathlib import Path

import pytest

import vanban
from vanban.model import Decision
from vanban.rules.numbers import figure, share_holds_count, share_over_100, total_conflict

DATA = Path(__file__).parent / "data" / "issue16"
PLAN = "2005-KH2003-bieu.txt"  # corpus-dev/legacy: "20\tTỉ lệ hộ nghèo\t%\t16\t14.3\t12.5"
STUDY = "2004-1F7ZB_EtudeBinh_vn.txt"  # corpus-dev/legacy: "Tổng số nhân viên của bệnh viện là 60 người; ..."
POOR = "Tỉ lệ hộ nghèo\t%\t16\t14.3\t12.5"
STAFF = "Tổng số nhân viên của bệnh viện là 60 người"


def _real(name: str) -> str:
    return lzma.decompress((DATA / f"{name}.xz").read_bytes()).decode("utf-8")


def _rules(tmp_path: Path, name: str, text: str) -> dict[str, list]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out: dict[str, list] = {}
    for f in vanban.process(str(path)).findings:
        out.setdefault(f.rule, []).append(f)
    return out


def _dec(text: str) -> Decision:
    return Decision(doc_id="t", source="t.txt", sha256="", format="txt", text=text)


def test_the_real_plan_has_shares_within_100_percent(tmp_path):
    text = _real(PLAN)
    assert POOR in text
    found = _rules(tmp_path, PLAN, text)
    assert "share_over_100" not in found and "share_holds_count" not in found


def test_a_share_row_above_100_percent_planted_and_removed(tmp_path):
    text = _real(PLAN)
    found = _rules(tmp_path, PLAN, text.replace(POOR, POOR.replace("14.3", "114.3")))
    (f,) = found["share_over_100"]
    assert "Tỉ lệ hộ nghèo" in f.message and "114,3" in f.message and f.message_en
    assert "hộ nghèo" in f.evidence[0].text
    assert "share_over_100" not in _rules(tmp_path, "back.txt", text)


def test_a_share_row_holding_a_count_planted(tmp_path):
    text = _real(PLAN)
    found = _rules(tmp_path, PLAN, text.replace(POOR, POOR.replace("\t%\t", "\thộ\t")))
    (f,) = found["share_holds_count"]
    assert "\"hộ\"" in f.message and "Tỉ lệ hộ nghèo" in f.message


@pytest.mark.parametrize(
    "sentence, rule",
    [
        ("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 245 hồ sơ.", "share_holds_count"),
        ("- Tỷ lệ xã đạt chuẩn nông thôn mới đạt 105%.", "share_over_100"),
        ("19\tTỷ lệ số dân nông thôn được cấp nước sạch\t%\t46\t50\t155", "share_over_100"),
    ],
)
def test_shares_that_cannot_be(sentence, rule):
    assert [f.rule for f in (*share_over_100(_dec(sentence)), *share_holds_count(_dec(sentence)))] == [rule]


@pytest.mark.parametrize(
    "sentence",
    [
        "Tỉ lệ so với GDP\t%\t133.7",  # corpus-dev legacy 2005-KH2003-bieu: a ratio to GDP is not a share of a whole
        "tỷ lệ 1/500 khu vực Trường Chinh\tBan Quản lý dự án\tQuận Tân Bình\t2006 - 2007\t20ha\t480",  # a map's scale
        "Tỷ lệ thu ngân sách so với dự toán đạt 112%",
        "21\tTỷ lệ xã có trường tiểu học\t%\t99\t99.9\t100",
        "Tỷ lệ hộ nghèo giảm 2 hộ/năm",
    ],
)
def test_shares_that_can_be(sentence):
    assert [*share_over_100(_dec(sentence)), *share_holds_count(_dec(sentence))] == []


def test_figures_of_a_table():
    assert figure("14,3") == figure("14.3") == 14.3
    assert figure("1.250") is None and figure("x") is None and figure("120") == 120


def test_the_real_study_gives_each_total_once(tmp_path):
    text = _real(STUDY)
    assert STAFF in text and "Tổng số nhân viên\t\t\t\t414" in text  # another hospital's staff: another total
    assert "total_conflict" not in _rules(tmp_path, STUDY, text)


def test_one_total_given_two_values_planted_and_removed(tmp_path):
    text = _real(STUDY)
    planted = text.replace(STAFF + ";", STAFF + "; Tổng số nhân viên của bệnh viện là 62 người.", 1)
    (f,) = _rules(tmp_path, STUDY, planted)["total_conflict"]
    assert "Tổng số nhân viên của bệnh viện" in f.message and "60" in f.message and "62" in f.message
    assert [e.text for e in f.evidence] == [STAFF.replace(" người", ""), "Tổng số nhân viên của bệnh viện là 62"]


def test_totals_of_different_times_or_parts_are_not_compared():
    two = "Tổng số thủ tục hành chính đang áp dụng là 1.747.\nPhụ lục II\nTổng số thủ tục hành chính đang áp dụng\t1.647"
    (f,) = total_conflict(_dec(two))  # issue 16: one report, two tables, two values
    assert "1.747" in f.message and "1.647" in f.message
    assert list(total_conflict(_dec("Năm 2024 tổng số hồ sơ tiếp nhận là 500.\nNăm 2025 tổng số hồ sơ tiếp nhận là 600."))) == []
    assert list(total_conflict(_dec("Tổng số hồ sơ tiếp nhận là 500.\nTổng số hồ sơ tiếp nhận mới là 60."))) == []
