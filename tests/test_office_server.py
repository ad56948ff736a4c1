"""The LibreOffice kept alive per worker (issue 21): reuse, restart after a death or a hang, lockdown, cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_legacy import LEGACY_DIR
from test_office_reader import _gone
from vanban.extract import docx, office, office_server
from vanban.extract.base import ReadError

SOFFICE = office.soffice_path()
PYTHON = office_server.uno_python(SOFFICE) if SOFFICE else None
pytestmark = pytest.mark.skipif(PYTHON is None, reason="LibreOffice or a Python with its uno module is not installed")
DOCS = [LEGACY_DIR / "2005-QD-256.doc", LEGACY_DIR / "2008-23.QD-991-UBND.doc"]


@pytest.fixture()
def server():
    s = office_server.OfficeServer(PYTHON, [SOFFICE])
    yield s
    s.stop()


def _text(docx_path: Path) -> list[str]:
    return [b.text for b in docx.read_content(docx_path).blocks]


def test_one_libreoffice_converts_file_after_file_as_the_cold_start_does(server, tmp_path):
    for i, src in enumerate(DOCS * 2):
        out = server.convert(src, tmp_path / f"w{i}", 120)
        if i < len(DOCS):
            cold = office.convert_to_docx(src, tmp_path / f"cold{i}", timeout=120)
            assert _text(out) == _text(cold)
    assert server.starts == 1 and server.alive()


def _blocks(docx_path: Path) -> list[tuple]:
    """What the reader takes from a .docx: each block's kind, text and table rows."""
    return [(b.kind, b.text, b.bold, b.style, b.rows) for b in docx.read_content(docx_path).blocks]


@pytest.mark.parametrize("suffix", ["doc", "rtf", "odt"])
def test_a_plan_with_its_task_table_converts_as_the_cold_start_does(server, tmp_path, suffix):
    """The running LibreOffice loads Writer files into a bare model (no layout): the same paragraphs
    and table cells as a cold `soffice --convert-to`, which lays the pages out, on the Lâm Đồng plan
    saved as .doc, .rtf and .odt."""
    plan = Path(__file__).resolve().parent.parent / "corpus" / "samples" / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless",
                    "--convert-to", suffix, "--outdir", str(tmp_path / "in"), str(plan)],
                   check=True, capture_output=True, timeout=300)
    src = next((tmp_path / "in").glob(f"*.{suffix}"))
    running = _blocks(server.convert(src, tmp_path / "running", 120))
    cold = _blocks(office.convert_to_docx(src, tmp_path / "cold", timeout=120))
    assert running == cold
    assert sum(1 for block in running if block[-1]) >= 1 and len(running) > 50


def test_a_libreoffice_that_died_is_started_again(server, tmp_path):
    server.convert(DOCS[0], tmp_path / "a", 120)
    first = server.office_pid
    os.kill(first, signal.SIGKILL)
    out = server.convert(DOCS[1], tmp_path / "b", 120)  # at once: the bridge may not have seen the death yet
    assert "991/QĐ-UBND" in " ".join(_text(out))
    assert server.starts == 2 and server.office_pid != first
    os.kill(server.office_pid, signal.SIGKILL)
    time.sleep(1)  # long enough for the bridge to notice and end
    assert not server.alive()
    assert server.convert(DOCS[0], tmp_path / "c", 120).is_file()
    assert server.starts == 3


def _unwritable(workdir: Path) -> Path:
    """A workdir whose output path is taken by a folder: LibreOffice's store fails (an IOException)."""
    (workdir / "out" / "source.docx").mkdir(parents=True)
    return workdir


def test_a_failed_store_is_tried_once_more_on_a_fresh_libreoffice_when_this_one_had_served(server, tmp_path):
    """A long-lived LibreOffice can fail to store a file a fresh one converts (seen in the suite: an
    IOException on store after other files): the file is given once more to a new process. A fresh
    process that fails is believed: the error is the file's, and nothing is restarted."""
    with pytest.raises(ReadError, match="could not convert"):
        server.convert(DOCS[0], _unwritable(tmp_path / "fresh"), 120)
    assert server.starts == 1 and server.alive()
    server.convert(DOCS[1], tmp_path / "ok", 120)
    with pytest.raises(ReadError, match="could not convert"):
        server.convert(DOCS[0], _unwritable(tmp_path / "served"), 120)
    assert server.starts == 2 and server.alive()
    assert "991/QĐ-UBND" in " ".join(_text(server.convert(DOCS[1], tmp_path / "after", 120)))


