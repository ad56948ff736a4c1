"""PDFs whose text layer is in a legacy font (.VnTime: TCVN3, VNI-Times: VNI) are decoded, not OCR'd.

The real files are the four legacy-font PDFs of corpus-dev (copied into tests/data/legacy_pdf
with their Unicode transcripts); the built ones check what the fonts claim against the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT
from signed_pdf import Line, signed_pdf
from vanban.extract import read
from vanban.normalize.fold import fold_tone_placement
from vanban.pipeline import process_file

DATA = ROOT / "tests" / "data" / "legacy_pdf"
_VOWEL = re.compile("[aăâeêioôơuưy]")


def syllables(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", fold_tone_placement(unicodedata.normalize("NFC", text)).casefold())


def _bare(word: str) -> str:
    keep = "\u0306\u0302\u031b"  # breve, circumflex, horn: letters, not tones
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c) or c in keep))


def repair_split_words(words: list[str]) -> list[str]:
    """The transcripts split some syllables after their first consonants ("t ừ" for "từ",
    "tr ú" for "trú"): a consonant alone is never a Vietnamese syllable, so it is joined
    to the vowel-initial fragment after it."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if i + 1 < len(words) and not _VOWEL.search(_bare(w)) and _VOWEL.match(_bare(words[i + 1])):
            out.append(w + words[i + 1])
            i += 2
            continue
        out.append(w)
        i += 1
    return out


def syllable_recall(text: str, truth: str) -> float:
    got, want = Counter(syllables(text)), Counter(repair_split_words(syllables(truth)))
    return sum((got & want).values()) / sum(want.values())


PDFS = sorted(DATA.glob("*.pdf"))


@pytest.mark.parametrize("pdf", PDFS, ids=[p.stem[:30] for p in PDFS])
def test_a_legacy_font_pdf_is_decoded_without_ocr(pdf: Path):
    src = read(pdf)
    assert not src.ocr and src.encoding == "tcvn3"
    assert any("legacy fonts decoded from tcvn3" in n for n in src.notes)
    truth = pdf.with_suffix(".txt").read_text(encoding="utf-8")
    assert syllable_recall(src.text, truth) >= 0.99
    # what the text layer had is kept beside the decoded text
    assert any(b.raw and "§" in b.raw for b in src.blocks if b.kind == "paragraph")


def test_capitals_fonts_give_capitals_and_the_header_reads():
    d = process_file(DATA / "2006-1E499_ND109veDKKD_dacotrenmucPTDNN-V.pdf").decision
    assert d.text.splitlines()[:4] == ["CHÍNH PHỦ", "-------------", "Số: 109/2004/NĐ-CP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert (d.type, d.number, d.date, d.issuer) == ("Nghị định", "109/2004/NĐ-CP", "2004-04-02", "Chính phủ")
    assert (d.signer.title, d.signer.name) == ("Thủ tướng", "Phan Văn Khải")


def test_font_names_are_checked_against_the_text(tmp_path):
    """A .VnTime run is decoded when decoding makes Vietnamese of it; ASCII in a legacy font,
    and Unicode text in the document's other font, are left as they are."""
    pdf = signed_pdf(tmp_path / "legacy.pdf", [
        Line("céng hoµ x· héi chñ nghÜa viÖt nam", 200, 780, font="VnTimeH"),
        Line("QuyÕt ®Þnh vÒ viÖc thµnh lËp Héi ®ång", 80, 740, font="VnTime"),
        Line("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", 80, 720, font="VNI-Times"),
        Line("Report 2004 (English)", 80, 700, font="VnTime"),
        Line("Căn cứ Luật Tổ chức chính quyền địa phương", 80, 680),
    ], [])
    src = read(pdf)
    assert src.text.splitlines() == [
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Quyết định về việc thành lập Hội đồng",
        "Cộng hòa xã hội chủ nghĩa Việt Nam",
        "Report 2004 (English)",
        "Căn cứ Luật Tổ chức chính quyền địa phương",
    ]
    assert not src.ocr


def test_a_font_that_claims_tcvn3_over_unicode_text_is_not_decoded(tmp_path):
    pdf = signed_pdf(tmp_path / "liar.pdf", [
        Line("Le café de la gare, où l'été déjà arrive à Genève.", 80, 740, font="VnTime"),
    ], [])
    assert read(pdf).text == "Le café de la gare, où l'été déjà arrive à Genève."
