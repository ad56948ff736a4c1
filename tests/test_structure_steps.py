"""The structure stage returns what it found (`Structure`); each of its steps runs alone."""

from __future__ import annotations

from vanban.extract.base import build_source
from vanban.extract.text import blocks_from_lines
from vanban.model import Decision
from vanban.normalize.found import FOUND_FIELDS, Structure
from vanban.normalize.lines import paragraphs
from vanban.normalize.structure import parse_structure, read_body, read_heading, read_parts

DECISION = """ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH LÂM ĐỒNG\tĐộc lập - Tự do - Hạnh phúc
Số: 123/QĐ-UBND\tLâm Đồng, ngày 05 tháng 02 năm 2025
QUYẾT ĐỊNH
Về việc ban hành Kế hoạch cải cách hành chính năm 2025
ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Căn cứ Nghị định số 107/2020/NĐ-CP ngày 14 tháng 9 năm 2020 của Chính phủ;
Theo đề nghị của Giám đốc Sở Nội vụ.
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính năm 2025.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn A"""


def _src(text: str):
    return build_source("qd.txt", "text", blocks_from_lines(text.split("\n")), sha256="0" * 64)


def test_parse_structure_returns_what_it_found_and_fills_no_decision():
    st = parse_structure(_src(DECISION))
    assert isinstance(st, Structure)
    assert (st.type, st.number, st.date, st.place) == ("Quyết định", "123/QĐ-UBND", "2025-02-05", "Lâm Đồng")
    assert st.subject == "Về việc ban hành Kế hoạch cải cách hành chính năm 2025"
    assert st.issuer == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert [b.text[:20] for b in st.legal_bases] == ["Luật Tổ chức chính q", "Nghị định số 107/202"]
    assert [a.number for a in st.articles] == ["1", "2"]
    assert st.effective == "kể từ ngày ký"
    assert st.signer is not None and st.signer.name == "Nguyễn Văn A"
    assert st.parts == [("decision", 1, DECISION.count("\n") + 1)]


def test_apply_to_sets_every_found_field_and_keeps_the_decisions_notes_first():
    st = parse_structure(_src(DECISION.replace("Số: 123/QĐ-UBND", "Số:    /QĐ-UBND")))
    assert st.number is None and st.notes == ["the number is left blank (a draft)"]
    dec = Decision(doc_id="d", source="qd.txt", sha256="0" * 64, format="text", text=DECISION, notes=["read as text"])
    st.apply_to(dec)
    assert all(getattr(dec, name) == getattr(st, name) for name in FOUND_FIELDS)
    assert dec.notes == ["read as text", "the number is left blank (a draft)"]


def test_the_body_is_read_alone_from_where_the_heading_ends():
    src = _src(DECISION)
    st = Structure.of(src, paragraphs(src))
    title = next(i for i, p in enumerate(st.paras) if p.text == "QUYẾT ĐỊNH")
    first = read_heading(st, title)
    assert st.paras[first].text.startswith("Căn cứ Luật")
    assert st.issuer == "Ủy ban nhân dân tỉnh Lâm Đồng"  # the authority line under the subject (no header read)
    assert read_body(st, first) == []  # no attachment after the signature
    assert len(st.legal_bases) == 2 and st.proposed_by.text == "Giám đốc Sở Nội vụ"
    read_parts(st, [])
    assert st.parts == [("decision", 1, DECISION.count("\n") + 1)]
