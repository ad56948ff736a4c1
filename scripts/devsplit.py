"""The fixed split of the development corpus into a tuning half and a checking half.

A file is in the tuning half when the first byte of the SHA-256 of its NFC path
"<folder>/<name without suffix>" (relative to the corpus root) is even, else in the
checking half. Splitting by the name without its suffix keeps a legacy `.doc` and
its `.txt` transcript, or a Word file and its signed PDF, in the same half.

    .venv/bin/python scripts/devsplit.py ../shared/corpus-dev/lamdong/X.pdf   # prints "tune" or "check"
    .venv/bin/python scripts/devsplit.py --list ../shared/corpus-dev            # every file with its half
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import unicodedata
from pathlib import Path

#: files of the corpus folder that are not documents
NOT_DOCUMENTS = frozenset({"README.md", "SOURCES.tsv"})


def corpus_root(path: Path) -> Path | None:
    """The `corpus-dev` folder a path lies in, or None."""
    for parent in [path] + list(path.parents):
        if parent.name == "corpus-dev":
            return parent
    return None


def split_key(rel: str) -> str:
    """'lamdong/X.signed.pdf' -> 'lamdong/X.signed' (NFC, forward slashes)."""
    rel = unicodedata.normalize("NFC", rel.replace(os.sep, "/"))
    stem, _ = os.path.splitext(rel)
    return stem


def half_of(rel: str) -> str:
    """'tune' or 'check' for a path relative to the corpus-dev root.

    >>> half_of("lamdong/QC_DangBo_LungCu_2025_2030.docx") in ("tune", "check")
    True
    >>> half_of("legacy/2002-0112qd.doc") == half_of("legacy/2002-0112qd.txt")
    True
    """
    return "tune" if hashlib.sha256(split_key(rel).encode("utf-8")).digest()[0] % 2 == 0 else "check"


def half_of_path(path: str | os.PathLike[str]) -> str | None:
    """The half of a file of corpus-dev given by any path, or None outside corpus-dev."""
    p = Path(os.path.abspath(path))
    root = corpus_root(p.parent)
    if root is None:
        return None
    return half_of(str(p.relative_to(root)))


def documents(root: Path) -> list[Path]:
    """The documents of the corpus folder (its README and SOURCES.tsv left out), sorted."""
    return sorted(p for p in root.rglob("*") if p.is_file() and str(p.relative_to(root)) not in NOT_DOCUMENTS)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--list", action="store_true", help="list every document under the folders with its half")
    args = ap.parse_args(argv)
    for arg in args.paths:
        p = Path(arg)
        if args.list and p.is_dir():
            for f in documents(p):
                print(f"{half_of(str(f.relative_to(p)))}\t{f.relative_to(p)}")
        else:
            print(half_of_path(p) or "outside corpus-dev")
    return 0


if __name__ == "__main__":
    sys.exit(main())
