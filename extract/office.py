"""The `.doc`, `.rtf` and `.odt` reader: LibreOffice converts to .docx, the .docx reader reads it.

Each worker keeps one LibreOffice running and converts through it (`office_server`, over UNO:
about 0.1-0.3 s a file instead of 0.7-1 s), with the same profile, proxy, sandbox and time
limit as below. Where no Python with LibreOffice's `uno` module is installed, each conversion runs `soffice --headless --convert-to docx` in a temporary
directory with its own LibreOffice profile (parallel conversions sharing a
profile fail), macros disabled in that profile, and a timeout: when it expires
the whole process group is killed and the file is reported as
"conversion timed out". The SourceDocument keeps the original file's path,
sha256 and format ("doc", "rtf", "odt").

Conversion makes no network request (issue 14). A document can name remote
resources (a linked image or OLE object, a linked section, an HTML page's
images and styles), and LibreOffice fetches them while loading. So:
- the bytes must be the format the suffix claims (`sniff`): a `.doc` is an
  OLE2 compound file holding a Word document (or RTF, or Word 2), an `.rtf` is
  RTF, an `.odt` an OpenDocument text (zip or flat XML); anything else (HTML,
  XML, text, another zip, an Excel file) is refused before LibreOffice. A
  `.docx` package under another suffix is read by the .docx reader itself,
  without LibreOffice;
- the profile blocks linked content (`BlockUntrustedRefererLinks`: linked
  images and objects of OpenDocument files), never updates links, fields or
  charts on load, and disables active content;
- what still asks for the network (LibreOffice 7.4 loads the linked pictures of
  a Word 97 .doc whatever the profile says) goes to a proxy on a local port
  where nothing listens (HTTP, HTTPS, FTP);
- where the system allows it (`unshare` of a user and network namespace),
  LibreOffice runs with no network at all.

Old Vietnamese .doc files are often typed in TCVN3 (".VnTime") or VNI
("VNI-Times") fonts; LibreOffice keeps those bytes as Latin-1 letters, and the
.docx reader decodes them (see `vanban.extract.legacy`), so `encoding` says
"tcvn3" or "vni" and each block's `raw` keeps the legacy form.

>>> doc = read(Path("tests/data/legacy/2008-23.QD-991-UBND.doc"))  # doctest: +SKIP
>>> doc.format, doc.encoding, "991/QĐ-UBND" in doc.text  # doctest: +SKIP
('doc', 'vni', True)
"""

from __future__ import annotations

import functools
import mmap
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from vanban.extract import docx as docx_reader
from vanban.extract.base import ReadError, build_source, sha256_of
from vanban.model import SourceDocument
from vanban.profile import stage

#: Seconds a conversion may take; `VANBAN_OFFICE_TIMEOUT` overrides it.
DEFAULT_TIMEOUT = 120.0

FORMATS = {".doc": "doc", ".rtf": "rtf", ".odt": "odt"}

#: (group, property, value) written into each fresh profile: never run document macros, never load
#: what a document links to, never update links, fields or charts when loading (Writer's link update
#: mode 0 is "never"); DisableActiveContent exists from LibreOffice 24.2 on (older ones ignore it)
_SETTINGS = [
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableActiveContent", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "ExecutePlugins", "false"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    ("/org.openoffice.Office.Writer/Content/Update", "Chart", "false"),
    ("/org.openoffice.Office.Common/Misc", "UseDocumentOOoLockFile", "false"),
]


def profile_settings(dead_port: int | None) -> str:
    """registrymodifications.xcu for a conversion's profile; with `dead_port`, every HTTP, HTTPS and
    FTP request goes to a proxy at 127.0.0.1:dead_port (a port bound by this process where nothing listens)."""
    settings = list(_SETTINGS)
    if dead_port is not None:
        inet = "/org.openoffice.Inet/Settings"
        settings += [(inet, "ooInetProxyType", "1"), (inet, "ooInetNoProxy", "")]
        for scheme in ("HTTP", "HTTPS", "FTP"):
            settings += [(inet, f"ooInet{scheme}ProxyName", "127.0.0.1"), (inet, f"ooInet{scheme}ProxyPort", str(dead_port))]
    items = "".join(f'<item oor:path="{g}"><prop oor:name="{n}" oor:op="fuse"><value>{v}</value></prop></item>\n'
                    for g, n, v in settings)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{items}</oor:items>\n")


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODT_MIME = b"application/vnd.oasis.opendocument.text"
#: suffix -> what its bytes may be, and how to say it
_ACCEPTS = {
    ".doc": ({"word", "word2", "rtf"}, "a Word .doc file"),
    ".rtf": ({"rtf"}, "an RTF file"),
    ".odt": ({"odt", "flat-odt"}, "an OpenDocument text (.odt)"),
}
_WHAT = {
    "word": "a Word 97-2003 document (.doc)", "word2": "a Word 2 document", "rtf": "an RTF document",
    "odt": "an OpenDocument text (.odt)", "flat-odt": "a flat OpenDocument text (.fodt)",
    "ole": "an OLE2 file without a Word document in it (an Excel or PowerPoint file?)",
    "zip": "a zip that is neither a Word nor an OpenDocument text", "html": "HTML (a web page)",
    "mhtml": "a web archive (MHTML)", "xml": "XML that is not an OpenDocument text", "text": "plain text",
}
#: the directory entry of an OLE2 stream named "WordDocument": UTF-16 name, then its length in bytes
_WORD_STREAM = "WordDocument\0".encode("utf-16-le")


