"""What "every text on the pages is Vietnamese" means for the tests: no English word of the kind a
user interface says, and none of the English strings written in the review code.

The words are chosen not to be Vietnamese syllables written without marks ("to", "do", "an",
"in", "no" are Vietnamese and left out).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ENGLISH_WORDS = frozenset("""
the of and or is are was were be been with this that these those from for into must should would could
cannot can't not such found finding findings run runs error errors required missing page pages document
documents reviewer reviewers review reviewed state states note notes confirm confirmed dismiss dismissed
open stale unknown invalid name please loading saved save submit filter filters all none yes back next
previous help close cancel undo source sources line lines task tasks table rule rules category severity
warning info your you click here show hide export download report empty total count version input output
folder file files date when where what which why how there their has have had will only longer than
characters character request server connection failed failure decision decisions explanation english
""".split())

_WORD = re.compile(r"[^\W\d_]+")


def english_words(text: str) -> list[str]:
    """The English words of a text (whole words, any case)."""
    return sorted({w.lower() for w in _WORD.findall(text) if w.lower() in ENGLISH_WORDS})


def _english(s: str) -> bool:
    """Words a person reads (not an identifier), two or more of them English, no Vietnamese letter."""
    return " " in s and len(english_words(s)) >= 2 and not re.search(r"[À-ỹĐđ]", s)


def emitted_english_strings() -> list[str]:
    """The English strings of the review code, its templates and script, that could reach a page:
    string literals (docstrings aside) and template or script text with two or more English words."""
    found: set[str] = set()
    for path in [*(ROOT / "vanban" / "review").glob("*.py"), ROOT / "outputs" / "report.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for n in ast.walk(tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
                found.add(n.value)
    script = (ROOT / "vanban" / "review" / "static" / "app.js").read_text(encoding="utf-8")
    found.update(m.group(2) for m in re.finditer(r"(['\"])((?:(?!\1).)*)\1", script))
    for t in (ROOT / "vanban" / "review" / "templates").glob("*.html"):
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", t.read_text(encoding="utf-8"), flags=re.S)
        found.update(re.sub(r"<[^>]+>", "\n", text).splitlines())
    sql = re.compile(r"^(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|PRAGMA)\b")
    return sorted(s.strip() for s in found if _english(s.strip()) and not sql.match(s.strip()))
