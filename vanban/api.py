"""The Python API for programs that embed vanban instead of calling the CLI.

>>> import vanban
>>> r = vanban.process("corpus/samples/000_2460ae3cff98ef28.txt")
>>> r.decision.number
'3248/QĐ-UBND'
>>> r.tasks[["section", "task_no", "lead", "deadline_end"]].iloc[0].tolist()
['I', '1', 'Sở Tư pháp', '2021-12-31']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from vanban.model import Citation, Decision, Finding

if TYPE_CHECKING:
    import pandas as pd


class VanbanError(Exception):
    """A document that could not be processed; `path` and `reason` say which and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class Result:
    """One document processed: the Decision, its tasks as a DataFrame, its citations and findings."""

    decision: Decision
    findings: list[Finding]

    @property
    def citations(self) -> list[Citation]:
        return self.decision.citations

    @cached_property
    def tasks(self) -> "pd.DataFrame":
        """The task table with the columns of OUT/tasks.csv (dates as ISO strings)."""
        import pandas as pd

        from vanban.outputs.tables import TASK_COLUMNS, task_rows

        return pd.DataFrame(task_rows(self.decision), columns=TASK_COLUMNS)

    @cached_property
    def targets(self) -> "pd.DataFrame":
        import pandas as pd

        from vanban.outputs.tables import TARGET_COLUMNS, target_rows

        return pd.DataFrame(target_rows(self.decision), columns=TARGET_COLUMNS)


def process(path: str | os.PathLike[str], *, rules_config=None) -> Result:
    """Read, normalize and check one document; raises VanbanError when it cannot be read."""
    from vanban.pipeline import process_file

    res = process_file(path, rules_config=rules_config)
    if res.decision is None:
        raise VanbanError(str(path), res.error or "unknown error")
    return Result(res.decision, res.findings)
