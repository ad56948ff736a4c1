"""Digital signatures of PDFs: the number and day a signature widget stamps over the header's
blanks, the signatures themselves (who, when, where), and the date-versus-signing rule.

Two kinds of files: PDFs built here byte by byte as the e-office systems issue them
(`signed_pdf.py`: a text layer with "Số:      /QĐ-UBND", signature fields whose
appearance streams draw the number and the day, real PKCS#7 signatures), and the real
signed PDFs of the corpus, whose expected values were read off their pages rendered
to PNG (`pdftoppm -r 100`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES
from signed_pdf import Line, SigField, signed_pdf
from vanban.extract import read
from vanban.model import SCHEMA_VERSION
from vanban.outputs.schema import schema_errors
from vanban.outputs.tables import decision_json, document_row
from vanban.pipeline import process_file

SIGNED = ROOT / "tests" / "data" / "signed"
SHARED = ROOT.parent / "shared"
PERSON = {"CN": "Nguyễn Văn An", "OU": "VĂN PHÒNG", "O": "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "UID": "CCCD:012345678901"}
CLERK = {"CN": "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH", "O": "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "UID": "MST:5800000000"}


def decision_lines(number_line: str = "Số:       /QĐ-UBND", date_line: str = "Lâm Đồng, ngày      tháng 12 năm 2025") -> list[Line]:
    """A decision's first page as a text layer: the organ and the motto in two columns,
    "Số:" and the place and date on one height, the articles, and the signature block
    beside "Nơi nhận:"."""
    return [
        Line("ỦY BAN NHÂN DÂN", 90, 780), Line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 280, 780),
        Line("TỈNH LÂM ĐỒNG", 100, 765), Line("Độc lập - Tự do - Hạnh phúc", 300, 765),
        Line(number_line, 90, 740), Line(date_line, 300, 740),
        Line("QUYẾT ĐỊNH", 250, 700), Line("Về việc thành lập Tổ công tác", 200, 685),
        Line("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", 150, 660),
        Line("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;", 70, 640),
        Line("QUYẾT ĐỊNH:", 250, 620), Line("Điều 1. Thành lập Tổ công tác.", 70, 600),
        Line("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.", 70, 585),
        Line("Nơi nhận:", 70, 560), Line("KT. CHỦ TỊCH", 380, 560), Line("- Như Điều 2;", 70, 545),
        Line("PHÓ CHỦ TỊCH", 380, 545), Line("- Lưu: VT.", 70, 530), Line("Nguyễn Văn An", 380, 480),
    ]


# "Số:" starts at x=90 and takes 3 x 6.5 pt: the blank runs from about 110 to 150;
# "ngày" ends near x=384 on the right-hand line
NUMBER_RECT = (112.0, 735.0, 140.0, 755.0)
DAY_RECT = (390.0, 735.0, 412.0, 755.0)
PERSON_SIG = SigField("Signature1", (370, 490, 520, 560), "", "D:20251215091000+07'00'", PERSON)


def test_a_number_and_a_day_stamped_over_the_blanks_are_read_where_they_stand(tmp_path):
    pdf = signed_pdf(tmp_path / "qd.pdf", decision_lines(), [
        PERSON_SIG,
        SigField("Signature2", NUMBER_RECT, "2417", "D:20251215101500+07'00'", CLERK),
        SigField("Signature3", DAY_RECT, "15", "D:20251215101502+07'00'", CLERK),
    ])
    d = process_file(pdf).decision
    assert (d.type, d.number, d.date, d.issuer) == ("Quyết định", "2417/QĐ-UBND", "2025-12-15", "Ủy ban nhân dân tỉnh Lâm Đồng")
    assert d.number_from == "header"
    assert d.text.splitlines()[2] == "Số: 2417 /QĐ-UBND Lâm Đồng, ngày 15 tháng 12 năm 2025"
    assert d.stamped == {"number": "Signature2", "date": "Signature3"}
    assert any("'2417' stamped by the signature field Signature2" in n for n in d.notes)
    assert not any("blank" in n or "draft" in n for n in d.notes)
    # the signer's block beside "Nơi nhận:", run together line by line by the text layer
    assert (d.signer.authority, d.signer.title, d.signer.name) == ("KT.", "Phó Chủ tịch", "Nguyễn Văn An")
    assert [r.text for r in d.recipients] == ["Như Điều 2", "Lưu: VT"]


def test_each_signature_is_recorded_with_its_certificate_time_page_and_widget(tmp_path):
    pdf = signed_pdf(tmp_path / "qd.pdf", decision_lines(), [
        PERSON_SIG, SigField("Signature2", NUMBER_RECT, "2417", "D:20251215101500+07'00'", CLERK),
    ])
    sigs = read(pdf).signatures
    assert [s.field for s in sigs] == ["Signature1", "Signature2"]
    person, clerk = sigs
    assert (person.signer, person.organisation) == ("Nguyễn Văn An", "VĂN PHÒNG, ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG")
    assert (clerk.signer, clerk.organisation) == (None, "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH, ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG")
    assert person.signed_at == "2025-12-15T09:10:00+07:00" and clerk.signed_at == "2025-12-15T10:15:00+07:00"
    assert (person.page, person.rect) == (1, [370.0, 490.0, 520.0, 560.0])
    assert (clerk.text, clerk.placed) == ("2417", "Số: 2417 /QĐ-UBND Lâm Đồng, ngày tháng 12 năm 2025")
    assert person.covers_file is True and person.sub_filter == "adbe.pkcs7.detached"
    # a person's identity number stays out of what is recorded; an organisation's tax code is kept
    assert "CCCD" not in person.cert_subject and "CN=Nguyễn Văn An" in person.cert_subject
    assert "UID=MST:5800000000" in clerk.cert_subject
    d = process_file(pdf).decision
    assert (d.signed_at, d.signer_cert) == ("2025-12-15T10:15:00+07:00", "Nguyễn Văn An")


def test_an_appearance_drawn_in_a_larger_form_space_is_mapped_onto_its_widget(tmp_path):
    """BBox twice the widget's size: the viewer scales it down; the stamp lands in the same blank."""
    pdf = signed_pdf(tmp_path / "qd.pdf", decision_lines(), [
        SigField("Signature2", NUMBER_RECT, "2417", bbox_scale=2.0), SigField("Signature3", DAY_RECT, "15", bbox_scale=0.5),
    ])
    d = process_file(pdf).decision
    assert (d.number, d.date) == ("2417/QĐ-UBND", "2025-12-15")


