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
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
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


def convert(desktop, src, out):
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, LOAD)
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
        desktop = _connect(office, pipe)
    except RuntimeError as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        _end(office, 1)
    _OFFICE["pid"] = _office_pid(office.pid)
    print(json.dumps({"ready": _OFFICE["pid"]}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = convert(desktop, request["src"], request["out"])
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
