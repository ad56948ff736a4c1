"""`vanban run` as a batch runner: folders, bad files, limits, the cache, kill -9 and resume."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SEED, read_csv

TABLES = ["documents.csv", "tasks.csv", "targets.csv", "citations.csv", "findings.jsonl"]


def _table_rows(out) -> int:
    """The rows of tasks.csv read from task tables (the seed has 37; its prose adds its own)."""
    return [r["source_kind"] for r in read_csv(out / "tasks.csv")].count("table")


def vanban(*args: str, hooks: bool = False, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    e = dict(os.environ, VANBAN_CACHE_KEY="tests", **(env or {}))
    if hooks:
        e["VANBAN_TEST_HOOKS"] = "1"
    return subprocess.run([sys.executable, "-m", "vanban.cli", *args], capture_output=True, text=True, env=e, timeout=timeout)


def seed_copy(path: Path, n: int, hook: str | None = None) -> Path:
    """The seed with a different last line (so different bytes), optionally a test hook first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = f"#vanban-test:{hook}\n" if hook else ""
    path.write_text(head + SEED.read_text(encoding="utf-8") + f"\nBản sao số {n}\n", encoding="utf-8")
    return path


def untimed(table: str, data: bytes) -> bytes:
    """A table's bytes, documents.csv without its `elapsed_ms` (a document's time differs from run to run)."""
    if table != "documents.csv":
        return data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    at = rows[0].index("elapsed_ms")
    assert all(r[at].isdigit() for r in rows[1:] if r[rows[0].index("status")] == "ok")
    return repr([r[:at] + r[at + 1 :] for r in rows]).encode()


def tables(out: Path) -> dict[str, bytes]:
    """The tables' bytes (`untimed`)."""
    return {t: untimed(t, (out / t).read_bytes()) for t in TABLES}


def summary_line(stderr: str, word: str) -> str:
    return next(l for l in stderr.splitlines() if l.startswith("vanban: ") and f" {word} since the last run" in l)


