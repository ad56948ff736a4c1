"""Readers: a file in, a SourceDocument out.

`read(path)` picks the reader by the file's suffix. Each reader module has a
`read(path) -> SourceDocument` and raises `ReadError` with a plain reason when the
file cannot be read as a document.
"""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path

from vanban.extract.base import ReadError, not_regular
from vanban.model import SourceDocument

#: suffix -> reader module under vanban.extract
READERS: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".docx": "docx",
    ".pdf": "pdf",
    ".doc": "office",
    ".rtf": "office",
    ".odt": "office",
    ".html": "html",
    ".htm": "html",
}

SUPPORTED_SUFFIXES = frozenset(READERS)

__all__ = ["READERS", "ReadError", "SUPPORTED_SUFFIXES", "read"]


def read(path: str | Path) -> SourceDocument:
    """Read one file as a SourceDocument.

    Raises `ReadError` naming the reason for a file that is missing, empty, of an
    unsupported kind or broken.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in READERS:
        raise ReadError(f"unsupported file type {suffix or '(none)'!r}")
    try:
        st = os.stat(p)
    except OSError:
        raise ReadError("no such file") from None
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(not_regular(st.st_mode))
    if st.st_size == 0:
        raise ReadError("the file is empty (0 bytes)")
    module = importlib.import_module(f"vanban.extract.{READERS[suffix]}")
    return module.read(p)
