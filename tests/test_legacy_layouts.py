"""Old documents as text dumps keep their two-column blocks on shared lines, and reprints put the
issuers in the title line. Real files of corpus-dev (kept in tests/data/judged: the ledger judged their
findings), each of a class a false finding came from: 2004-A3 and 2003-A06 are of the tuning half,
2004-A33, 2004-TT1691998 and 2003-A05 of the checking half (their false findings were judged there)."""

from __future__ import annotations

import lzma
from pathlib import Path

import pytest

from vanban.pipeline import process_file

LEGACY = Path(__file__).resolve().parent / "data" / "judged" / "corpus-dev" / "legacy"


def _read(name: str, tmp_path: Path):
    path = tmp_path / name
    path.write_bytes(lzma.decompress((LEGACY / f"{name}.xz").read_bytes()))
    return process_file(path)


@pytest.mark.parametrize("name, signer, title, first_recipient", [
    # "- Toà án nhân dân tối cao,<tabs>Nguyễn Tấn Dũng đã ký": the name at the end of a recipient's line
    ("2004-A3.txt", "Nguyễn Tấn Dũng", "Phó Thủ tướng", "Ban Bí thư Trung ương Đảng"),
    ("2004-A3.rtf", "Nguyễn Tấn Dũng", "Phó Thủ tướng", "Ban Bí thư Trung ương Đảng"),
    # the signature column beside the recipients, kept apart by a run of (six-per-em) spaces
    ("2003-A06.rtf", "Vũ Văn Ninh", "Thứ trưởng", "VP Trung ương Đảng"),
])
def test_a_signature_column_beside_the_recipients_gives_the_signer(name, signer, title, first_recipient, tmp_path):
    res = _read(name, tmp_path)
    dec = res.decision
    assert (dec.signer.name, dec.signer.title, dec.signer.authority) == (signer, title, "KT.")
    assert dec.recipients[0].text == first_recipient  # the signature column is not a recipient
    assert all(signer not in r.text and not r.text.lower().startswith(("kt", "thứ trưởng", "phó thủ tướng"))
               for r in dec.recipients)
    assert "missing_signer" not in {f.rule for f in res.findings}


def test_a_reprint_names_a_joint_circulars_issuers_in_its_title_line(tmp_path):
    """"Thông tư" / "liên tịch của Bộ Tài chính - Công nghiệp - Tổng cục Hải quan số 176/1998/TTLT-BTC-BCN-TCHQ" /
    "ngày 25 tháng 12 năm1998 Hướng dẫn ...": the issuers, the number and the date (its space lost) are there."""
    res = _read("2004-A33.txt", tmp_path)
    dec = res.decision
    assert (dec.type, dec.number, dec.date) == ("Thông tư liên tịch", "176/1998/TTLT-BTC-BCN-TCHQ", "1998-12-25")
    assert dec.issuer == "Bộ Tài chính - Công nghiệp - Tổng cục Hải quan"
    assert dec.subject.startswith("Hướng dẫn thực hiện chính sách thuế")
    assert not [f for f in res.findings if "cơ quan ban hành" in f.message]  # the issuers are named
    # the heading dates it: what the reprint lacks is the place line only, and the finding says no more
    (f,) = [f for f in res.findings if f.rule == "missing_header_field"]
    assert f.message == "Thông tư liên tịch không có địa danh." and f.severity == "info"
    assert any(n.startswith("a reprint:") for n in dec.notes)


def test_a_forms_number_is_not_a_cited_document(tmp_path):
    """"kê khai thuế TNDN theo mẫu số 01/ NT- TCT ban hành kèm theo Thông tư này": a tax form's number."""
    res = _read("2004-TT1691998.txt", tmp_path)
    assert not [c for c in res.decision.citations if "NT-TCT" in c.id]
    assert "unknown_symbol_code" not in {f.rule for f in res.findings}


def test_a_text_dumps_table_bars_are_not_part_of_the_recipients(tmp_path):
    """2003-A05.txt (checking half) prints its recipients and signature block as a table with bars:
    "Nơi nhận:|Kt. Bộ trưởng Bộ Tài chính|", "- VP Quốc hội||", "   các tỉnh, thành phố trực thuộc TW|Vũ Văn Ninh|"."""
    dec = _read("2003-A05.txt", tmp_path).decision
    assert (dec.signer.name, dec.signer.title, dec.signer.authority) == ("Vũ Văn Ninh", "Thứ trưởng", "KT.")
    texts = [r.text for r in dec.recipients]
    assert texts[:2] == ["VP Trung ương và các ban của Đảng", "VP Quốc hội"]
    assert not [t for t in texts if "|" in t or "đã ký" in t.lower() or "Ninh" in t]
    assert "UBND, Sở Tài chính, Cục thuế các tỉnh, thành phố trực thuộc TW" in texts
