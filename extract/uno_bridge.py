"""A LibreOffice kept alive for one vanban worker, driven through UNO (run by the system's Python).

This file runs under the Python that has LibreOffice's `uno` module (Debian's
python3-uno, or the python of a LibreOffice install), not under vanban's own
environment: it imports nothing but the standard library and `uno`.
`vanban.extract.office_server` starts it, in the same sandbox a cold
conversion runs in, with the conversion profile's path and the program to run:

    python3 -I uno_bridge.py PROFILE_URL SOFFICE [ARG...]

It starts LibreOffice listening on a private UNO pipe, connects, and prints
`{"ready": pid}` on stdout; then it reads one JSON request a line on stdin,
`{"src": path, "out": path}`, converts `src` to .docx at `out` (loaded hidden,
read-only, macros never executed, links never updated) and answers
`{"ok": true}` or `{"error": "why"}`. It ends, killing LibreOffice, when
stdin closes or when its parent dies; the caller kills the whole process group
when a conversion runs past its time limit.

A Word 97-2003 `.doc` is loaded into a bare model (the filter found by deep type
detection, `XLoadable.load`), with no frame and no view, so LibreOffice never lays
its pages out: the text, tables and styles a `.docx` export writes come from the
model, and the layout of a long document with many tables was most of a
conversion's time (a 1.5 MB `.doc` of 28 tables: 13-36 s of CPU loaded in a hidden
frame, 1.3 s into a bare model; on the 53 `.doc` files of corpus-dev the same
paragraphs, tables and tables of results). What only the layout computes is
missing or not right in such a `.docx`: the page count of `docProps/app.xml`
(`layout.page_count` is then empty), the cached value of a PAGE field, the size of
an auto-growing text frame, the order of drawings anchored at the same place.
RTF and OpenDocument files (without a layout RTF's headers lose their PAGE fields),
and a file a bare model cannot load, are loaded in a hidden frame as before.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time

import uno
from com.sun.star.beans import PropertyValue

#: seconds LibreOffice may take to start listening
START_TIMEOUT = 60.0
_OFFICE = {}  # "pid": soffice.bin's


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _end(office=None, code=0):
    """Exit, killing LibreOffice: the launcher, soffice.bin, and (when this bridge leads its own
    process group, as vanban starts it) whatever else they started."""
    if office is not None:
        for pid in {_OFFICE.get("pid"), office.pid} - {None}:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    if os.getpgrp() == os.getpid():
        os.killpg(0, signal.SIGKILL)
    os._exit(code)


def _watch(parent, office):
    """End when the worker died (LibreOffice goes with it) or LibreOffice did (the worker starts another)."""
    while os.getppid() == parent and office.poll() is None:
        time.sleep(0.2)
    _end(office, 1)


def _connect(office, pipe):
    """LibreOffice's component context, once it listens on `pipe`."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # noqa: BLE001 - NoConnectException until LibreOffice listens
            if office.poll() is not None:
                raise RuntimeError(f"LibreOffice exited (status {office.returncode}) before it listened") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"LibreOffice did not listen within {START_TIMEOUT:g} s") from None
            time.sleep(0.1)


def _office_pid(pid):
    """The pid of soffice.bin: `soffice` runs a launcher (oosplash) that starts it as its child."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return children[0] if len(children) == 1 else pid


LOAD = (
    _prop("Hidden", True), _prop("ReadOnly", True), _prop("Silent", True),
    _prop("MacroExecutionMode", 0),  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
    _prop("UpdateDocMode", 0),  # com.sun.star.document.UpdateDocMode.NO_UPDATE
)
STORE = (_prop("FilterName", "MS Word 2007 XML"), _prop("Overwrite", True))


WRITER = "com.sun.star.text.TextDocument"
#: the import filters a bare model is used for: Word's binary formats (one importer, sw's ww8). RTF and
#: OpenDocument are loaded in a frame: without a layout, RTF's headers lose their PAGE fields and margins.
BARE_FILTERS = frozenset({"MS Word 97", "MS Word 97 Vorlage", "MS Word 95", "MS Word 95 Vorlage", "MS WinWord 6.0"})


def _writer_filter(ctx, smgr, url):
    """The import filter deep type detection gives `url`, when a bare model may use it; else None."""
    detection = smgr.createInstanceWithContext("com.sun.star.document.TypeDetection", ctx)
    _type, found = detection.queryTypeByDescriptor((_prop("URL", url),), True)
    name = next((p.Value for p in found if p.Name == "FilterName"), "")
    if name not in BARE_FILTERS:
        return None
    factory = smgr.createInstanceWithContext("com.sun.star.document.FilterFactory", ctx)
    if not factory.hasByName(name):
        return None
    service = next((p.Value for p in factory.getByName(name) if p.Name == "DocumentService"), "")
    return name if service == WRITER else None


def _load(ctx, smgr, url):
    """The document at `url`: a bare Writer model (no frame, no view, no layout) when it can be,
    else loaded in a hidden frame; None when LibreOffice cannot load it."""
    name = _writer_filter(ctx, smgr, url)
    if name:
        doc = smgr.createInstanceWithContext(WRITER, ctx)
        try:
            doc.load((_prop("URL", url), _prop("FilterName", name), *LOAD))
            return doc
        except Exception:  # noqa: BLE001 - a filter that needs a frame: load it the usual way
            doc.dispose()
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return desktop.loadComponentFromURL(url, "_blank", 0, LOAD)


def convert(ctx, smgr, src, out):
    doc = _load(ctx, smgr, uno.systemPathToFileUrl(src))
    if doc is None:
        return {"error": "LibreOffice could not load the file"}
    try:
        doc.storeToURL(uno.systemPathToFileUrl(out), STORE)
    finally:
        try:
            doc.close(True)
        except Exception:  # noqa: BLE001 - closing a broken document: dispose instead
            doc.dispose()
    return {"ok": True}


def main(argv):
    profile, cmd = argv[1], argv[2:]
    pipe = f"vanban{os.getpid()}_{secrets.token_hex(6)}"
    office = subprocess.Popen(
        [*cmd, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--norestore", "--nologo",
         "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    threading.Thread(target=_watch, args=(os.getppid(), office), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: _end(office))
    try:
        ctx = _connect(office, pipe)
        smgr = ctx.ServiceManager  # held: a call through it after LibreOffice died raises DisposedException
    except RuntimeError as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        _end(office, 1)
    _OFFICE["pid"] = _office_pid(office.pid)
    print(json.dumps({"ready": _OFFICE["pid"]}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = convert(ctx, smgr, request["src"], request["out"])
        except Exception as exc:  # noqa: BLE001 - a UNO error: say it, the caller decides
            alive = office.poll() is None and "DisposedException" not in type(exc).__name__
            answer = {"error": f"{type(exc).__name__}: {str(exc).strip() or 'no message'}", "alive": alive}
            if not alive:
                print(json.dumps(answer), flush=True)
                _end(office, 1)
        print(json.dumps(answer), flush=True)
    _end(office)


if __name__ == "__main__":
    main(sys.argv)
