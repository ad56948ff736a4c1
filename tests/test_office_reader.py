"""The .doc/.rtf/.odt reader: LibreOffice conversion of the legacy-encoded viparse .doc files."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from test_legacy import LEGACY_DIR, TRANSCRIPTS, char_accuracy, transcript
from vanban.extract import office, read
from vanban.extract.base import ReadError, sha256_of

pytestmark = pytest.mark.skipif(office.soffice_path() is None, reason="LibreOffice is not installed")

# Measured on the two files: TCVN3 0.987 (0.999 ignoring case: the transcript keeps the
# lower case that .VnTimeH text is stored in, the reader upper-cases it as the font shows it),
# VNI 0.993 (the transcript also holds the footer's PAGE fields).
THRESHOLD = {"2005-QD-256": (0.98, 0.995), "2008-23.QD-991-UBND": (0.985, 0.985)}


@pytest.fixture(scope="module")
def converted():
    return {name: read(LEGACY_DIR / f"{name}.doc") for name in TRANSCRIPTS}


@pytest.mark.parametrize(("name", "encoding"), TRANSCRIPTS.items())
def test_doc_converts_and_decodes(converted, name, encoding):
    doc = converted[name]
    src = LEGACY_DIR / f"{name}.doc"
    assert doc.format == "doc"
    assert doc.path == str(src)
    assert doc.sha256 == sha256_of(src)
    assert doc.encoding == encoding
    assert any("LibreOffice" in n for n in doc.notes)
    assert any(b.raw for b in doc.blocks if b.kind == "paragraph")  # the legacy form is kept


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_accuracy_against_transcript(converted, name):
    doc = converted[name]
    truth = transcript(name)
    exact, folded = THRESHOLD[name]
    assert char_accuracy(doc.text, truth) >= exact
    assert char_accuracy(doc.text.lower(), truth.lower()) >= folded


def test_symbols_readable_after_decoding(converted):
    assert "256 /2004/QĐ-UB" in converted["2005-QD-256"].text
    assert "136/2001/QĐ-TTg" in converted["2005-QD-256"].text
    assert "991/QĐ-UBND" in converted["2008-23.QD-991-UBND"].text
    assert "186/2006/QĐ-TTg" in converted["2008-23.QD-991-UBND"].text
    # .VnTimeH heading runs are shown in capitals
    assert converted["2005-QD-256"].text.startswith("ỦY BAN NHÂN DÂN")


def test_conversion_time_is_reasonable():
    started = time.monotonic()
    read(LEGACY_DIR / "2008-23.QD-991-UBND.doc")
    assert time.monotonic() - started < 60


def test_rtf_goes_through_the_same_path(tmp_path):
    rtf = tmp_path / "note.rtf"
    rtf.write_text(r"{\rtf1\ansi\ansicpg1258 {\fonttbl{\f0 Times New Roman;}}\f0 Quy\u7871?t \u273?\u7883?nh s\u7889? 12/Q\u272?-UBND\par}",
                   encoding="ascii")
    doc = read(rtf)
    assert doc.format == "rtf"
    assert "Quyết định số 12/QĐ-UBND" in doc.text
    assert doc.encoding is None


def test_rtf_page_count_is_the_one_the_file_records(tmp_path):
    """The .docx LibreOffice exports from an RTF says 99 pages whatever the file (and other numbers on a
    busy machine): the page count is the RTF's own, as its saving program counted (a real Phiếu trình
    of 3 pages, and a file that records none)."""
    import lzma

    judged = Path(__file__).resolve().parent / "data" / "judged" / "corpus-dev"
    rtf = tmp_path / "ttr.rtf"
    rtf.write_bytes(lzma.decompress((judged / "lamdong" / "Phiếu trình TTr 519.rtf.xz").read_bytes()))
    assert rb"{\nofpages3}" in rtf.read_bytes()
    assert read(rtf).layout.page_count == 3
    bare = tmp_path / "bare.rtf"
    bare.write_text(r"{\rtf1\ansi {\info{\title x}}Quy\u7871?t \u273?\u7883?nh\par}", encoding="ascii")
    assert read(bare).layout.page_count is None


def test_timeout_kills_the_process_group(tmp_path):
    # A stand-in "soffice" that starts a child and hangs: the whole group must die.
    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "slow-soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    src = LEGACY_DIR / "2008-23.QD-991-UBND.doc"
    started = time.monotonic()
    with pytest.raises(ReadError, match="conversion timed out"):
        office.convert_to_docx(src, tmp_path / "work", timeout=1.0, soffice=str(fake))
    assert time.monotonic() - started < 15
    child = int(pidfile.read_text())
    time.sleep(0.2)
    assert _gone(child)


def _gone(pid: int, wait: float = 5.0) -> bool:
    """No such process, or only a zombie waiting for init to reap it, within `wait` seconds (a killed
    process takes a moment to exit on a loaded machine)."""
    deadline = time.monotonic() + wait
    while not _gone_now(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _gone_now(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_real_soffice_timeout(tmp_path):
    with pytest.raises(ReadError, match="conversion timed out"):
        office.convert_to_docx(LEGACY_DIR / "2005-QD-256.doc", tmp_path, timeout=0.05)


def test_unconvertible_file_is_a_read_error(tmp_path):
    bad = tmp_path / "garbage.doc"
    bad.write_bytes(b"\x00\x01\x02 not a word file " * 50)
    with pytest.raises(ReadError):
        read(bad)


def test_missing_soffice_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="could not be started"):
        office.convert_to_docx(LEGACY_DIR / "2005-QD-256.doc", tmp_path, soffice=str(tmp_path / "nope"))
