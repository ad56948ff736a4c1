"""Each document's time in documents.csv (`elapsed_ms`) and `vanban run --profile`'s summary by format and stage (issue 21)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SEED, read_csv
from test_batch import vanban
from vanban.pipeline import process_file

ROOT = Path(__file__).resolve().parent.parent
TABLE_PDF = ROOT / "corpus" / "samples" / "Phụ lục I Công tác Chỉ đạo điều hành CCHC.pdf"
LEGACY_DOC = ROOT / "tests" / "data" / "legacy" / "2008-23.QD-991-UBND.doc"


def test_a_document_carries_its_time_by_stage(tmp_path):
    res = process_file(TABLE_PDF)
    assert res.ok and res.elapsed_ms > 0
    t = res.timings
    assert {"read", "tables", "normalize", "rules"} <= t.keys() and "ocr" not in t and "convert" not in t
    assert t["tables"] <= t["read"] and t["read"] + t["normalize"] + t["rules"] <= res.elapsed_ms + 3  # rounding
    broken = tmp_path / "hỏng.pdf"
    broken.write_bytes(TABLE_PDF.read_bytes()[:5000])
    bad = process_file(broken)
    assert bad.error and bad.elapsed_ms is not None  # a failure has its time too


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_run_profile_prints_time_by_format_and_stage(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for src in (SEED, TABLE_PDF, LEGACY_DOC):
        shutil.copy(src, inbox / src.name)
    proc = vanban("run", str(inbox), "-o", str(tmp_path / "out"), "--profile", "--jobs", "2", timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("vanban: profile of the 3 document(s)"))
    header, *rows = (ln.split() for ln in lines[at + 1 : at + 6])
    assert header[:4] == ["format", "docs", "total", "s"] and "normalize" in header
    by_format = {r[0]: r for r in rows}
    assert set(by_format) == {"pdf", "doc", "text", "all"}
    docs = {Path(r["source"]).suffix: int(r["elapsed_ms"]) for r in read_csv(tmp_path / "out" / "documents.csv")}
    assert all(ms > 0 for ms in docs.values())
    # the pdf line's total is that document's elapsed_ms; its tables column is filled, the .doc's convert column
    assert float(by_format["pdf"][2]) == pytest.approx(docs[".pdf"] / 1000, abs=0.051)
    assert by_format["pdf"][6] != "-" and by_format["doc"][5] != "-" and by_format["text"][5] == "-"
    assert int(by_format["all"][1]) == 3
