"""National database pages saved from their "Thuộc tính" tab: the property table without the document's text.

The two pages are real vbpl.vn pages (corpus-dev, tuning half): a decree (63/2023/NĐ-CP) and a
consolidated text (08/VBHN-BCT, "Ngày ký xác thực" for its date, no signer recorded).
"""

from __future__ import annotations

import lzma
from pathlib import Path

import pytest

from vanban.model import Decision
from vanban.normalize.catalogue import fill_from_catalogue, number_from_title, properties
from vanban.pipeline import process_file

PAGES = Path(__file__).resolve().parent / "data" / "html" / "catalogue"


def _run(name: str, tmp_path: Path):
    page = tmp_path / name
    page.write_bytes(lzma.decompress((PAGES / f"{name}.xz").read_bytes()))
    return process_file(page)


@pytest.fixture(scope="module")
def decree(tmp_path_factory):
    return _run("doc_000666.html", tmp_path_factory.mktemp("decree"))


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory):
    return _run("doc_000051.html", tmp_path_factory.mktemp("vbhn"))


def test_a_decree_known_by_its_catalogue_record(decree):
    dec = decree.decision
    assert (dec.type, dec.number, dec.number_from) == ("Nghị định", "63/2023/NĐ-CP", "catalogue")
    assert (dec.date, dec.issuer) == ("2023-08-18", "Chính phủ")
    assert (dec.signer.name, dec.signer.title) == ("Trần Lưu Quang", "Phó Thủ tướng")
    assert dec.subject.startswith("Quy định chi tiết một số điều của Luật Tần số vô tuyến điện")
    assert (dec.force_status, dec.effective_date) == ("Còn hiệu lực", "2023-08-18")


def test_every_catalogue_value_points_at_where_the_page_writes_it(decree):
    dec = decree.decision
    for value, loc in ((dec.number, dec.number_loc), ("18/08/2023", dec.date_loc), (dec.issuer, dec.issuer_loc),
                       (dec.signer.name, dec.signer.loc), (dec.subject, dec.subject_loc)):
        assert dec.text[loc.start:loc.end] == value
        assert loc.line == dec.text.count("\n", 0, loc.start) + 1


def test_a_consolidated_text_dated_by_its_authentication(consolidated):
    dec = consolidated.decision
    assert (dec.type, dec.number, dec.date, dec.issuer) == ("Văn bản hợp nhất", "08/VBHN-BCT", "2026-02-03", "Bộ Công Thương")
    assert dec.signer is None  # "Chức danh--  Người ký--": not recorded
    assert dec.subject.startswith("Thông tư quy định về quản lý hoạt động thương mại điện tử")


def test_no_header_finding_on_a_page_that_holds_no_document_text(decree, consolidated):
    """The page is the database's record: the header's place-and-date line is not there to be missing."""
    for res in (decree, consolidated):
        assert [f.rule for f in res.findings if f.rule == "missing_header_field"] == []


def test_the_text_wins_over_the_catalogue():
    """What the document's own header gave stays: the table only fills what is missing."""
    text = "Quyết định số 5/QĐ-UBND Về việc ...\nSố hiệu6/QĐ-UBND\tLoại văn bảnQuyết định\nNgày ban hành02/01/2024"
    dec = Decision(doc_id="x", source="x.html", sha256="", format="html", text=text)
    dec.number, dec.number_from, dec.date = "5/QĐ-UBND", "header", "2024-01-01"
    fill_from_catalogue(dec)
    assert (dec.number, dec.number_from, dec.date, dec.type) == ("5/QĐ-UBND", "header", "2024-01-01", "Quyết định")


def test_only_a_page_with_the_property_table_is_read():
    """A Word file or a page without both "Số hiệu" and "Loại văn bản" in its head is left alone."""
    assert properties("Số hiệu của hồ sơ: 12/HS\nNgày ban hành 01/01/2024") == {}
    dec = Decision(doc_id="x", source="x.docx", sha256="", format="docx",
                   text="Số hiệu6/QĐ-UBND\tLoại văn bảnQuyết định")
    fill_from_catalogue(dec)
    assert dec.number is None and dec.type is None


# --------------------------------------------------------------------------- English translations

ENGLISH = Path(__file__).resolve().parent / "data" / "html" / "english"
JUDGED = Path(__file__).resolve().parent / "data" / "judged" / "corpus-dev" / "vbpl_html"


