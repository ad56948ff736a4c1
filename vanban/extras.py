"""The optional parts of vanban and the extra that installs each.

`vanban run` needs none of them; a command that does says which extra to install,
in one line, instead of failing with a traceback:

>>> require("json", "spacy", "the annotation export").__name__
'json'
>>> require("no_such_module_here", "spacy", "the annotation export")
Traceback (most recent call last):
...
vanban.extras.MissingExtra: the annotation export needs no_such_module_here: install vanban[spacy] (pip install 'vanban[spacy]')
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import `module`, or raise `MissingExtra` saying that `what` needs it and which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{what} needs {module}: install vanban[{extra}] (pip install 'vanban[{extra}]')") from None