def test_a_signature_caption_and_a_hidden_widget_are_recorded_not_put_into_the_text(tmp_path):
    caption = "Ký bởi: VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH Thời gian ký: 15.12.2025 10:15:00 +07:00"
    pdf = signed_pdf(tmp_path / "qd.pdf", decision_lines(), [
        SigField("Signature1", (280, 735, 560, 755), caption),  # long text over the date line
        SigField("Signature2", NUMBER_RECT, "9999", hidden=True),
    ])
    d = process_file(pdf).decision
    assert d.number is None and d.date is None
    assert "9999" not in d.text and "Ký bởi" not in d.text
    cap, hidden = d.signatures
    assert cap.text == caption and cap.placed is None
    assert hidden.text == "" and hidden.placed is None
    # a signed document with a blank number is not called a draft
    assert "the number is left blank in the text and no signature widget stamps it" in d.notes
    assert not any("draft" in n for n in d.notes)


def test_a_stamp_on_another_page_or_far_from_any_line_stays_out_of_the_text(tmp_path):
    pdf = signed_pdf(tmp_path / "qd.pdf", decision_lines(), [
        SigField("Signature2", NUMBER_RECT, "2417", page=2), SigField("Signature3", (300, 300, 330, 320), "15"),
    ], pages=2)
    d = process_file(pdf).decision
    assert d.number is None and "2417" not in d.text and "15 " not in d.text.split("\n")[-1]
    assert [s.page for s in d.signatures] == [2, 1]


