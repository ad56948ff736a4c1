"""Writing output files atomically: a file is either the old one or the whole new one.

Each writer writes to a temporary name in the same folder and renames it over
the target, so a run killed half-way never leaves a half-written table.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


TMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: the mode a plain open() would give (mkstemp's 0600 would hide the tables from other users)
FILE_MODE = 0o666 & ~_umask()


@contextmanager
def atomic_path(path: Path, *, durable: bool = True) -> Iterator[Path]:
    """A temporary path next to `path`, renamed over it when the block ends without error.

    For libraries that write by file name (Parquet, XLSX), and for `atomic_open`.
    `durable=False` skips the fsync: the file still survives the process being
    killed (the kernel has it), only not a power cut; readers of such files
    (the batch cache) treat an unreadable file as absent.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
    try:
        yield Path(tmp)
        if durable:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


@contextmanager
def atomic_open(path: Path, mode: str = "w", *, durable: bool = True, **kwargs: Any) -> Iterator[Any]:
    """A file object for `path` that replaces it only when the block ends without error."""
    with atomic_path(path, durable=durable) as tmp:
        with open(tmp, mode, **kwargs) as f:
            yield f


def temporary_target(name: str) -> str | None:
    """The file a temporary of `atomic_path` was for (".documents.csv.x1y2z3.tmp" -> "documents.csv")."""
    if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
        return None
    target, _, rand = name[1 : -len(TMP_SUFFIX)].rpartition(".")
    return target if target and rand else None


def remove_stale_temporaries(folder: Path, owned: Callable[[str], bool] | None = None) -> int:
    """Delete the temporary files a killed run left in `folder` (not recursive); how many.

    With `owned`, only the temporaries of files it accepts (by name) are deleted:
    in a folder vanban shares with its user, a ".notes.tmp" is not vanban's.
    """
    n = 0
    try:
        names = [e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    except OSError:
        return 0
    for name in names:
        target = temporary_target(name)
        if target is None or (owned is not None and not owned(target)):
            continue
        try:
            os.unlink(folder / name)
            n += 1
        except OSError:
            pass
    return n


def read_nofollow(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refusing a symbolic link (`OSError`) and never blocking on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, f"not a regular file: {path}")
        return f.read() if limit is None else f.read(limit)


def write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_open(path, "wb", durable=durable) as f:
        f.write(data)


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def write_json(path: Path, obj: Any, *, durable: bool = True, indent: int | None = 1) -> None:
    # json.dumps, not json.dump: only the one-shot call uses the C encoder (about 5x faster)
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    with atomic_open(path, "w", encoding="utf-8", durable=durable) as f:
        f.write(text)
        f.write("\n")


def safe_child(folder: Path, name: str) -> Path:
    """folder/name, refusing a name that would land outside the folder."""
    target = (folder / name).resolve()
    if folder.resolve() not in target.parents:
        raise ValueError(f"output name {name!r} escapes {folder}")
    return target
