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


def _articles(tmp_path, text: str) -> list[str]:
    p = tmp_path / "art.txt"
    p.write_text(text, encoding="utf-8")
    return [f.message for f in process_file(p).findings if f.rule == "numbering_articles"]


def test_a_restart_at_one_is_a_new_list_not_a_repeat(tmp_path):
    """An English page of the national database: "Article 2" is not recognised as a heading, so its
    clauses "1.", "2." follow those of Article 1 ("4. Other agencies ..."): a new list, not a repeat."""
    text = HEAD + ("Article 1. Scope\n1. This Law provides for labour standards.\n2. It applies to employers.\n"
                   "3. It applies to employees.\n4. Other agencies, organizations and individuals.\n"
                   "Article 2. Interpretation\n1. Employee means a person who works.\n2. Employer means an enterprise.\n")
    assert _numbering(tmp_path, text) == []


def test_two_paragraphs_run_together_are_not_a_gap(tmp_path):
    """A database page that ran items 3 and 4 into one paragraph ("... local people. 4. To collect ...")."""
    text = HEAD + ("Article 6. Responsibilities\n1. To formulate policies.\n2. To direct the implementation.\n"
                   "3. To organize the popularization of the law. 4. To collect and process information.\n"
                   "5. To supervise and inspect the implementation.\n")
    assert _numbering(tmp_path, text) == []


def test_a_number_a_conversion_dropped_is_not_a_gap(tmp_path):
    """Word's automatic numbering lost in a transcript: "3. Nam, nữ:" / "Địa chỉ:" / "5. Điện thoại:"."""
    text = HEAD + "A. THÔNG TIN CHUNG\n1. Họ và tên:\n2. Ngày tháng năm sinh:\n3. Nam, nữ:\nĐịa chỉ:\n5. Điện thoại:\n"
    assert _numbering(tmp_path, text) == []


def test_a_skip_between_lettered_points_is_flagged(tmp_path):
    """Luật Phá sản 2014 as published (page 36): khoản 2 with its points a) to g), then khoản 4."""
    text = HEAD + ("Điều 91. Nội dung và trình tự Hội nghị chủ nợ\n1. Trong thời hạn 10 ngày làm việc, Thẩm phán triệu tập Hội nghị chủ nợ.\n"
                   "2. Hội nghị chủ nợ được tiến hành như sau:\na) Thẩm phán khai mạc Hội nghị chủ nợ;\nb) Hội nghị chủ nợ biểu quyết;\n"
                   "4. Hội nghị chủ nợ được hoãn một lần.\n5. Nghị quyết của Hội nghị chủ nợ được thông qua.\n")
    (msg,) = _numbering(tmp_path, text)
    assert "thiếu số 3" in msg


def test_a_short_list_is_not_judged(tmp_path):
    text = HEAD + "I. MỤC TIÊU\n1. Một việc\n3. Ba việc\n"
    assert _numbering(tmp_path, text) == []


def test_letters_are_not_roman_numerals(tmp_path):
    """Parts lettered A., B., C. after roman sections I. to V.: "C" is a letter, not one hundred."""
    text = HEAD + ("I. MỞ ĐẦU\n\nII. HIỆN TRẠNG\n\nIII. ĐÁNH GIÁ\n\nIV. PHÂN TÍCH\n\nV. KẾT LUẬN\n\n"
                   "C. MỤC TIÊU XÂY DỰNG CƠ SỞ HẠ TẦNG\n\nC. CÁC DỰ ÁN CHUYÊN NGÀNH\n")
    assert _numbering(tmp_path, text) == []


def test_articles_quoted_by_an_amending_law_are_not_its_own(tmp_path):
    """Luật sửa đổi Luật Sở hữu trí tuệ 2022: "Sửa đổi, bổ sung các điều 19, 20 và 21 như sau: “Điều 19. ...
    Điều 20. ... Điều 21. ...”": one quotation holds three articles of the amended law."""
    text = ("LUẬT\nSửa đổi, bổ sung một số điều của Luật Sở hữu trí tuệ\n\nĐiều 1. Sửa đổi, bổ sung một số điều của Luật Sở hữu trí tuệ\n"
            "5. Sửa đổi, bổ sung các điều 19, 20 và 21 như sau:\n“Điều 19. Quyền nhân thân\nQuyền nhân thân bao gồm:\n"
            "Điều 20. Quyền tài sản\n1. Quyền tài sản bao gồm làm tác phẩm phái sinh.\n"
            "Điều 21. Quyền tác giả đối với tác phẩm điện ảnh\n1. Biên kịch được hưởng quyền.”.\n"
            "Điều 2. Hiệu lực thi hành\nLuật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2023.\n")
    assert _articles(tmp_path, text) == []


def test_an_attached_regulation_restarts_the_articles(tmp_path):
    """Nghị định 29/1998/NĐ-CP: Điều 1-4 of the decree, then the Quy chế it issues, from Điều 1 again."""
    text = ("NGHỊ ĐỊNH\nVề việc ban hành Quy chế thực hiện dân chủ ở xã\n\nĐiều 1. Ban hành kèm theo Nghị định này bản Quy chế.\n"
            "Điều 2. Quy chế này áp dụng đối với cả phường.\nĐiều 3. Nghị định này có hiệu lực sau 15 ngày.\n"
            "Điều 4. Các Bộ trưởng chịu trách nhiệm thi hành.\nQUY CHẾ\nTHỰC HIỆN DÂN CHỦ Ở XÃ\n"
            "Điều 1. Quy chế thực hiện dân chủ ở xã nhằm phát huy quyền làm chủ.\nĐiều 2. Phát huy quyền làm chủ của nhân dân.\n"
            "Điều 3. Dân chủ trong khuôn khổ của Hiến pháp.\n")
    assert _articles(tmp_path, text) == []
    assert "thiếu số 3" in _articles(tmp_path, text.replace("Điều 3. Dân chủ", "Điều 4. Dân chủ"))[0]


def test_ocr_text_is_not_judged():
    from vanban.model import Decision, Heading, Loc
    from vanban.rules.engine import check

    lines = ["I. MỤC TIÊU", "Nội dung.", "II. NHIỆM VỤ", "Nội dung.", "IV. TỔ CHỨC THỰC HIỆN", "Nội dung."]
    text = "\n".join(lines)
    heads = [
        Heading("section", line.split(".")[0], line.split(". ")[1], Loc(text.index(line), text.index(line) + len(line), i + 1))
        for i, line in enumerate(lines) if line[0] in "IV"
    ]
    dec = Decision(doc_id="x", source="x.pdf", sha256="0", format="pdf", text=text, headings=heads)
    assert [f for f in check(dec) if f.rule == "numbering_sections"]
    dec.ocr = True
    assert not [f for f in check(dec) if f.rule == "numbering_sections"]