def _page(source: Path, tmp_path: Path):
    page = tmp_path / source.name[: -len(".xz")]
    page.write_bytes(lzma.decompress(source.read_bytes()))
    return process_file(page)


@pytest.mark.parametrize("name, kind, number", [
    ("doc_000863.html", "Thông tư liên tịch", "13/2012/TTLT-BCA-BTP-VKSNDTC-TANDTC"),  # "Joint circular 13/2012/..."
    ("doc_000939.html", "Nghị định", "116/2008/NĐ-CP"),  # an older page: "Nghị định 116/2008/NĐ-CP", then English
])
def test_an_english_translation_page_is_known_by_its_title_and_not_checked_as_a_vietnamese_text(name, kind, number, tmp_path):
    """Real vbpl.vn pages (corpus-dev, tuning half) holding a document's English translation: the type and the
    number come from the page's title, the page says it is a translation, and none of the checks of a
    Vietnamese document's header, signer or wording runs on the translator's English (before, the page had no
    type and no number; with them, "no number and date" and "no signer" would be false)."""
    res = _page(ENGLISH / f"{name}.xz", tmp_path)
    dec = res.decision
    assert (dec.type, dec.number, dec.number_from, dec.translation) == (kind, number, "title", "en")
    assert dec.text[dec.number_loc.start:dec.number_loc.end] == number  # as the title writes it
    assert any("English translation" in n for n in dec.notes)
    assert dec.force_status == "Còn hiệu lực"  # the page's record is still read
    assert res.findings == []


def test_a_translation_keeps_the_checks_of_its_numbering(tmp_path):
    """A judged real English page (Law 69/2020/QH14): the published translation skips clause 4 of an article;
    the numbering check still runs on a translation and still finds it (the ledger judged it true)."""
    res = _page(JUDGED / "doc_000772.html.xz", tmp_path)
    assert (res.decision.type, res.decision.number, res.decision.translation) == ("Luật", "69/2020/QH14", "en")
    assert [f.rule for f in res.findings] == ["numbering_sections"]


def test_a_vietnamese_national_database_page_is_not_taken_for_a_translation():
    page = Path(__file__).resolve().parent / "data" / "html" / "doc_000030.html"
    dec = process_file(page).decision
    assert dec.translation is None and dec.number_from != "title" and dec.type


# --------------------------------------------------------------------------- a law's page: its number in the title

LAW = Path(__file__).resolve().parent / "data" / "html" / "law"


def test_a_law_page_is_numbered_by_its_title(tmp_path):
    """A real vbpl.vn page (corpus-dev, tuning half) of the Luật Xây dựng 2025: the page holds the law from
    "LUẬT / XÂY DỰNG" down, without the "Luật số:" line of its header, and its title reads "Luật Xây dựng số
    135/2025/QH15". Before, the law had no number: a law's symbol has no type code (N/YYYY/QHkk), and the
    symbol check refused it."""
    dec = _page(LAW / "doc_000308.html.xz", tmp_path).decision
    assert (dec.type, dec.number, dec.number_from, dec.date) == ("Luật", "135/2025/QH15", "title", "2025-12-10")
    assert dec.text[dec.number_loc.start:dec.number_loc.end] == "135/2025/QH15"
    assert dec.translation is None


@pytest.mark.parametrize("title, kind, number", [
    ("Luật Xây dựng số 135/2025/QH15\n\nLUẬT", "Luật", "135/2025/QH15"),
    ("Pháp lệnh Chi phí tố tụng số 02/2012/UBTVQH13\n", "Pháp lệnh", "02/2012/UBTVQH13"),
    # a title that is another type's, or cites a document, or whose symbol is not one: nothing taken
    ("Nghị định số 62/2026/NĐ-CP Sửa đổi ...\n", "Luật", None),
    ("Thông tư hướng dẫn Luật số 135/2025/QH15\n", "Thông tư", None),
    ("Luật Xây dựng số 135/QH15\n", "Luật", None),
])
def test_the_title_gives_a_number_only_of_the_pages_type(title, kind, number):
    dec = Decision(doc_id="x", source="x.html", sha256="", format="html", text=title)
    dec.type = kind
    number_from_title(dec)
    assert dec.number == number
