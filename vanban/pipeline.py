"""The pipeline: extract -> normalize -> rules, for one file, and the discovery of files in folders.

`process_file` never raises for a bad input: a file that cannot be read becomes
a `Result` with `error` set (the reason in plain words), so a batch goes on.
The batch runner (parallel, incremental, resumable) is `vanban.batch`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import stat
import sys
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from vanban import __version__
from vanban.model import Decision, Finding

PIPELINE_VERSION = __version__

#: the packages whose code and reference data decide what a document gives
_CODE_PACKAGES = ("vanban", "vanban.extract", "vanban.normalize", "vanban.rules", "vanban.outputs", "vanban.corpus")
_CODE_SUFFIXES = (".py", ".tsv", ".csv", ".json", ".toml")


def one_line(text: str) -> str:
    """A message on one line whatever a file name holds: control characters are shown
    escaped ('bad\\nname.pdf'), so each problem stays one line of the log."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


@dataclass
class Result:
    """What one input file gave: its decision and findings, or the error.

    `error_kind` says what kind of failure it was: "read" (the file is not a
    readable document), "internal" (a bug in a stage), "memory", "timeout",
    "crash" (the worker died) or "missing".
    """

    path: str
    decision: Decision | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    doc_id: str | None = None
    sha256: str | None = None
    error_kind: str | None = None
    elapsed_ms: int | None = None  # the whole of process_file
    timings: dict[str, int] = field(default_factory=dict)  # ms by stage (`vanban.profile.STAGES`)

    @property
    def ok(self) -> bool:
        return self.error is None


def process_file(path: str | os.PathLike[str], *, rules_config=None, doc_id: str | None = None) -> Result:
    """Read, normalize and check one file (the per-document rules; corpus rules run in `vanban.batch`).

    `doc_id` replaces the id made from the file's name and bytes (the batch gives each input its own).
    The result carries its time (`elapsed_ms`) and its stages' (`timings`).
    """
    from vanban import profile

    timings = profile.start()
    t0 = time.perf_counter()
    res = _process(path, rules_config, doc_id)
    res.elapsed_ms = round((time.perf_counter() - t0) * 1000)
    res.timings = profile.as_ms(timings)
    return res


def _process(path: str | os.PathLike[str], rules_config, doc_id: str | None) -> Result:
    from vanban.extract import ReadError, read
    from vanban.profile import stage
    from vanban.normalize.document import normalize
    from vanban.rules.engine import check

    p = Path(path)
    try:
        with stage("read"):
            src = read(p)
    except ReadError as e:
        return _failed(p, str(e), "read", doc_id=doc_id)
    except MemoryError:
        return _failed(p, "out of memory while reading the file", "memory", doc_id=doc_id)
    except Exception as e:  # a reader bug must not stop the batch
        return _failed(p, f"could not read the file ({type(e).__name__}: {e})", "read", tb=True, doc_id=doc_id)
    if doc_id:
        src.doc_id = doc_id
    try:
        with stage("normalize"):
            dec = normalize(src)
        with stage("rules"):
            findings = check(dec, config=rules_config)
    except MemoryError:
        return Result(str(p), error="out of memory while processing", doc_id=src.doc_id, sha256=src.sha256, error_kind="memory")
    except Exception as e:
        if os.environ.get("VANBAN_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        return Result(
            str(p), error=f"internal error while processing ({type(e).__name__}: {e})", doc_id=src.doc_id,
            sha256=src.sha256, error_kind="internal",
        )
    return Result(str(p), dec, findings, doc_id=dec.doc_id, sha256=dec.sha256)