def test_an_unsigned_pdf_has_no_signatures_and_its_blank_number_is_a_draft(tmp_path):
    pdf = signed_pdf(tmp_path / "draft.pdf", decision_lines(), [])
    d = process_file(pdf).decision
    assert d.signatures == [] and d.signed_at is None and d.number is None
    assert "the number is left blank (a draft)" in d.notes


@pytest.mark.parametrize(
    "day, signed_at, severity",
    [("15", "D:20251215101500+07'00'", None), ("12", "D:20251215101500+07'00'", "info"),
     ("16", "D:20251215235900+07'00'", "warning"), ("15", "D:20251215230000-07'00'", None)],
    ids=["same-day", "signed-3-days-later", "dated-after-signing", "same-day-in-the-signers-offset"],
)
def test_the_date_is_compared_with_the_day_of_the_last_signature(tmp_path, day, signed_at, severity):
    pdf = signed_pdf(tmp_path / "qd.pdf", decision_lines(date_line=f"Lâm Đồng, ngày {day} tháng 12 năm 2025"), [
        SigField("Signature1", (370, 490, 520, 560), "", "D:20251201080000+07'00'", PERSON),
        SigField("Signature2", NUMBER_RECT, "2417", signed_at, CLERK),
    ])
    res = process_file(pdf)
    found = [f for f in res.findings if f.rule == "date_vs_signature"]
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        f = found[0]
        assert f.category == "self_reference_mismatch" and f.evidence[0].line == 3
        assert f.evidence[1].page == 1 and "Signature2" in f.evidence[1].text


def test_signatures_reach_documents_csv_and_the_json_schema(tmp_path):
    pdf = signed_pdf(tmp_path / "qd.pdf", decision_lines(), [
        PERSON_SIG, SigField("Signature2", NUMBER_RECT, "2417", "D:20251215101500+07'00'", CLERK),
    ])
    res = process_file(pdf)
    row = document_row(res.decision, len(res.findings), "test")
    assert (row["signed_at"], row["signer_cert"], row["signatures"], row["stamped"]) == (
        "2025-12-15T10:15:00+07:00", "Nguyễn Văn An", 2, "number=Signature2")
    assert row["issuer_parent"] is None
    doc = decision_json(res.decision, res.findings, SCHEMA_VERSION, "test")
    assert schema_errors(doc, "decision.schema.json") == []
    assert doc["signatures"][1]["placed"].startswith("Số: 2417")


# --------------------------------------------------------------------------- the real signed PDFs

def _expected() -> list[dict[str, str]]:
    with open(ROOT / "tests" / "data" / "signed_expected.tsv", encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t")]


def _locate(rel: str) -> Path | None:
    name = rel.rsplit("/", 1)[1]
    for cand in (SIGNED / name, SAMPLES / name, ROOT / "tests" / "data" / "judged" / rel, SHARED / rel):
        if cand.exists():
            return cand
    return None


EXPECTED = _expected()


@pytest.mark.parametrize("row", EXPECTED, ids=[r["file"].split("/")[-1][:40] for r in EXPECTED])
def test_real_signed_pdfs_give_the_number_and_date_their_pages_show(row):
    path = _locate(row["file"])
    if path is None:
        pytest.skip(f"{row['file']} is not in the repository or ../shared")
    d = process_file(path).decision
    want_number, want_date = row["number"] or None, row["date"] or None
    if row["how"] == "handwritten" and d.number is None:
        # a handwritten number may stay unreadable, but is then said to be, never guessed
        assert any("unreadable" in n for n in d.notes)
    else:
        assert d.number == want_number
    if row["how"] == "handwritten" and d.date is None:
        assert not d.date
    else:
        assert d.date == want_date
    assert len(d.signatures) == int(row["signatures"])
    assert d.stamped == dict(kv.split("=") for kv in row["stamped"].split(";") if kv)
    assert (d.signer_cert or "") == row["signer_cert"]


def test_the_stamped_files_are_in_the_repository():
    """The two files whose number exists only in the stamp travel with the code."""
    stamped = [r["file"] for r in EXPECTED if r["stamped"]]
    assert len(stamped) == 2 and all((SIGNED / f.rsplit("/", 1)[1]).exists() for f in stamped)
