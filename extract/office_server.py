"""One LibreOffice per worker, kept alive between conversions (issue 21).

A cold `soffice --convert-to` costs 0.7-1 s a file, most of it LibreOffice
starting. `OfficeServer` starts LibreOffice once, through `uno_bridge.py` run
by the system's Python with LibreOffice's `uno` module (Debian: python3-uno),
and converts each file through it. What a cold conversion has, it keeps:

- its own profile (`office.profile_settings`: macros off, linked content
  blocked, links/fields/charts never updated), fresh for each LibreOffice
  started, and each document is loaded with macros never executed and links
  never updated;
- the dead proxy (a port this process holds bound, where nothing listens) and,
  where the system allows it, no network at all (`unshare`): the bridge and
  LibreOffice run inside the namespace;
- each conversion's time limit: past it, the whole process group (bridge and
  LibreOffice) is killed, the file is reported "conversion timed out", and the
  next file starts a fresh LibreOffice. One that died (a crash on a file, or
  killed from outside) is started again for the next file.

The bridge and LibreOffice end when this process ends: the bridge watches its
parent and its stdin, and kills LibreOffice when either goes.

`converter()` gives this process's server, or None when no Python with `uno`
is found (`office.read` then converts cold, as before). `VANBAN_OFFICE_SERVER=0`
turns the server off.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from vanban.extract.base import ReadError

BRIDGE = Path(__file__).with_name("uno_bridge.py")
#: seconds LibreOffice may take to start and connect (on top of a conversion's own limit)
START_TIMEOUT = 90.0
_PROXY_VARS = ("no_proxy", "http_proxy", "https_proxy", "ftp_proxy", "all_proxy")


@functools.lru_cache(maxsize=4)
def uno_python(soffice: str | None = None) -> str | None:
    """A Python that can `import uno`: $VANBAN_UNO_PYTHON, LibreOffice's own, or the system's."""
    candidates = [os.environ.get("VANBAN_UNO_PYTHON")]
    if soffice:
        candidates.append(str(Path(os.path.realpath(soffice)).with_name("python")))
    candidates += ["/usr/bin/python3", shutil.which("python3")]
    for py in filter(None, candidates):
        if not os.access(py, os.X_OK):
            continue
        try:
            if subprocess.run([py, "-I", "-c", "import uno"], capture_output=True, timeout=30).returncode == 0:
                return py
        except (OSError, subprocess.SubprocessError):
            continue
    return None


class OfficeServer:
    """A LibreOffice process driven through UNO; `convert` restarts it when needed."""

    def __init__(self, python: str, soffice: list[str], *, dead_proxy: bool = True):
        self.python, self.soffice, self.dead_proxy = python, soffice, dead_proxy
        self.proc: subprocess.Popen | None = None
        self.office_pid: int | None = None
        self.starts = 0
        self.served = 0  # answers this LibreOffice gave since it started
        self._dir: tempfile.TemporaryDirectory | None = None
        self._dead: socket.socket | None = None
        self._buffer = b""

    # ------------------------------------------------------------------ life cycle

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        self.stop()
        self._dir = tempfile.TemporaryDirectory(prefix="vanban-office-server-")
        work = Path(self._dir.name)
        from vanban.extract.office import profile_settings

        port = None
        if self.dead_proxy:
            self._dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._dead.bind(("127.0.0.1", 0))  # bound, never listening: a connection to it is refused at once
            port = self._dead.getsockname()[1]
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(profile_settings(port), encoding="utf-8")
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in _PROXY_VARS and not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
        env.update(HOME=str(work), TMPDIR=str(work), SAL_USE_VCLPLUGIN="svp")
        if port is not None:
            env.update(dict.fromkeys(_PROXY_VARS[1:], f"http://127.0.0.1:{port}"))
        from vanban.extract.office import sandbox_prefix

        cmd = [*sandbox_prefix(), self.python, "-I", str(BRIDGE), (work / "profile").as_uri(), *self.soffice]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         env=env, cwd=work, start_new_session=True)
        except OSError as e:
            self.stop()
            raise ReadError(f"LibreOffice could not be started ({e.strerror or e})") from None
        self._buffer = b""
        self.served = 0
        self.starts += 1
        answer = self._answer(START_TIMEOUT)
        if answer is None or "ready" not in answer:
            why = (answer or {}).get("error") or f"no answer within {START_TIMEOUT:g} s"
            self.stop()
            raise ReadError(f"LibreOffice could not be started ({why})")
        self.office_pid = answer["ready"]

    def stop(self) -> None:
        """Kill the bridge and LibreOffice (their whole process group) and remove the profile."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.proc.wait()
            self.proc = None
        self.office_pid = None
        if self._dead is not None:
            self._dead.close()
            self._dead = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    # ------------------------------------------------------------------ conversions

    def convert(self, src: Path, workdir: Path, timeout: float) -> Path:
        """Convert `src` to .docx under `workdir` (as `office.convert_to_docx` does) and return its path.

        A LibreOffice that dies during the conversion is started again and given the file once more
        (it may have died before, idle), within what is left of the time limit. One that has served
        other files and reports an error (a failed store) is replaced and given the file once more
        too: a long-lived process can fail where a fresh one does not."""
        indir, outdir = workdir / "in", workdir / "out"
        indir.mkdir(parents=True, exist_ok=True)
        outdir.mkdir(exist_ok=True)
        staged = indir / ("source" + src.suffix.lower())
        shutil.copyfile(src, staged)
        out = outdir / "source.docx"
        request = json.dumps({"src": str(staged), "out": str(out)}).encode() + b"\n"
        deadline = time.monotonic() + timeout
        answer = self._ask(request, deadline, timeout)
        if "error" in answer and self.served > 1 and time.monotonic() < deadline:
            self.stop()
            answer = self._ask(request, deadline, timeout)
        if "error" in answer:
            raise ReadError(f"LibreOffice could not convert the file ({answer['error']})")
        if not out.is_file():
            raise ReadError("LibreOffice could not convert the file (no output)")
        return out

    def _ask(self, request: bytes, deadline: float, timeout: float) -> dict:
        """The bridge's answer to `request`, starting LibreOffice (again, once, if it dies) as needed."""
        for attempt in (1, 2):
            if not self.alive():
                self.start()
            try:
                self.proc.stdin.write(request)
                self.proc.stdin.flush()
            except OSError:
                answer = None
            except BaseException:
                self.stop()
                raise
            else:
                try:
                    answer = self._answer(max(0.0, deadline - time.monotonic()))
                except BaseException:  # interrupted (the in-process time limit): its answer would go to the next file
                    self.stop()
                    raise
            if answer is not None and answer.get("alive") is not False:
                self.served += 1
                return answer
            hung = answer is None and self.alive()
            self.stop()
            if hung:
                raise ReadError(f"conversion timed out (LibreOffice ran past {timeout:g} s)")
            if attempt == 2 or time.monotonic() >= deadline:
                raise ReadError("LibreOffice crashed converting the file")
        raise AssertionError("unreachable")

    def _answer(self, timeout: float) -> dict | None:
        """The bridge's next JSON line, or None when it did not come within `timeout` s or the bridge ended."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)


_SERVER: tuple[int, OfficeServer] | None = None


def converter(soffice: str) -> OfficeServer | None:
    """This process's LibreOffice server (a forked worker gets its own), or None when there is none to have."""
    global _SERVER
    if os.environ.get("VANBAN_OFFICE_SERVER", "1") == "0":
        return None
    if _SERVER is not None and _SERVER[0] == os.getpid():
        return _SERVER[1]
    python = uno_python(soffice)
    if python is None:
        return None
    _SERVER = (os.getpid(), OfficeServer(python, [soffice]))
    return _SERVER[1]


def shutdown() -> None:
    """Stop this process's LibreOffice, if it started one."""
    global _SERVER
    if _SERVER is not None and _SERVER[0] == os.getpid():
        _SERVER[1].stop()
    _SERVER = None


atexit.register(shutdown)
