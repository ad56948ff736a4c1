"""A document's address on the review page: its source path relative to the run's input folder
(the folder all its sources are in), which stays the same when the file's content changes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePosixPath


def input_root(sources: Iterable[str]) -> PurePosixPath | None:
    """The folder all these sources are in (the input folder of a run over one folder)."""
    paths = [PurePosixPath(s.replace("\\", "/")) for s in sources if s]
    try:
        return PurePosixPath(os.path.commonpath([str(p.parent) for p in paths])) if paths else None
    except ValueError:  # absolute and relative paths mixed
        return None


def source_keys(sources: dict[str, str]) -> dict[str, str]:
    """doc_id -> the source path relative to the folder all the run's sources are in (the input folder
    of a run over one folder; the file name for a run over one file), with "/" between folders."""
    paths = {d: PurePosixPath(s.replace("\\", "/")) for d, s in sources.items() if s}
    root = input_root(sources.values())
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for d, p in sorted(paths.items(), key=lambda kv: str(kv[1])):
        k = p.relative_to(root).as_posix() if root is not None and p.is_relative_to(root) else p.name
        k = k.lstrip("/") or d
        if k in taken:  # two sources with one name (paths mixed): the doc_id tells them apart
            k = f"{k}~{d}"
        taken.add(k)
        keys[d] = k
    for d in sources:
        keys.setdefault(d, d)
    return keys
