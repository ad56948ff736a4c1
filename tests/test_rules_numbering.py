"""Numbered paragraphs: where numbering legitimately restarts, nothing is flagged."""

from __future__ import annotations

from vanban.pipeline import process_file


def _numbering(tmp_path, text: str) -> list[str]:
    p = tmp_path / "doc.txt"
    p.write_text(text, encoding="utf-8")
    return [f.message for f in process_file(p).findings if f.rule == "numbering_sections"]


HEAD = "QUYẾT ĐỊNH\nVề việc ban hành Chương trình\n\n"


def test_lettered_parts_restart_the_numbering(tmp_path):
    text = HEAD + "A. KẾT QUẢ\n1. Một việc\n2. Hai việc\nB. NỘI DUNG NĂM 2004-2005:\n1. Ba việc\n2. Bốn việc\n"
    assert _numbering(tmp_path, text) == []


def test_a_skip_is_still_flagged(tmp_path):
    text = HEAD + "A. KẾT QUẢ\n1. Một việc\n2. Hai việc\n4. Bốn việc\n"
    (msg,) = _numbering(tmp_path, text)
    assert "thiếu số 3" in msg


def test_quoted_clauses_of_an_amending_text_are_not_its_numbering(tmp_path):
    text = HEAD + ("Điều 1. Sửa đổi\n1. Sửa đổi khoản 1 như sau:\n\"1. Người yêu cầu nộp hồ sơ.\n"
                   "2. Cơ quan giải quyết trong 03 ngày.\"\n2. Bãi bỏ khoản 3.\n")
    assert _numbering(tmp_path, text) == []


def test_phan_doi_doi_voi_is_not_a_repeated_word(tmp_path):
    p = tmp_path / "doc.txt"
    p.write_text("LUẬT\nSửa đổi\n\nb) Thời hạn phản đối đối với đơn đăng ký được công bố; tại các các bộ phận.\n", encoding="utf-8")
    words = [f.message for f in process_file(p).findings if f.rule == "repeated_word"]
    assert len(words) == 1 and "các các" in words[0]