def test_a_hung_conversion_is_killed_within_its_limit_and_the_next_file_gets_a_fresh_libreoffice(server, tmp_path):
    server.convert(DOCS[0], tmp_path / "a", 120)
    first = server.office_pid
    started = time.monotonic()
    with pytest.raises(ReadError, match=r"conversion timed out \(LibreOffice ran past 0.01 s\)"):
        server.convert(DOCS[1], tmp_path / "b", 0.01)
    assert time.monotonic() - started < 15
    time.sleep(0.2)
    assert _gone(first) and not server.alive()
    assert server.convert(DOCS[1], tmp_path / "c", 120).is_file()
    assert server.starts == 2


def test_the_running_libreoffice_has_the_locked_profile_and_the_dead_proxy(server, tmp_path):
    server.convert(DOCS[0], tmp_path / "a", 120)
    xcu = (Path(server._dir.name) / "profile" / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert '"DisableMacrosExecution" oor:op="fuse"><value>true</value>' in xcu
    assert '"BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value>' in xcu
    port = server._dead.getsockname()[1]
    assert f'"ooInetHTTPProxyPort" oor:op="fuse"><value>{port}</value>' in xcu
    cmdline = Path(f"/proc/{server.office_pid}/cmdline").read_bytes().split(b"\0")
    assert f"-env:UserInstallation={(Path(server._dir.name) / 'profile').as_uri()}".encode() in cmdline
    if office.sandbox_prefix():  # LibreOffice runs in its own network namespace
        assert os.readlink(f"/proc/{server.office_pid}/ns/net") != os.readlink("/proc/self/ns/net")


def test_an_unconvertible_file_is_a_read_error_and_the_libreoffice_stays(server, tmp_path):
    bad = tmp_path / "garbage.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\x01\x02 not a word file " * 50)
    server.convert(DOCS[0], tmp_path / "a", 120)
    with pytest.raises(ReadError, match="LibreOffice could not"):
        server.convert(bad, tmp_path / "b", 120)
    assert server.convert(DOCS[1], tmp_path / "c", 120).is_file()


def test_libreoffice_ends_with_the_worker_that_started_it(tmp_path):
    """A worker killed outright (a batch timeout) takes its LibreOffice with it."""
    script = (
        "import sys, time; from pathlib import Path; from vanban.extract import office_server as s\n"
        f"srv = s.OfficeServer({PYTHON!r}, [{SOFFICE!r}])\n"
        f"srv.convert(Path({str(DOCS[0])!r}), Path({str(tmp_path / 'w')!r}), 120)\n"
        "print(srv.office_pid, srv.proc.pid, flush=True); time.sleep(300)\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        office_pid, bridge_pid = map(int, worker.stdout.readline().split())
        assert not _gone(office_pid, wait=0)
    finally:
        worker.kill()
        worker.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (_gone(office_pid) and _gone(bridge_pid)):
        time.sleep(0.2)
    assert _gone(office_pid) and _gone(bridge_pid)


def test_read_goes_through_this_workers_libreoffice(monkeypatch):
    doc = office.read(DOCS[1])
    assert "converted from .doc to .docx by LibreOffice (running)" in doc.notes[0]
    server = office_server.converter(SOFFICE)
    assert server is not None and server.alive()
    monkeypatch.setenv("VANBAN_OFFICE_SERVER", "0")
    assert "(cold)" in office.read(DOCS[1]).notes[0]


def test_an_interrupted_conversion_does_not_hand_its_answer_to_the_next_file(server, tmp_path):
    """`--jobs 1` stops a document with SIGALRM: the LibreOffice it was waiting on is not reused."""
    class Alarm(BaseException):
        pass

    def ring(signum, frame):
        raise Alarm

    server.convert(DOCS[0], tmp_path / "a", 120)
    first = server.office_pid
    old = signal.signal(signal.SIGALRM, ring)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.02)
        with pytest.raises(Alarm):
            server.convert(DOCS[0], tmp_path / "b", 120)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not server.alive() and _gone(first)
    out = server.convert(DOCS[1], tmp_path / "c", 120)
    assert "991/QĐ-UBND" in " ".join(_text(out))
