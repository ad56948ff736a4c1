"""Validation in a child process, started when a run starts (issue 7: the run pays little for it).

This module is light on purpose: it imports neither pandas nor Great Expectations, so the
fork happens within milliseconds of the command starting; the child imports them (2-3 s)
while the run processes its documents, then validates the tables once they are written.
The parent gets back the summary lines and the verdict, never the libraries.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ValidationVerdict:
    """What the parent needs of a validation: the verdict and the lines to print."""

    success: bool
    expectations: int
    lines: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        return self.lines


def _verdict(report: Any) -> dict[str, Any]:
    return {"success": report.success, "expectations": report.expectations, "lines": report.summary_lines(),
            "failures": [f.__dict__ for f in report.failures]}


_WARM = ("warm",)  # the message that has a waiting child import its libraries (never a folder's name: a str)


def _child_main(conn, data_docs: bool, wait: bool) -> None:  # pragma: no cover - runs in the child process
    try:
        out = conn.recv() if wait else _WARM  # a large run: the libraries only near its end
        if out is None:
            return
        import great_expectations  # noqa: F401  (the slow part, 2-3 s, done while the run works)

        from vanban.outputs.validate import validate_run

        if out == _WARM:
            out = conn.recv()
        if out is None:
            return
        conn.send(_verdict(validate_run(Path(out), data_docs=data_docs)))
    except BaseException as e:  # report, never hang the parent
        import traceback

        conn.send({"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()})
    finally:
        conn.close()


class BackgroundValidator:
    """Validation whose Great Expectations import happens in a child process while the run works.

    Start it when the run starts; `begin(out)` once the tables are written; `result()` after. With
    `wait=True` the child imports nothing until `warm()` (or `begin`): a large run calls `warm()` when its
    work left is a few seconds (`vanban.pool.run_pool`'s `near_end`), so that the libraries' memory does not
    sit beside the workers' for the whole run and their import still overlaps the run's last documents.
    """

    def __init__(self, data_docs: bool = True, *, wait: bool = False) -> None:
        import multiprocessing

        self._data_docs = data_docs
        self._out: Path | None = None
        self.warmed_at: float | None = None if wait else 0.0  # time.monotonic() of warm(): when the import began
        try:
            mp = multiprocessing.get_context("fork")
            self._conn, child = mp.Pipe()
            self._proc = mp.Process(target=_child_main, args=(child, data_docs, wait), daemon=True,
                                    name="vanban-validate")
            self._proc.start()
            child.close()
        except (OSError, ValueError):
            self._proc = None

    def warm(self) -> None:
        """Have a waiting child import its libraries now (once; nothing for one that never waited)."""
        if self.warmed_at is not None:
            return
        import time

        self.warmed_at = time.monotonic()
        if self._proc is not None:
            try:
                self._conn.send(_WARM)
            except OSError:
                pass

    def begin(self, out: Path) -> None:
        """Start validating the tables in `out` (in the child); the caller may work meanwhile."""
        self._out = out
        if self._proc is not None:
            try:
                self._conn.send(str(out))
            except OSError:
                self._proc = None

    def result(self) -> ValidationVerdict:
        """The verdict of the validation `begin` started."""
        if self._proc is None:  # no child could be made: validate here
            from vanban.outputs.validate import validate_run

            data = _verdict(validate_run(self._out, data_docs=self._data_docs))
        else:
            try:
                data = self._conn.recv()
            except EOFError:
                data = {"error": "the validation process ended without a report"}
            finally:
                self._proc.join(timeout=30)
        if "error" in data:
            if os.environ.get("VANBAN_DEBUG"):
                sys.stderr.write(data.get("traceback", ""))
            raise RuntimeError(data["error"])
        return ValidationVerdict(data["success"], data["expectations"], data["lines"], data["failures"])

    def validate(self, out: Path) -> ValidationVerdict:
        self.begin(out)
        return self.result()
