"""The pipeline: extract -> normalize -> rules, for one file, and the discovery of files in folders.

`process_file` never raises for a bad input: a file that cannot be read becomes
a `Result` with `error` set (the reason in plain words), so a batch goes on.
The batch runner (parallel, incremental, resumable) is `vanban.batch`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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

    @property
    def ok(self) -> bool:
        return self.error is None


def process_file(path: str | os.PathLike[str], *, rules_config=None) -> Result:
    """Read, normalize and check one file (the per-document rules; corpus rules run in `vanban.batch`)."""
    from vanban.extract import ReadError, read
    from vanban.normalize.document import normalize
    from vanban.rules.engine import check

    p = Path(path)
    try:
        src = read(p)
    except ReadError as e:
        return _failed(p, str(e), "read")
    except MemoryError:
        return _failed(p, "out of memory while reading the file", "memory")
    except Exception as e:  # a reader bug must not stop the batch
        return _failed(p, f"could not read the file ({type(e).__name__}: {e})", "read", tb=True)
    try:
        dec = normalize(src)
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


def _failed(p: Path, reason: str, kind: str, tb: bool = False) -> Result:
    from vanban.extract.base import doc_id_for, sha256_of

    if tb and os.environ.get("VANBAN_DEBUG"):
        traceback.print_exc(file=sys.stderr)
    try:
        sha = sha256_of(p)
    except OSError:
        sha = None
    return Result(str(p), error=reason, doc_id=doc_id_for(p, sha or "0" * 64), sha256=sha, error_kind=kind)


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
                rel = f.relative_to(p).parts
                if any(part.startswith((".", "~$")) for part in rel):
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
    """One `Result` per file, in order, in this process (no cache, no pool)."""
    for f in files:
        yield process_file(f, rules_config=rules_config)