def _failed(p: Path, reason: str, kind: str, tb: bool = False, doc_id: str | None = None) -> Result:
    from vanban.extract.base import doc_id_for, sha256_of

    if tb and os.environ.get("VANBAN_DEBUG"):
        traceback.print_exc(file=sys.stderr)
    try:
        sha = sha256_of(p)
    except OSError:
        sha = None
    return Result(str(p), error=reason, doc_id=doc_id or doc_id_for(p, sha or "0" * 64), sha256=sha, error_kind=kind)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the pipeline's code and reference data (`corpus/*.tsv`, ...).

    Part of the cache key of `vanban run`: a document is processed again when
    the version, the code or the reference data changed, even without a version bump.
    """
    h = hashlib.sha256(__version__.encode())
    for pkg in _CODE_PACKAGES:
        spec = importlib.util.find_spec(pkg)
        for loc in (spec.submodule_search_locations or []) if spec else []:
            for f in sorted(Path(loc).iterdir()):
                if f.is_file() and f.suffix in _CODE_SUFFIXES:
                    h.update(f"\x1e{pkg}/{f.name}\x1f".encode())
                    h.update(f.read_bytes())
    return h.hexdigest()[:16]


class Found(NamedTuple):
    """What `discover` found: the files to process, what was skipped inside folders (and why),
    and what was named on the command line but cannot be read as a file (and why)."""

    files: list[Path | str]  # a path, or the URL of a remote object
    skipped: list[tuple[Path | str, str]]
    refused: list[tuple[Path | str, str]]


def discover(inputs: Iterable[str | os.PathLike[str]], *, follow_links: bool = False,
             exclude: Iterable[str | os.PathLike[str]] = ()) -> Found:
    """The files to process under the inputs (folders recursively), what was skipped and what refused.

    A file named explicitly is always processed (an unsupported kind becomes an
    error record) when it is a regular file (or a link to one: the user named it);
    a FIFO, socket or device is refused, never opened (opening a FIFO blocks).
    Inside folders only regular files are read: symbolic links are not followed
    unless `follow_links` (a link to /etc/passwd in an inbox must not be read),
    hidden and temporary files and files of unsupported kinds are skipped with a
    note, and the `exclude` folders (the run's output folder) are not entered.

    A URL (`s3://bucket/inbox/`, see `vanban.storage`) is listed remotely by the
    same rules (an object store has no links nor special files); a `file://`
    URL is a local path.
    """
    from vanban.storage import is_url, local_path

    found = Found([], [], [])
    seen: set[Path] = set()
    walk = _Walk(found, follow_links, {_ident(local_path(e)) for e in exclude if not is_url(e)} - {None})
    remote_seen: set[str] = set()
    for inp in inputs:
        if is_url(inp):
            _discover_remote(str(inp), found, remote_seen, [str(e) for e in exclude if is_url(e)])
            continue
        p = local_path(inp)
        try:
            st = os.stat(p)
        except OSError as e:
            found.refused.append((p, "no such file or folder" if isinstance(e, FileNotFoundError) else f"cannot read it ({e.strerror or e})"))
            continue
        if stat.S_ISDIR(st.st_mode):
            walk.folder(p, seen)
        elif not stat.S_ISREG(st.st_mode):
            from vanban.extract.base import not_regular

            found.refused.append((p, not_regular(st.st_mode)))
        elif p.resolve() not in seen:
            seen.add(p.resolve())
            found.files.append(p)
    return found


def _discover_remote(url: str, found: Found, seen: set[str], exclude: list[str]) -> None:
    """The supported objects under a URL (a folder, recursively, or one object), by `discover`'s rules."""
    from vanban.extract import SUPPORTED_SUFFIXES
    from vanban.storage import StorageError, filesystem, reason

    try:
        fs, root = filesystem(url)
        info = fs.info(root)
        listing = {root: info} if info.get("type") != "directory" else fs.find(root, detail=True)
    except StorageError as e:
        found.refused.append((url, str(e).removeprefix(f"{url}: ")))
        return
    except Exception as e:  # noqa: BLE001 - credentials, network, a missing bucket: one line, the run goes on
        found.refused.append((url, "no such file or folder" if isinstance(e, FileNotFoundError) else f"cannot read it ({reason(e)})"))
        return
    outs = []
    for e in exclude:
        try:
            ofs, oroot = filesystem(e)
            if ofs.protocol == fs.protocol:
                outs.append(oroot + "/")
        except StorageError:
            pass
    if info.get("type") != "directory":  # named explicitly: processed whatever its kind, as a local file
        name = fs.unstrip_protocol(root)
        if name not in seen:
            seen.add(name)
            found.files.append(name)
        return
    noted: set[str] = set()
    for key in sorted(listing):
        name = fs.unstrip_protocol(key)
        rel = key[len(root):].lstrip("/")
        parts = rel.split("/")
        hidden = next((i for i, part in enumerate(parts) if part.startswith((".", "~$"))), None)
        out_hit = next((o for o in outs if (key + "/").startswith(o)), None)
        if out_hit is not None:
            top = fs.unstrip_protocol(out_hit.rstrip("/"))
            if top not in noted:
                noted.add(top)
                found.skipped.append((top, "the output folder of this run"))
        elif hidden is not None:
            top = fs.unstrip_protocol("/".join([root, *parts[: hidden + 1]]))
            if top not in noted:
                noted.add(top)
                found.skipped.append((top, "hidden or temporary " + ("folder" if hidden < len(parts) - 1 else "file")))
        elif PurePosixPath(key).suffix.lower() not in SUPPORTED_SUFFIXES:
            found.skipped.append((name, f"not a supported document type ({PurePosixPath(key).suffix or 'no suffix'})"))
        elif name not in seen:
            seen.add(name)
            found.files.append(name)


def _ident(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class _Walk:
    """A folder's documents in path order, without following links unless asked, each folder once."""

    def __init__(self, found: Found, follow_links: bool, exclude: set[tuple[int, int]]):
        from vanban.extract import SUPPORTED_SUFFIXES

        self.found, self.follow, self.exclude, self.suffixes = found, follow_links, exclude, SUPPORTED_SUFFIXES

    def folder(self, top: Path, seen: set[Path]) -> None:
        files: list[Path] = []
        stack = [top]
        visited: set[tuple[int, int] | None] = {_ident(top)}
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as e:
                self.found.skipped.append((folder, f"cannot list the folder ({e.strerror or e})"))
                continue
            for entry in entries:
                self._entry(Path(entry.path), entry, stack, visited, files)
        for f in sorted(files):
            key = f.resolve()  # a file reached twice (two inputs, or a link when following) is one input
            if key not in seen:
                seen.add(key)
                self.found.files.append(f)

    def _entry(self, path: Path, entry: os.DirEntry, stack: list[Path], visited: set, files: list[Path]) -> None:
        skip = self.found.skipped.append
        if entry.name.startswith((".", "~$")):
            skip((path, "hidden or temporary " + ("folder" if entry.is_dir(follow_symlinks=False) else "file")))
            return
        link = entry.is_symlink()
        if link and not self.follow:
            skip((path, "a symbolic link, not followed (--follow-links reads what links point to)"))
            return
        try:
            st = entry.stat(follow_symlinks=True) if link else entry.stat(follow_symlinks=False)
        except OSError as e:
            skip((path, f"cannot read it ({e.strerror or e})" if not link else "a broken symbolic link"))
            return
        if stat.S_ISDIR(st.st_mode):
            ident = (st.st_dev, st.st_ino)
            if ident in self.exclude:
                skip((path, "the output folder of this run"))
            elif ident not in visited:  # a link back up the tree is entered once
                visited.add(ident)
                stack.append(path)
        elif not stat.S_ISREG(st.st_mode):
            from vanban.extract.base import not_regular

            skip((path, not_regular(st.st_mode)))
        elif path.suffix.lower() not in self.suffixes:
            skip((path, f"not a supported document type ({path.suffix or 'no suffix'})"))
        else:
            files.append(path)