def sniff(path: Path) -> str:
    """What the file's bytes are: word, word2, rtf, odt, flat-odt, docx, ole, zip, html, mhtml, xml, text.

    Raises `ReadError` for unrecognised binary data.
    """
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(_OLE2):
        return "word" if _has_word_stream(path) else "ole"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(b"\xdb\xa5"):
        return "word2"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{\\rtf"):
        return "rtf"
    if b"\x00" in head or sum(b < 32 and b not in b"\t\n\r\f" for b in head) > len(head) // 100:
        raise ReadError("not a Word, RTF or OpenDocument file: the file starts with unrecognised binary data")
    low = text[:4096].lower()
    if low.startswith(b"mime-version:"):
        return "mhtml"
    if low.startswith(b"<"):
        if b"<office:document" in low and _ODT_MIME in low:
            return "flat-odt"
        if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or b"<body" in low:
            return "html"
        return "xml"
    return "text"


def _has_word_stream(path: Path) -> bool:
    """Whether an OLE2 compound file's directory holds a stream named WordDocument (128-byte
    entries at 128-byte boundaries: the name, its length 26 at byte 64, type 2 = stream at byte 66)."""
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        at = m.find(_WORD_STREAM)
        while at != -1:
            if at % 128 == 0 and m[at + 64 : at + 67] == b"\x1a\x00\x02":
                return True
            at = m.find(_WORD_STREAM, at + 1)
    return False


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "word/document.xml" in names:
                return "docx"
            info = z.getinfo("mimetype") if "mimetype" in names else None
            if info is not None and info.file_size < 200 and z.read(info).strip() == _ODT_MIME:
                return "odt"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise ReadError("not a Word, RTF or OpenDocument file: a damaged zip") from None
    return "zip"


def check_kind(path: Path) -> str:
    """The file's real kind when LibreOffice may convert it (or "docx"); `ReadError` otherwise."""
    kind = sniff(path)
    accepted, expected = _ACCEPTS.get(path.suffix.lower(), ({"word", "rtf", "odt"}, "a Word, RTF or OpenDocument file"))
    if kind == "docx" or kind in accepted:
        return kind
    return _refuse(kind, expected)


def _refuse(kind: str, expected: str) -> str:
    hint = {"html": "; save it as .html or .docx to read it", "mhtml": "; save it as .docx to read it",
            "text": "; rename it .txt to read it", "word": "; rename it .doc to read it",
            "odt": "; rename it .odt to read it", "rtf": "; rename it .rtf to read it"}.get(kind, "")
    raise ReadError(f"not {expected}: the file is {_WHAT[kind]}, which is not converted "
                    f"(LibreOffice would load what it links to){hint}")


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _timeout() -> float:
    try:
        return float(os.environ.get("VANBAN_OFFICE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


@functools.lru_cache(maxsize=1)
def sandbox_prefix() -> tuple[str, ...]:
    """`unshare` in a new user and network namespace, where the system allows it: LibreOffice
    then has no network at all (only a loopback that is down). Empty when it is not allowed."""
    cmd = ("unshare", "--user", "--map-root-user", "--net", "--")
    if shutil.which("unshare") is None:
        return ()
    try:
        ok = subprocess.run([*cmd, "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return cmd if ok else ()


def convert_to_docx(src: Path, workdir: Path, *, timeout: float | None = None, soffice: str | None = None,
                    dead_proxy: bool = True, sandbox: bool = True) -> Path:
    """Convert `src` to a .docx under `workdir` and return its path.

    `workdir` holds the input copy, the profile and the output; the caller
    removes it. Raises `ReadError` when LibreOffice is missing, fails, or runs
    past `timeout` seconds (then its whole process group is killed).
    `dead_proxy=False` and `sandbox=False` leave out those layers (for the tests of each layer).
    """
    exe = soffice or soffice_path()
    if exe is None:
        raise ReadError("LibreOffice (soffice) is not installed; .doc/.rtf/.odt cannot be read")
    if shutil.which(exe) is None:  # said here: under `unshare`, Popen would not say it
        raise ReadError(f"LibreOffice could not be started (no program {exe})")
    prefix = sandbox_prefix() if sandbox else ()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as dead:
        dead.bind(("127.0.0.1", 0))  # bound, never listening: a connection to it is refused at once
        port = dead.getsockname()[1] if dead_proxy else None
        return _convert([*prefix, exe], src, workdir, _timeout() if timeout is None else timeout, port)


def convert(src: Path, workdir: Path, *, timeout: float | None = None) -> tuple[Path, str]:
    """Convert `src` to .docx under `workdir`: through this worker's running LibreOffice
    (`office_server`) when a Python with `uno` is there, else by a cold `soffice --convert-to`.
    The path of the .docx, and which of the two converted it ("running" or "cold")."""
    from vanban.extract import office_server

    exe = soffice_path()
    if exe is None:
        raise ReadError("LibreOffice (soffice) is not installed; .doc/.rtf/.odt cannot be read")
    server = office_server.converter(exe)
    limit = _timeout() if timeout is None else timeout
    if server is None:
        return convert_to_docx(src, workdir, timeout=limit, soffice=exe), "cold"
    return server.convert(src, workdir, limit), "running"


def _convert(exe: list[str], src: Path, workdir: Path, timeout: float, dead_port: int | None) -> Path:
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(profile_settings(dead_port), encoding="utf-8")
    indir = workdir / "in"
    outdir = workdir / "out"
    indir.mkdir(exist_ok=True)
    outdir.mkdir(exist_ok=True)
    # A plain copy name: LibreOffice names the output after the input, and odd
    # names (leading "-", non-ASCII on some locales) must not reach its command line.
    staged = indir / ("source" + src.suffix.lower())
    shutil.copyfile(src, staged)
    cmd = [
        *exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        "--convert-to", "docx:MS Word 2007 XML",
        "--outdir", str(outdir),
        str(staged),
    ]
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "http_proxy", "https_proxy", "ftp_proxy", "all_proxy")}
    env.update(HOME=str(workdir), SAL_USE_VCLPLUGIN="svp")
    if dead_port is not None:
        env.update(dict.fromkeys(("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"), f"http://127.0.0.1:{dead_port}"))
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
    kind = check_kind(path)
    sha = sha256_of(path)
    if kind == "docx":  # a Word 2007+ package under an old suffix: our own reader, no LibreOffice
        content = docx_reader.read_content(path)
        notes = [f"a .docx package named .{fmt}: read as .docx, without LibreOffice", *content.notes]
        src = build_source(path, "docx", content.blocks, sha256=sha, encoding=content.encoding, notes=notes)
        return docx_reader.with_layout(src, content)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vanban-office-") as tmp:
        with stage("convert"):
            converted, how = convert(path, Path(tmp), timeout=timeout)
        seconds = time.monotonic() - started
        content = docx_reader.read_content(converted)
    notes = [f"converted from .{fmt} to .docx by LibreOffice ({how}) in {seconds:.1f} s", *content.notes]
    src = build_source(path, fmt, content.blocks, sha256=sha, encoding=content.encoding, notes=notes)
    src = docx_reader.with_layout(src, content)
    if kind == "rtf" and src.layout is not None:
        src.layout.page_count = rtf_page_count(path)
    return src


_NOFPAGES = re.compile(rb"\{\\info\b[^}]*?(?:\}[^}]*?)*?\\nofpages(\d+)")  # inside the \info group


def rtf_page_count(path: Path) -> int | None:
    """The pages an RTF file's `\\info` group records (`\\nofpages`: the saving program's count, as a Word
    file's docProps/app.xml), or None. The .docx LibreOffice exports from an RTF is no source for it:
    it writes 99 for a file of 4 pages, and other numbers from run to run.

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "a.rtf"; _ = p.write_bytes(rb"{\\rtf1{\\info{\\nofpages4}}x}")
    >>> rtf_page_count(p)
    4
    """
    data = path.read_bytes()
    m = _NOFPAGES.search(data)
    return (int(m.group(1)) or None) if m else None
