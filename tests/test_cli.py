"""The command line as a user runs it: errors, exit statuses, folders."""

from __future__ import annotations

import shutil

from conftest import SEED, read_csv, run_cli


def test_unreadable_file_is_one_clear_line_and_the_run_goes_on(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED, inbox / "good.txt")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "notes.xyz").write_text("not a document")
    out = tmp_path / "out"
    proc = run_cli("run", str(inbox), str(tmp_path / "missing.pdf"), "-o", str(out))
    assert proc.returncode == 1
    errors = [l for l in proc.stderr.splitlines() if l.startswith("vanban: error:")]
    assert any("empty.txt" in l and "empty" in l.split("empty.txt", 1)[1] for l in errors), errors
    assert any("missing.pdf" in l and "no such file" in l for l in errors), errors
    assert any("skipped" in l and "notes.xyz" in l for l in proc.stderr.splitlines())
    docs = {r["source"].rsplit("/", 1)[-1]: r for r in read_csv(out / "documents.csv")}
    assert docs["good.txt"]["status"] == "ok"
    assert docs["empty.txt"]["status"] == "error" and "empty" in docs["empty.txt"]["error"]
    assert docs["missing.pdf"]["status"] == "error"
    assert [r["source_kind"] for r in read_csv(out / "tasks.csv")].count("table") == 37  # the good document's rows are all there


def test_bad_usage_exits_2():
    proc = run_cli("run")
    assert proc.returncode == 2
    assert "vanban: error:" in proc.stderr


def test_clean_run_exits_0_and_names_the_output_folder(tmp_path):
    proc = run_cli("run", str(SEED), "-o", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    assert "1 document(s) processed, 0 failed" in proc.stderr
    assert str(tmp_path / "o") in proc.stderr


def test_a_relative_output_folder_works_end_to_end(tmp_path):
    """The README's command writes to "-o out", relative to where it is run."""
    proc = run_cli("run", str(SEED), "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "expectations met" in proc.stderr
    assert (tmp_path / "out" / "validation" / "data_docs" / "index.html").exists()
    assert (tmp_path / "out" / "report.html").exists()
