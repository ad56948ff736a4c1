"""The `.doc`, `.rtf` and `.odt` reader: LibreOffice converts to .docx, the .docx reader reads it.

Each conversion runs `soffice --headless --convert-to docx` in a temporary
directory with its own LibreOffice profile (parallel conversions sharing a
profile fail), macros disabled in that profile, and a timeout: when it expires
the whole process group is killed and the file is reported as
"conversion timed out". The SourceDocument keeps the original file's path,
sha256 and format ("doc", "rtf", "odt").

Old Vietnamese .doc files are often typed in TCVN3 (".VnTime") or VNI
("VNI-Times") fonts; LibreOffice keeps those bytes as Latin-1 letters, and the
.docx reader decodes them (see `vanban.extract.legacy`), so `encoding` says
"tcvn3" or "vni" and each block's `raw` keeps the legacy form.

>>> doc = read(Path("tests/data/legacy/2008-23.QD-991-UBND.doc"))  # doctest: +SKIP
>>> doc.format, doc.encoding, "991/QĐ-UBND" in doc.text  # doctest: +SKIP
('doc', 'vni', True)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from vanban.extract import docx as docx_reader
from vanban.extract.base import ReadError, build_source, sha256_of
from vanban.model import SourceDocument

#: Seconds a conversion may take; `VANBAN_OFFICE_TIMEOUT` overrides it.
DEFAULT_TIMEOUT = 120.0

FORMATS = {".doc": "doc", ".rtf": "rtf", ".odt": "odt"}

# Written into each fresh profile: never run document macros, whatever the file asks.
_NO_MACROS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseDocumentOOoLockFile" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


#: How the files LibreOffice is given begin: OLE2 (Word 97-2003, also Word 6/95), RTF, a zip
#: (.odt, or a .docx named .doc), Word 2 binary. Markup ("<": HTML or Word 2003 XML saved as .doc)
#: and plain text also convert; anything else is refused before LibreOffice, which would
#: import random bytes as a text document.
_SIGNATURES = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf", b"PK\x03\x04", b"\xdb\xa5")


def check_kind(path: Path) -> None:
    """Raise `ReadError` when `path` is neither a document LibreOffice reads nor text."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(_SIGNATURES) or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return
    controls = sum(b < 32 and b not in b"\t\n\r\f" for b in head)
    if b"\x00" in head or controls > len(head) // 100:
        raise ReadError("not a Word, RTF or OpenDocument file: the file starts with unrecognised binary data")


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _timeout() -> float:
    try:
        return float(os.environ.get("VANBAN_OFFICE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def convert_to_docx(src: Path, workdir: Path, *, timeout: float | None = None,
                    soffice: str | None = None) -> Path:
    """Convert `src` to a .docx under `workdir` and return its path.

    `workdir` holds the input copy, the profile and the output; the caller
    removes it. Raises `ReadError` when LibreOffice is missing, fails, or runs
    past `timeout` seconds (then its whole process group is killed).
    """
    exe = soffice or soffice_path()
    if exe is None:
        raise ReadError("LibreOffice (soffice) is not installed; .doc/.rtf/.odt cannot be read")
    timeout = _timeout() if timeout is None else timeout
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_NO_MACROS, encoding="utf-8")
    indir = workdir / "in"
    outdir = workdir / "out"
    indir.mkdir(exist_ok=True)
    outdir.mkdir(exist_ok=True)
    # A plain copy name: LibreOffice names the output after the input, and odd
    # names (leading "-", non-ASCII on some locales) must not reach its command line.
    staged = indir / ("source" + src.suffix.lower())
    shutil.copyfile(src, staged)
    cmd = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        "--convert-to", "docx:MS Word 2007 XML",
        "--outdir", str(outdir),
        str(staged),
    ]
    env = dict(os.environ, HOME=str(workdir), SAL_USE_VCLPLUGIN="svp")
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=env, cwd=workdir, start_new_session=True)
    except OSError as e:
        raise ReadError(f"LibreOffice could not be started ({e.strerror or e})") from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ReadError(f"conversion timed out (LibreOffice ran past {timeout:g} s)") from None
    finally:
        if proc.poll() is None:  # pragma: no cover - interrupted while waiting
            _kill_group(proc)
    out = outdir / "source.docx"
    if not out.is_file():
        tail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        raise ReadError(f"LibreOffice could not convert the file ({tail[0]})")
    return out


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the conversion's whole process group (soffice forks soffice.bin) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


def read(path: Path, *, timeout: float | None = None) -> SourceDocument:
    """Read a .doc, .rtf or .odt file through a LibreOffice conversion to .docx."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower(), path.suffix.lower().lstrip(".") or "doc")
    check_kind(path)
    sha = sha256_of(path)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vanban-office-") as tmp:
        converted = convert_to_docx(path, Path(tmp), timeout=timeout)
        seconds = time.monotonic() - started
        content = docx_reader.read_content(converted)
    notes = [f"converted from .{fmt} to .docx by LibreOffice in {seconds:.1f} s", *content.notes]
    src = build_source(path, fmt, content.blocks, sha256=sha, encoding=content.encoding, notes=notes)
    return docx_reader.with_layout(src, content)
