"""Hostile and broken input (issue 9): nothing crashes, nothing is lost, nothing leaks.

One folder of generated files (no committed binaries) goes through the real CLI,
`vanban run FOLDER -o OUT`, next to the seed decision. Each bad file must end as
an error record whose reason says what is wrong, with one line on stderr naming
it; each odd-but-valid file must give a correct output; and the seed's rows must
all be there. The readers' answers to the same files are checked one by one too,
where a failure is easier to read.
"""

from __future__ import annotations

import json
import shutil
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import EXPECTED, SEED, read_csv, run_cli

import hostile_files as hf
from vanban.extract import ReadError, read
from vanban.extract import docx as docx_reader

#: file name -> (how to make it, the reason its error must give; None: it must read as a document)
BAD = {
    "empty.txt": "empty (0 bytes)",
    "zero-bytes.pdf": "empty (0 bytes)",
    "nothing.docx": "empty (0 bytes)",
    "random.pdf": "not a PDF",
    "random.docx": "not a .docx",
    "random.doc": "not a Word, RTF or OpenDocument file",
    "truncated.pdf": "truncated",
    "encrypted.pdf": "encrypted",
    "zip-bomb.docx": "zip bomb",
    "nested-200.docx": "256 levels deep",
    "nul-bytes.txt": "binary data",
    "billion-laughs.docx": "billion laughs",
}


def _secret(folder: Path) -> Path:
    secret = folder / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    return secret


