"""TCVN3 and VNI decoding: the table of docs/legacy-encodings.md, detection, and real legacy bytes.

Also the helpers that measure decoding against the viparse transcripts: character
accuracy, and the 8-bit text stream of a Word 97 .doc (what a legacy .txt export holds).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.extract import legacy
from vanban.extract.text import decode_bytes

# ---------------------------------------------------------------- helpers (test_office_reader uses them too)

LEGACY_DIR = Path(__file__).resolve().parent / "data" / "legacy"
TRANSCRIPTS = {"2005-QD-256": "tcvn3", "2008-23.QD-991-UBND": "vni"}


def squash(text: str) -> str:
    """NFC with every run of whitespace one space: layout tabs and spaces are not compared."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def char_accuracy(predicted: str, truth: str) -> float:
    """1 - (characters inserted, deleted or replaced) / len(truth), after `squash`.

    Aligned word by word first, then character by character inside each differing
    stretch: the same count a character edit distance gives on this kind of text,
    in well under a second for 50,000 characters.
    """
    a, b = squash(predicted).split(" "), squash(truth).split(" ")
    errors = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        x, y = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        sm = difflib.SequenceMatcher(None, x, y, autojunk=False)
        errors += sum(max(p2 - p1, q2 - q1) for t, p1, p2, q1, q2 in sm.get_opcodes() if t != "equal")
    return 1 - errors / max(1, len(squash(truth)))


def doc_text_stream(path: Path) -> bytes:
    """The 8-bit text a simple Word 97 file stores in its WordDocument stream, paragraphs as lines.

    Runs of at least 200 printable cp1252 bytes, padding (0xFF) runs left out.
    """
    data = path.read_bytes()
    runs = re.findall(rb"[\x09\x0d\x20-\x7e\xa0-\xff]{200,}", data)
    runs = [r for r in runs if r.count(b"\xff") < len(r) // 10]
    return b"\n".join(runs).replace(b"\r", b"\n")


def transcript(name: str) -> str:
    return (LEGACY_DIR / f"{name}.txt").read_text(encoding="utf-8")

# ---------------------------------------------------------------- tests

# (legacy text, encoding, Unicode): the examples of vn-format-facts.md §5.3 and the corpus notes.
EXAMPLES = [
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "tcvn3", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "tcvn3", "Độc lập - Tự do - Hạnh phúc"),
    ("Sè: 256 /2004/Q§-UB", "tcvn3", "Số: 256 /2004/QĐ-UB"),
    ("Ch\u00ad¬ng tr×nh C¶i c¸ch hµnh chÝnh", "tcvn3", "Chương trình Cải cách hành chính"),
    ("Thñ t\u00adíng ChÝnh phñ", "tcvn3", "Thủ tướng Chính phủ"),
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("Soá: 991/QÑ-UBND", "vni", "Số: 991/QĐ-UBND"),
    ("UÛY BAN NHAÂN DAÂN TÆNH BÌNH PHÖÔÙC", "vni", "ỦY BAN NHÂN DÂN TỈNH BÌNH PHƯỚC"),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "vni", "Độc lập - Tự do - Hạnh phúc"),
]

UNICODE_VIETNAMESE = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Căn cứ Nghị định số 107/2020/NĐ-CP ngày 14/9/2020 của Chính phủ sửa đổi, bổ sung một số điều",
    "Ủy ban nhân dân tỉnh Lâm Đồng ban hành Kế hoạch cải cách hành chính nhà nước năm 2026",
    "Sở Thông tin và Truyền thông; Sở Tài chính; Ủy ban nhân dân các huyện, thành phố",
    "Thuỷ lợi, hoà giải, khoẻ mạnh, quý, giữ gìn, nghiêng, khuyến khích, người, được",
]

FOREIGN_LATIN1 = [
    "The committee approved the administrative reform plan for 2026.",
    "Le café de la gare, où l'été déjà commence; à côté du théâtre, près de l'hôpital.",
    "Ce règlement général s'applique à compter du 1er janvier; les élèves étrangers",
    "Über die Prüfung der Maßnahmen für öffentliche Gebäude wird später berichtet.",
    "El niño español comió piñas en la montaña; la educación pública",
    "São Paulo: informação, ação, opções, coração, não há",
]


@pytest.mark.parametrize(("raw", "encoding", "expected"), EXAMPLES)
def test_examples_decode(raw, encoding, expected):
    assert legacy.decode(raw, encoding) == expected
    if len([w for w in raw.split() if not w.isascii()]) >= 3:
        assert legacy.detect_legacy(raw) == encoding
        assert legacy.fix_legacy_text(raw) == (expected, encoding)
    else:  # one or two legacy words are too little evidence to act on without a font's word
        assert legacy.detect_legacy(raw) is None
        assert legacy.legacy_gain(raw, encoding) >= 0


@pytest.mark.parametrize("row", legacy.LEGACY_TABLE, ids=lambda r: r[0])
def test_every_table_letter_decodes(row):
    letter, vni, tcvn3 = row
    assert legacy.decode_vni(vni) == letter
    assert legacy.decode_tcvn3(tcvn3) == letter


def test_vnTimeH_upper_case():
    assert legacy.decode_tcvn3("thµnh phè cÇn th¬", upper=True) == "THÀNH PHỐ CẦN THƠ"
    assert legacy.font_is_upper(".VnTimeH") and not legacy.font_is_upper(".VnTime")
    assert legacy.font_encoding(".VnArial") == "tcvn3" and legacy.font_encoding("VNI-Times") == "vni"
    assert legacy.font_encoding("Times New Roman") is None


@pytest.mark.parametrize("text", UNICODE_VIETNAMESE)
def test_detection_quiet_on_unicode_vietnamese(text):
    assert legacy.detect_legacy(text) is None
    assert legacy.fix_legacy_text(text) == (text, None)


@pytest.mark.parametrize("text", FOREIGN_LATIN1)
def test_detection_quiet_on_foreign_latin1(text):
    assert legacy.detect_legacy(text) is None
    assert legacy.decode_legacy_bytes(text.encode("cp1252")) is None


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_detection_quiet_on_transcripts(name):
    # The Unicode ground truth itself, line by line and whole.
    text = transcript(name)
    assert legacy.detect_legacy(text) is None
    assert all(legacy.detect_legacy(line) is None for line in text.splitlines())


_WORDS = sorted(set(" ".join(transcript(n) for n in TRANSCRIPTS).split()))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40))
def test_detection_quiet_on_any_run_of_unicode_words(words):
    assert legacy.detect_legacy(" ".join(words)) is None


@pytest.mark.parametrize(("name", "encoding"), TRANSCRIPTS.items())
def test_legacy_bytes_decode_against_transcript(name, encoding):
    """The .doc's own 8-bit text stream (what a legacy .txt export holds) through the text path.

    Measured: TCVN3 0.979, VNI 0.935 (the stream lacks the header table cells and
    field results the transcript has; the decoding itself is right word for word).
    """
    data = doc_text_stream(LEGACY_DIR / f"{name}.doc")
    decoded = legacy.decode_legacy_bytes(data)
    assert decoded is not None
    text, enc = decoded
    assert enc == encoding
    assert char_accuracy(text, transcript(name)) >= 0.92
    # and the text reader takes the same path for bytes that are not UTF-8
    assert decode_bytes(data) == (text, encoding)


def test_cp1252_undefined_bytes_read_as_latin1():
    assert legacy.bytes_as_cp1252(b"\x81\x8d\x80") == "\x81\x8d€"