@pytest.fixture
def inbox(tmp_path) -> Path:
    """Three seed copies with Vietnamese names and spaces, in nested folders, a broken .docx and a non-document."""
    box = tmp_path / "hộp thư đến"
    seed_copy(box / "Quyết định số 1.txt", 1)
    seed_copy(box / "Năm 2021" / "Kế hoạch CCHC bản 2.txt", 2)
    seed_copy(box / "Năm 2021" / "Phụ lục" / "bản 3.txt", 3)
    (box / "hỏng.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (box / "ghi chú.xyz").write_text("not a document")
    (box / ".~lock.tmp.txt").write_text("a lock file")
    return box


def test_folder_recursive_good_broken_and_non_documents(inbox, tmp_path):
    out = tmp_path / "out"
    proc = vanban("run", str(inbox), "-o", str(out), "--jobs", "2")
    assert proc.returncode == 1, proc.stderr
    docs = {Path(r["source"]).name: r for r in read_csv(out / "documents.csv")}
    assert set(docs) == {"Quyết định số 1.txt", "Kế hoạch CCHC bản 2.txt", "bản 3.txt", "hỏng.docx"}
    assert {docs[n]["status"] for n in docs if n.endswith(".txt")} == {"ok"}
    assert docs["hỏng.docx"]["status"] == "error" and docs["hỏng.docx"]["error"]
    assert any(l.startswith("vanban: error:") and "hỏng.docx" in l for l in proc.stderr.splitlines())
    assert any("skipped" in l and "ghi chú.xyz" in l for l in proc.stderr.splitlines())
    assert any("skipped" in l and ".~lock.tmp.txt" in l for l in proc.stderr.splitlines())
    assert _table_rows(out) == 3 * 37
    ids = [r["doc_id"] for r in read_csv(out / "documents.csv")]
    assert sorted((out / "docs").glob("*.json")) == sorted(out / "docs" / f"{i}.json" for i in ids if docs_ok(out, i))
    assert not list(out.glob(".*.tmp")) and not list((out / ".cache").glob(".*.tmp"))


def docs_ok(out: Path, doc_id: str) -> bool:
    return any(r["doc_id"] == doc_id and r["status"] == "ok" for r in read_csv(out / "documents.csv"))


def test_unchanged_documents_are_not_processed_again(inbox, tmp_path):
    out = tmp_path / "out"
    first = vanban("run", str(inbox), "-o", str(out))
    before = tables(out)
    again = vanban("run", str(inbox), "-o", str(out))
    assert "0 new, 4 unchanged" in summary_line(again.stderr, "unchanged"), again.stderr
    assert tables(out) == before
    assert "hỏng.docx" in again.stderr  # a cached failure is still reported
    assert again.returncode == first.returncode == 1

    seed_copy(inbox / "Quyết định số 1.txt", 99)  # new bytes: new doc_id, the old one leaves the tables
    (inbox / "Năm 2021" / "Phụ lục" / "bản 3.txt").unlink()
    third = vanban("run", str(inbox), "-o", str(out))
    assert "1 new, 2 unchanged" in summary_line(third.stderr, "unchanged"), third.stderr
    docs = read_csv(out / "documents.csv")
    assert len(docs) == 3 and len({d["doc_id"] for d in docs}) == 3
    assert _table_rows(out) == 2 * 37
    assert len(list((out / "docs").glob("*.json"))) == 2

    forced = vanban("run", str(inbox), "-o", str(out), "--force")
    assert "3 new, 0 unchanged" in summary_line(forced.stderr, "unchanged")


def test_in_process_and_pool_give_the_same_tables(inbox, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    vanban("run", str(inbox), "-o", str(a), "--jobs", "1")
    vanban("run", str(inbox), "-o", str(b), "--jobs", "2")
    assert tables(a) == tables(b)


def test_a_slow_a_greedy_and_a_crashing_document_become_error_records(tmp_path):
    box = tmp_path / "in"
    for i in range(4):
        seed_copy(box / f"good {i}.txt", i)
    seed_copy(box / "slow.txt", 10, hook="sleep=60")
    seed_copy(box / "greedy.txt", 11, hook="alloc=1500")
    seed_copy(box / "dies.txt", 12, hook="die")
    out = tmp_path / "out"
    t0 = time.monotonic()
    # a limit the good documents meet with room on a loaded machine
    proc = vanban("run", str(box), "-o", str(out), "--jobs", "2", "--timeout", "10", "--max-memory", "400", hooks=True)
    assert time.monotonic() - t0 < 50  # the sleeping document did not hold the run (it would take 60 s)
    assert proc.returncode == 1
    docs = {Path(r["source"]).name: r for r in read_csv(out / "documents.csv")}
    assert docs["slow.txt"]["error"] == "timed out after 10 s"
    assert docs["greedy.txt"]["error"] == "exceeded the memory limit of 400 MB"
    assert docs["dies.txt"]["status"] == "error" and "killed" in docs["dies.txt"]["error"]
    assert all(docs[f"good {i}.txt"]["status"] == "ok" for i in range(4))
    assert _table_rows(out) == 4 * 37
    for name in ("slow.txt", "greedy.txt", "dies.txt"):
        assert any(l.startswith("vanban: error:") and name in l for l in proc.stderr.splitlines())


def test_in_process_run_has_a_time_limit_too(tmp_path):
    seed_copy(tmp_path / "in" / "slow.txt", 1, hook="sleep=60")
    seed_copy(tmp_path / "in" / "good.txt", 2)
    # a limit the good document meets with room on a loaded machine (its first rules import a lot)
    proc = vanban("run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--jobs", "1", "--timeout", "5", hooks=True)
    docs = {Path(r["source"]).name: r for r in read_csv(tmp_path / "out" / "documents.csv")}
    assert docs["slow.txt"]["error"] == "timed out after 5 s" and docs["good.txt"]["status"] == "ok"
    assert proc.returncode == 1


def test_a_timed_out_document_is_retried_only_with_a_longer_limit(tmp_path):
    seed_copy(tmp_path / "in" / "slow.txt", 1, hook="sleep=2")
    out = tmp_path / "out"
    args = ("run", str(tmp_path / "in"), "-o", str(out), "--jobs", "2")
    vanban(*args, "--timeout", "0.5", hooks=True)
    again = vanban(*args, "--timeout", "0.5", hooks=True)
    assert "0 new, 1 unchanged" in again.stderr
    longer = vanban(*args, "--timeout", "20", hooks=True)
    assert longer.returncode == 0, longer.stderr
    assert read_csv(out / "documents.csv")[0]["status"] == "ok"


def test_killed_run_resumes_without_losing_or_duplicating_rows(tmp_path):
    box = tmp_path / "in"
    for i in range(14):
        seed_copy(box / f"văn bản {i:02}.txt", i, hook="sleep=0.3")
    reference = tmp_path / "ref"
    vanban("run", str(box), "-o", str(reference), "--jobs", "2", hooks=True)

    out = tmp_path / "out"
    env = dict(os.environ, VANBAN_TEST_HOOKS="1", VANBAN_CACHE_KEY="tests")
    cmd = [sys.executable, "-m", "vanban.cli", "run", str(box), "-o", str(out), "--jobs", "2"]
    for kills in range(2):  # kill it twice at different points, then let it finish
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        want = 3 + 5 * kills
        while time.monotonic() < deadline and len(list((out / ".cache").glob("*.json"))) < want:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_before = len(list((out / ".cache").glob("*.json")))
    assert 3 <= done_before < 14
    final = vanban("run", str(box), "-o", str(out), "--jobs", "2", hooks=True)
    assert final.returncode == 0, final.stderr
    assert f"{14 - done_before} new, {done_before} unchanged" in final.stderr
    assert tables(out) == tables(reference)
    assert not [p for p in out.rglob("*.tmp")]


def test_sqlite_has_the_tables_their_indexes_and_keeps_reviews(inbox, tmp_path):
    import sqlite3

    out = tmp_path / "out"
    vanban("run", str(inbox), "-o", str(out))
    db = out / "vanban.sqlite"
    con = sqlite3.connect(db)
    n_tasks = con.execute("select count(*) from tasks").fetchone()[0]
    assert n_tasks == len(read_csv(out / "tasks.csv"))
    cols = [r[1] for r in con.execute("pragma table_info(citations)")]
    assert cols == list(read_csv(out / "citations.csv")[0].keys())
    indexes = {r[0] for r in con.execute("select name from sqlite_master where type='index'")}
    assert {"citations_doc_id", "citations_id", "findings_category", "tasks_doc_id"} <= indexes
    fp, doc = con.execute("select fingerprint, doc_id from findings limit 1").fetchone()
    import json

    ev = json.loads(con.execute("select evidence from findings limit 1").fetchone()[0])
    assert isinstance(ev, list)
    con.execute(
        "insert into reviews values (?, ?, 'dismissed', 'đúng theo văn bản gốc', 'lan', '2026-01-05T10:00:00', 'abc')", (fp, doc)
    )
    con.commit()
    con.close()
    vanban("run", str(inbox), "-o", str(out), "--force")
    con = sqlite3.connect(db)
    assert con.execute("select state, note from reviews").fetchall() == [("dismissed", "đúng theo văn bản gốc")]
    assert con.execute("select count(*) from tasks").fetchone()[0] == n_tasks


def test_parquet_jsonl_and_xlsx_copies(inbox, tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    out = tmp_path / "out"
    proc = vanban("run", str(inbox), "-o", str(out), "--formats", "csv,parquet,xlsx,jsonl")
    assert proc.returncode == 1, proc.stderr
    for t in ("documents", "tasks", "targets", "citations"):
        csv_rows = read_csv(out / f"{t}.csv")
        pq = pd.read_parquet(out / f"{t}.parquet")
        assert len(pq) == len(csv_rows) and list(pq.columns) == list(csv_rows[0].keys())
        assert len((out / f"{t}.jsonl").read_text(encoding="utf-8").splitlines()) == len(csv_rows)
    tasks = pd.read_parquet(out / "tasks.parquet")
    assert tasks["line"].dtype == "int64" and tasks["task"].str.len().gt(0).all()
    wb = load_workbook(out / "vanban.xlsx")
    assert set(wb.sheetnames) >= {"documents", "tasks", "targets", "citations", "findings"}
    ws = wb["findings"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    sev_col = [c.value for c in ws[1]].index("severity") + 1
    colours = {ws.cell(r, sev_col).value: ws.cell(r, sev_col).fill.start_color.rgb for r in range(2, ws.max_row + 1)}
    assert colours.get("error", "").endswith("FFC7CE") and colours.get("info", "").endswith("DDEBF7")
    assert wb["tasks"].column_dimensions["E"].width > 20  # the task text column is sized to its content
    assert wb["tasks"].max_row == len(read_csv(out / "tasks.csv")) + 1


def test_bad_formats_and_dask_without_scheduler_are_usage_errors(tmp_path):
    assert vanban("run", str(SEED), "-o", str(tmp_path), "--formats", "csv,pdf").returncode == 2
    assert vanban("run", str(SEED), "-o", str(tmp_path), "--engine", "dask").returncode == 2
    assert vanban("run", str(SEED), "-o", str(tmp_path), "--jobs", "-1").returncode == 2


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_elsewhere():
    from vanban.batch import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, log = Tty(), io.StringIO()
    for stream in (tty, log):
        p = Progress(3, 0, stream=stream)
        p.every = 0
        for failed in (False, True, False):
            p.advance(failed)
        p.message("vanban: error: x.pdf: broken")
        p.close()
    assert "\r" in tty.getvalue() and "3/3 done, 1 failed" in tty.getvalue()
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("vanban: progress: 1/3 done, 0 failed,") and "docs/s" in lines[0]
    assert "vanban: error: x.pdf: broken" in lines


def test_corpus_rules_see_every_decision_of_the_run(tmp_path):
    from vanban.batch import Settings, run
    from vanban.rules import engine

    seen: list[list[str]] = []

    @engine.rule("test_corpus_probe", "citation_conflict", "info", "test probe", corpus=True)
    def probe(dec, context):
        seen.append(sorted(d.doc_id for d in context.decisions))
        if dec.doc_id == min(d.doc_id for d in context.decisions):
            yield engine.make_finding(dec, "test_corpus_probe", "thăm dò", "probe", [("x", None)])

    try:
        for i in range(3):
            seed_copy(tmp_path / "in" / f"d{i}.txt", i)
        out = tmp_path / "out"
        s = run([str(tmp_path / "in")], Settings(out=out, jobs=1, cache_key="test"), quiet=True)
    finally:
        engine.REGISTRY.pop("test_corpus_probe", None)
    assert len(seen) == 3 and all(len(ids) == 3 for ids in seen)
    probes = [l for l in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if "test_corpus_probe" in l]
    assert len(probes) == 1 and s.by_severity.get("info", 0) >= 1
    docs = {r["doc_id"]: r for r in read_csv(out / "documents.csv")}
    first = min(docs)
    import json

    doc_json = json.loads((out / "docs" / f"{first}.json").read_text(encoding="utf-8"))
    assert any(f["rule"] == "test_corpus_probe" for f in doc_json["findings"])
