"""Module and function size (issue 15): no module over 600 lines, no function over 60.

Every Python file of the package and its tools is walked with `ast` (tests aside).
A function's length runs from its `def` line to its last line, docstring and nested
functions included; a module's is its number of lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("vanban", "extract", "normalize", "rules", "outputs", "scripts", "bench", "fuzz")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60

#: Functions allowed over the limit, with their length; they may shrink, never grow. Empty: the
#: issue-15 branches brought every function under 60 lines, and nothing may exceed again.
KNOWN_LONG: dict[tuple[str, str], int] = {}


def _sources() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def _functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, length in lines) of every function and method, nested ones too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node.end_lineno - node.lineno + 1
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _measure() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    modules, functions = {}, {}
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        modules[rel] = len(text.splitlines())
        for name, length in _functions(ast.parse(text, filename=rel)):
            functions[(rel, name)] = length
    return modules, functions


def test_the_walk_sees_the_package():
    modules, functions = _measure()
    assert {"vanban/cli.py", "extract/pdf.py", "normalize/structure.py", "rules/common.py", "outputs/report.py",
            "scripts/same_outputs.py", "bench/bench_batch.py", "fuzz/_harness.py"} <= modules.keys()
    assert ("extract/base.py", "build_source") in functions
    assert ("extract/docx_styles.py", "_Numbering.prefix") in functions  # methods count, under their class


def test_no_module_over_600_lines():
    modules, _ = _measure()
    over = {rel: n for rel, n in modules.items() if n > MAX_MODULE_LINES}
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them along a real seam): {over}"


def test_no_function_over_60_lines():
    _, functions = _measure()
    over = {f"{rel}: {name}": n for (rel, name), n in functions.items()
            if n > MAX_FUNCTION_LINES and n > KNOWN_LONG.get((rel, name), 0)}
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines (or longer than their known length): {over}"


@pytest.mark.parametrize("source, expected", [
    ("def f():\n" + "    x = 1\n" * 60, [("f", 61)]),
    ("class C:\n    def m(self):\n        pass\n\n    def n(self):\n" + "        y = 2\n" * 3, [("C.m", 2), ("C.n", 4)]),
    ("def outer():\n    def inner():\n        return 1\n    return inner\n", [("outer", 4), ("outer.inner", 2)]),
])
def test_function_lengths_are_measured_from_def_to_last_line(source, expected):
    assert list(_functions(ast.parse(source))) == expected
