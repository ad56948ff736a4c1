"""The pipeline: extract -> normalize -> rules, for one file, and a run over many.

`process_file` never raises for a bad input: a file that cannot be read becomes
a `Result` with `error` set (the reason in plain words), so a batch goes on.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vanban import __version__
from vanban.model import Decision, Finding

PIPELINE_VERSION = __version__


@dataclass
class Result:
    """What one input file gave: its decision and findings, or the error."""

    path: str
    decision: Decision | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    doc_id: str | None = None
    sha256: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def process_file(path: str | os.PathLike[str], *, rules_config=None) -> Result:
    """Read, normalize and check one file."""
    from vanban.extract import ReadError, read
    from vanban.extract.base import doc_id_for, sha256_of
    from vanban.normalize.document import normalize
    from vanban.rules.engine import check

    p = Path(path)
    try:
        src = read(p)
    except ReadError as e:
        return _failed(p, str(e))
    except MemoryError:
        return _failed(p, "out of memory while reading the file")
    except Exception as e:  # a reader bug must not stop the batch
        return _failed(p, f"could not read the file ({type(e).__name__}: {e})", tb=True)
    try:
        dec = normalize(src)
        findings = check(dec, config=rules_config)
    except Exception as e:
        return Result(str(p), error=f"internal error while processing ({type(e).__name__}: {e})", doc_id=src.doc_id, sha256=src.sha256)
    return Result(str(p), dec, findings, doc_id=dec.doc_id, sha256=dec.sha256)


def _failed(p: Path, reason: str, tb: bool = False) -> Result:
    from vanban.extract.base import doc_id_for, sha256_of

    if tb and os.environ.get("VANBAN_DEBUG"):
        traceback.print_exc(file=sys.stderr)
    try:
        sha = sha256_of(p)
    except OSError:
        sha = None
    return Result(str(p), error=reason, doc_id=doc_id_for(p, sha or "0" * 64), sha256=sha)


def discover(inputs: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files to process under the inputs (folders recursively), and what was skipped and why.

    A file named explicitly is always processed (an unsupported kind becomes an
    error record); inside folders, files of unsupported kinds are skipped with a note.
    """
    from vanban.extract import SUPPORTED_SUFFIXES

    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            for f in sorted(q for q in p.rglob("*") if q.is_file()):
                if f.name.startswith((".", "~$")):
                    skipped.append((f, "hidden or temporary file"))
                elif f.suffix.lower() not in SUPPORTED_SUFFIXES:
                    skipped.append((f, f"not a supported document type ({f.suffix or 'no suffix'})"))
                elif f.resolve() not in seen:
                    seen.add(f.resolve())
                    files.append(f)
        else:
            if p.resolve() not in seen:
                seen.add(p.resolve())
                files.append(p)
    return files, skipped


def process_all(files: list[Path], *, rules_config=None) -> Iterator[Result]:
    for f in files:
        yield process_file(f, rules_config=rules_config)
