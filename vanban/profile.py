"""Where a run's time goes: each document's time by stage, and `vanban run --profile`'s summary.

`process_file` times its stages (`read`, `normalize`, `rules`) and the readers
time the costly parts of reading inside `read` with `stage(...)`: `convert`
(LibreOffice), `tables` (ruled PDF tables), `ocr` (Tesseract). Each document's
times, in milliseconds, travel with its summary to the parent (`stats.timings`);
its total is `elapsed_ms` in documents.csv. `Profile` adds them up by format
for the summary an operator reads after a run:

    format  docs  total s  ms/doc   read  (convert  tables    ocr)  normalize  rules
    doc      156     21.0     135   15.1     11.9       -       -       4.8    1.1
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any

#: the stages of a document, in the order the summary shows them (the parts of `read` indented)
STAGES = ("read", "convert", "tables", "ocr", "normalize", "rules")
_current: dict[str, float] | None = None


def start() -> dict[str, float]:
    """Begin timing a document in this process: its stages' seconds are added into the dict returned."""
    global _current
    _current = {}
    return _current


@contextmanager
def stage(name: str):
    """Add the time of the block to stage `name` of the document being timed (nothing when none is)."""
    timings = _current
    t0 = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0


def as_ms(timings: dict[str, float]) -> dict[str, int]:
    return {k: round(v * 1000) for k, v in timings.items()}


class Profile:
    """The times of the documents processed in a run, by format."""

    def __init__(self) -> None:
        self.by_format: dict[str, dict[str, Any]] = {}

    def add(self, summary: dict[str, Any]) -> None:
        stats = summary.get("stats") or {}
        fmt = stats.get("format") or ("error" if summary.get("error") else "?")
        row = self.by_format.setdefault(fmt, {"docs": 0, "elapsed": 0, **dict.fromkeys(STAGES, 0)})
        row["docs"] += 1
        row["elapsed"] += int(stats.get("elapsed_ms") or 0)
        for name, ms in (stats.get("timings") or {}).items():
            if name in row:
                row[name] += int(ms)

    def lines(self) -> list[str]:
        """The summary table (seconds per stage and format, the total's mean per document)."""
        head = f"{'format':<8}{'docs':>6}{'total s':>9}{'ms/doc':>8}{'read':>8}{'(convert':>10}{'tables':>8}{'ocr)':>8}" \
               f"{'normalize':>10}{'rules':>7}"
        out = [head]
        rows = sorted(self.by_format.items(), key=lambda kv: -kv[1]["elapsed"])
        total = {"docs": 0, "elapsed": 0, **dict.fromkeys(STAGES, 0)}
        for fmt, row in rows:
            out.append(self._line(fmt, row))
            for k in total:
                total[k] += row[k]
        if len(rows) > 1:
            out.append(self._line("all", total))
        return out

    @staticmethod
    def _line(fmt: str, row: dict[str, Any]) -> str:
        def sec(ms: int, width: int) -> str:
            return f"{ms / 1000:>{width}.1f}" if ms else f"{'-':>{width}}"

        per_doc = row["elapsed"] / row["docs"] if row["docs"] else 0
        return (f"{fmt:<8}{row['docs']:>6}{row['elapsed'] / 1000:>9.1f}{per_doc:>8.0f}{sec(row['read'], 8)}"
                f"{sec(row['convert'], 10)}{sec(row['tables'], 8)}{sec(row['ocr'], 8)}{sec(row['normalize'], 10)}"
                f"{sec(row['rules'], 7)}")
