"""Writing output files atomically: a file is either the old one or the whole new one.

Each writer writes to a temporary name in the same folder and renames it over
the target, so a run killed half-way never leaves a half-written table.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


@contextmanager
def atomic_open(path: Path, mode: str = "w", **kwargs: Any) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for row in rows:
            w.writerow([_cell(row.get(c)) for c in columns])
            n += 1
    return n


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_json(path: Path, obj: Any) -> None:
    with atomic_open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def safe_child(folder: Path, name: str) -> Path:
    """folder/name, refusing a name that would land outside the folder."""
    target = (folder / name).resolve()
    if folder.resolve() not in target.parents:
        raise ValueError(f"output name {name!r} escapes {folder}")
    return target
