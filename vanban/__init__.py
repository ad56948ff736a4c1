"""vanban: Vietnamese government decisions, plans and task tables as structured data.

`vanban.process(path)` processes one document (see `vanban.api`); the command
line is `vanban run|check|cite|rules`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["VanbanError", "__version__", "process"]


def process(path, *, rules_config=None):
    """Process one document: `.decision`, `.tasks` (DataFrame), `.citations`, `.findings`."""
    from vanban.api import process as _process

    return _process(path, rules_config=rules_config)


def __getattr__(name: str):
    if name == "VanbanError":
        from vanban.api import VanbanError

        return VanbanError
    raise AttributeError(name)