def make_folder(folder: Path, secrets: Path) -> dict[str, str]:
    """Write the hostile folder; returns {file name: what it must give} for the good ones."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, folder / SEED.name)
    # distinct stems: see test_same_stem_same_bytes_different_suffix
    for name in ("empty.txt", "zero-bytes.pdf", "nothing.docx"):
        (folder / name).write_bytes(b"")
    for i, name in enumerate(("random.pdf", "random.docx", "random.doc")):
        (folder / name).write_bytes(hf.random_bytes(4096, seed=i))
    small_pdf = hf.pdf_bytes_many_pages(3)
    (folder / "truncated.pdf").write_bytes(small_pdf[: len(small_pdf) // 2])
    (folder / "encrypted.pdf").write_bytes(hf.encrypted_pdf_bytes())
    hf.make_zip_bomb_docx(folder / "zip-bomb.docx")
    hf.make_docx(folder / "nested-200.docx", hf.nested_tables_body(200))
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    hf.make_docx(folder / "billion-laughs.docx", hf.p("a&l9;b"), doctype=f'<!DOCTYPE w:document [<!ENTITY l0 "lol">{laughs}]>')
    (folder / "nul-bytes.txt").write_bytes(b"abc\x00\x00\x00" + hf.random_bytes(200, seed=9))

    good: dict[str, str] = {}
    (folder / "junk-before-header.pdf").write_bytes(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n" + small_pdf)
    good["junk-before-header.pdf"] = "skipped 50 bytes before the %PDF header"
    hf.make_many_page_pdf(folder / "pages-2000.pdf", 2000)
    good["pages-2000.pdf"] = "2000 pages"
    hf.make_docx(folder / "nested-60.docx", hf.nested_tables_body(60))
    good["nested-60.docx"] = "nested table"
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secrets.as_uri()}">]>'
    hf.make_docx(folder / "xxe.docx", hf.p("Quyết định a&xxe;b") + hf.p("Điều 1. Nội dung."), doctype=doctype)
    good["xxe.docx"] = "entity not expanded"
    # Russian in KOI8-R: not UTF-8, not TCVN3/VNI; read as Windows-1258 and said so
    (folder / "koi8.txt").write_bytes("Постановление правительства N 12 от 5 января 2026 года\n".encode("koi8-r") * 5)
    good["koi8.txt"] = "decoded as cp1258"
    line = ", ".join(f"Nghị định số {i % 999 + 1}/20{i % 25:02d}/NĐ-CP" for i in range(CITATIONS))
    (folder / "citations-one-line.txt").write_text("KẾ HOẠCH\nCăn cứ " + line + ";\n", encoding="utf-8")
    good["citations-one-line.txt"] = f"{CITATIONS} citations"
    for name in ODD_NAMES:
        (folder / name).write_text(hf.SMALL_DECISION, encoding="utf-8")
        good[name] = "12/QĐ-UBND"
    return good


CITATIONS = 100_000
#: 250 bytes of UTF-8, near the 255-byte limit of a file name
LONG_NAME = ("Quyết định rất dài " * 20).encode()[:246].decode("utf-8", "ignore") + ".txt"
ODD_NAMES = [
    "tên có dấu cách.txt",
    unicodedata.normalize("NFD", "Quyết định NFD.txt"),
    "-rf.txt",
    "--help.txt",
    "quote's \"double\" `tick` $HOME;rm.txt",
    "new\nline.txt",
    "tab\there.txt",
    LONG_NAME,
]


@pytest.fixture(scope="module")
def hostile_cli(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    secrets = _secret(base)
    folder = base / "inbox"
    good = make_folder(folder, secrets)
    out = base / "out"
    t0 = time.monotonic()
    proc = run_cli("run", str(folder), "-o", str(out), "--jobs", "2", "--timeout", "120")
    seconds = time.monotonic() - t0
    return folder, out, proc, good, seconds, secrets


def _rows_by_name(out: Path) -> dict[str, dict[str, str]]:
    return {Path(r["source"]).name: r for r in read_csv(out / "documents.csv")}


def test_run_exits_1_and_keeps_every_document(hostile_cli):
    folder, out, proc, good, seconds, _ = hostile_cli
    assert proc.returncode == 1, proc.stderr[-2000:]
    rows = _rows_by_name(out)
    assert set(rows) == {p.name for p in folder.iterdir()}, "every input file has its row"
    assert seconds < 240, f"the hostile run took {seconds:.0f} s"


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_an_error_record_with_its_reason(hostile_cli, name):
    _, out, proc, _, _, _ = hostile_cli
    row = _rows_by_name(out)[name]
    assert row["status"] == "error"
    assert BAD[name].lower() in row["error"].lower(), row["error"]
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("vanban: error: ") and f"/{name}: " in ln]
    assert len(lines) == 1, proc.stderr
    assert row["error"] in lines[0]


def test_one_stderr_line_per_bad_file_and_none_for_the_good(hostile_cli):
    _, _, proc, good, _, _ = hostile_cli
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("vanban: error: ")]
    assert len(errors) == len(BAD), "\n".join(errors)
    for name in good:
        assert not any(f"/{name}:" in ln for ln in errors), name


def test_the_seed_is_unaffected(hostile_cli):
    _, out, _, _, _, _ = hostile_cli
    seed = _rows_by_name(out)[SEED.name]
    tasks = [r for r in read_csv(out / "tasks.csv") if r["doc_id"] == seed["doc_id"] and r["source_kind"] == "table"]
    assert seed["status"] == "ok" and int(seed["tasks"]) > 37  # the appendix's 37 rows and the tasks its text assigns
    expected = read_csv(EXPECTED / "tasks.csv")
    assert len(tasks) == len(expected) == 37
    assert [t["task"] for t in tasks] == [t["task"] for t in expected]


@pytest.mark.parametrize("name", ["junk-before-header.pdf", "pages-2000.pdf", "nested-60.docx", "xxe.docx", "koi8.txt",
                                  "citations-one-line.txt"])
def test_odd_but_valid_files_give_their_output(hostile_cli, name):
    _, out, _, good, _, _ = hostile_cli
    row = _rows_by_name(out)[name]
    assert row["status"] == "ok", row["error"]
    doc = json.loads((out / "docs" / f"{row['doc_id']}.json").read_text(encoding="utf-8"))
    notes = " ".join(doc.get("notes") or [])
    if name == "junk-before-header.pdf":
        assert good[name] in notes
    elif name == "pages-2000.pdf":
        assert row["pages"] == "2000" and "Nghị định số 107/2020/NĐ-CP" in doc["text"]
    elif name == "nested-60.docx":
        assert "nested table" in notes and "lõi" in doc["text"]
    elif name == "xxe.docx":
        assert "Quyết định ab" in doc["text"]
    elif name == "koi8.txt":
        assert row["encoding"] == "cp1258" and good[name] in notes
    elif name == "citations-one-line.txt":
        assert row["citations"] == str(CITATIONS)


def test_no_secret_leaks_into_any_output(hostile_cli):
    _, out, _, _, _, secrets = hostile_cli
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".csv", ".json", ".jsonl", ".sqlite", ".html"):
            assert b"TOP-SECRET-VALUE" not in f.read_bytes(), f


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_names_are_ordinary_documents(hostile_cli, name):
    folder, out, _, _, _, _ = hostile_cli
    rows = read_csv(out / "documents.csv")
    (row,) = [r for r in rows if r["source"] == str(folder / name)]
    assert row["status"] == "ok", row["error"]
    assert row["number"] == "12/QĐ-UBND" and row["date"] == "2026-01-05"
    # the doc id names a file inside OUT/docs whatever the source name was
    assert set(row["doc_id"]) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    assert (out / "docs" / f"{row['doc_id']}.json").is_file()


def test_no_file_outside_out(hostile_cli):
    folder, out, _, _, _, _ = hostile_cli
    assert sorted(p.name for p in out.parent.iterdir()) == ["inbox", "out", "secret.txt"]
    assert not any(p for p in (out / "docs").iterdir() if p.suffix != ".json")


def test_same_stem_same_bytes_different_suffix(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("empty.txt", "empty.pdf"):
        (folder / name).write_bytes(b"")
    out = tmp_path / "out"
    run_cli("run", str(folder), "-o", str(out), "--jobs", "1")
    assert sorted(Path(r["source"]).name for r in read_csv(out / "documents.csv")) == ["empty.pdf", "empty.txt"]


# --------------------------------------------------------------------------- the readers, one by one


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    bomb = hf.make_zip_bomb_docx(tmp_path / "bomb.docx")
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo("word/document.xml").file_size == 2 << 30  # a real bomb: 2 GiB of zeros
    t0 = time.monotonic()
    with pytest.raises(ReadError, match="zip bomb"):
        read(bomb)
    assert time.monotonic() - t0 < 2  # inflating 2 GiB would take far longer


def test_zip_bomb_below_the_size_limit_is_refused_by_its_ratio(tmp_path):
    bomb = hf.make_zip_bomb_docx(tmp_path / "bomb.docx", inflated=64 << 20)
    with pytest.raises(ReadError, match=r"inflate \d+ times"):
        read(bomb)


def test_a_normal_docx_passes_the_size_check(tmp_path):
    doc = read(hf.make_docx(tmp_path / "ok.docx", hf.p("Quyết định số 12/QĐ-UBND")))
    assert doc.text == "Quyết định số 12/QĐ-UBND"


@pytest.mark.parametrize("depth", [1, 60, 80])
def test_nested_tables_within_the_xml_depth_limit_are_flattened(tmp_path, depth):
    doc = read(hf.make_docx(tmp_path / "n.docx", hf.nested_tables_body(depth)))
    assert "lõi" in doc.text and f"mức {depth}" in doc.text


@pytest.mark.parametrize("depth", [200, 5000])
def test_nested_tables_past_the_xml_depth_limit_are_refused(tmp_path, depth):
    with pytest.raises(ReadError, match="256 levels deep"):
        read(hf.make_docx(tmp_path / "n.docx", hf.nested_tables_body(depth)))


def test_encrypted_pdf_made_by_hand(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(hf.encrypted_pdf_bytes())
    with pytest.raises(ReadError, match="encrypted"):
        read(path)


def test_hand_made_pdf_reads_as_vietnamese(tmp_path):
    doc = read(hf.make_many_page_pdf(tmp_path / "p.pdf", 3))
    assert doc.pages == 3 and not doc.ocr
    assert "Nghị định số 107/2020/NĐ-CP của Chính phủ" in doc.text


def test_random_doc_bytes(tmp_path):
    """Random bytes named .doc are refused before LibreOffice, which would import them as text."""
    path = tmp_path / "random.doc"
    path.write_bytes(hf.random_bytes(4096, seed=2))
    with pytest.raises(ReadError, match="not a Word, RTF or OpenDocument file"):
        read(path)


def _parsers():
    from docx.oxml.parser import oxml_parser  # the parser python-docx reads every part with

    return {"python-docx": oxml_parser, "vanban docx": docx_reader.SAFE_PARSER}


@pytest.mark.parametrize("which", ["python-docx", "vanban docx"])
def test_xml_parsers_fetch_no_external_entity(tmp_path, which):
    from lxml import etree

    secret = _secret(tmp_path)
    xml = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]><r>a&xxe;b</r>'.encode()
    root = etree.fromstring(xml, _parsers()[which])
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")
    assert "".join(root.itertext()) in ("ab", "a&xxe;b")  # dropped, or kept as an unexpanded reference


@pytest.mark.parametrize("which", ["python-docx", "vanban docx"])
def test_xml_parsers_refuse_billion_laughs(which):
    from lxml import etree

    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<!DOCTYPE r [<!ENTITY l0 "lol">{laughs}]><r>a&l9;c</r>'.encode()
    try:
        root = etree.fromstring(xml, _parsers()[which])
    except etree.XMLSyntaxError as e:  # libxml2's amplification limit
        assert "amplification" in str(e)
    else:
        assert "lollol" not in etree.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------- output paths and the review server


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\x", "/etc/cron.d/x", "a/../../b", "-rf", "x\ny",
                                  "\u202e/../evil", "CON", "." * 3, "quyết định ../../"])
def test_doc_ids_from_any_source_name_stay_inside_out(tmp_path, name):
    from vanban.extract.base import doc_id_for
    from vanban.outputs.files import safe_child

    doc_id = doc_id_for(name + ".txt", "ab" * 32)
    # 128 bits of the digest (issue 14: 32 bits could be matched by a crafted file)
    assert set(doc_id) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_") and doc_id.endswith("_" + "ab" * 16)
    target = safe_child(tmp_path / "docs", f"{doc_id}.json")
    assert target.parent == (tmp_path / "docs").resolve()


@pytest.mark.parametrize("doc_id", ["../escape", "../../etc/passwd", "/tmp/abs", "docs/../../x", "../docs2/x"])
def test_a_crafted_doc_id_cannot_write_outside_out(tmp_path, doc_id):
    from vanban.outputs.files import safe_child
    from vanban.outputs.writer import write_document_json
    from vanban.pipeline import process_file

    src = tmp_path / "qd.txt"
    src.write_text(hf.SMALL_DECISION, encoding="utf-8")
    res = process_file(src)
    res.decision.doc_id = res.doc_id = doc_id
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="escapes"):
        write_document_json(res, out, "test")
    with pytest.raises(ValueError, match="escapes"):
        safe_child(out / "docs", doc_id)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["qd.txt"]


def test_the_review_store_reads_no_file_for_a_crafted_doc_id(seed_out):
    from vanban.review.store import RunStore

    store = RunStore(seed_out)
    (seed_out.parent / "outside.json").write_text('{"text": "OUTSIDE"}', encoding="utf-8")
    for doc_id in ("../outside", "..%2Foutside", "/etc/passwd", "docs/../../outside"):
        assert store.text(doc_id) is None


def test_the_review_server_binds_to_loopback_only(seed_out):
    """Besides the Host header checks of test_review.py (test_foreign_host_header_is_refused)."""
    from vanban.review.server import make_server

    srv = make_server(seed_out, 0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
        assert srv.url.startswith("http://127.0.0.1:")
        assert srv.allowed_hosts == {f"127.0.0.1:{srv.port}", f"localhost:{srv.port}"}
    finally:
        srv.server_close()


def test_libreoffice_runs_with_its_own_profile_and_macros_off(tmp_path, monkeypatch):
    """The command line and profile of a conversion, without running LibreOffice."""
    import subprocess

    from vanban.extract import office

    seen = {}

    class Stop(Exception):
        pass

    def fake_popen(cmd, **kw):
        seen["cmd"], seen["kw"] = cmd, kw
        raise Stop

    office.sandbox_prefix()  # the sandbox probe runs its own process once per process: settle it before Popen is faked
    monkeypatch.setattr(subprocess, "Popen", fake_popen)
    src = tmp_path / "-rf; rm x.doc"
    src.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(Stop):
        office.convert_to_docx(src, tmp_path / "work", soffice="/usr/bin/soffice")
    cmd = seen["cmd"]
    profile = tmp_path / "work" / "profile"
    assert f"-env:UserInstallation={profile.as_uri()}" in cmd
    assert cmd[-1].endswith("/in/source.doc")  # the odd name never reaches LibreOffice's command line
    xcu = (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert '"DisableMacrosExecution" oor:op="fuse"><value>true</value>' in xcu
    assert '"MacroSecurityLevel" oor:op="fuse"><value>3</value>' in xcu
    # linked content is never loaded, links never updated (issue 14; the listener test is in test_hostile_inputs)
    assert '"BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value>' in xcu
    assert '"/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value>' in xcu
    assert seen["kw"]["start_new_session"] and seen["kw"]["stdin"] == subprocess.DEVNULL


def test_a_bad_file_named_with_a_newline_gives_one_stderr_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\nname.pdf").write_bytes(b"junk")
    proc = run_cli("run", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1", "--no-validate")
    lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("vanban: ") or ln.startswith("vanban: error: ")]
    assert len(lines) == 1, lines
