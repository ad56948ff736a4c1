"""The templates of the review page and the report (`vanban/review/templates/`), rendered by
Jinja2 with autoescaping: every value is escaped unless a template says otherwise, and none
says so for anything that comes from a document. Styles and script are files of the package
(`vanban/review/static/`).
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterator
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vanban.review import labels as L

#: the files /static/ serves, with their types (nothing else is served from the package)
STATIC_TYPES = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("vanban.review", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(vn_date=L.vn_date, vn_datetime=L.vn_datetime, category=L.category_label)
    env.globals.update(
        SEVERITY_LABELS=L.SEVERITY_LABELS, STATE_LABELS=L.STATE_LABELS, PART_LABELS=L.PART_LABELS,
        DEADLINE_KIND_LABELS=L.DEADLINE_KIND_LABELS, SEVERITY_PLURAL=L.SEVERITY_PLURAL,
    )
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def stream(name: str, **context: Any) -> Iterator[str]:
    """The template's output piece by piece (a large report is written without being held in memory)."""
    return environment().get_template(name).generate(**context)


def macro(template: str, name: str):
    """A macro of a template, to render one piece (a document of the report) at a time."""
    return getattr(environment().get_template(template).module, name)


@functools.lru_cache(maxsize=None)
def static(name: str) -> bytes:
    """A file of vanban/review/static/ (only those of STATIC_TYPES)."""
    if name not in STATIC_TYPES:
        raise FileNotFoundError(name)
    return importlib.resources.files("vanban.review").joinpath("static", name).read_bytes()
