"""The real texts the repository holds as plain text: the samples' `.txt` and every `.txt` and
`.txt.xz` under tests/data. Tests that compare a rewritten pattern with the pattern as first written
run both on these."""

from __future__ import annotations

import functools
import lzma
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def real_texts() -> tuple[str, ...]:
    data = ROOT / "tests" / "data"
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "samples").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(data.rglob("*.txt"))]
    texts += [lzma.decompress(p.read_bytes()).decode("utf-8", "replace") for p in sorted(data.rglob("*.txt.xz"))]
    return tuple(texts)
