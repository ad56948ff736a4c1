"""Measuring the prose task reader against hand-judged assignments (tests/data/prose/expected.tsv).

Each row of the TSV is one assignment a careful reader finds in a document: the line it starts
on, its lead, partners and deadline (kind, start, end, recurrence; "?" where the text leaves the
deadline open to reading, not scored). `origin` says where the document comes from: `check` and
`tune` for the two halves of ../shared/corpus-dev (the split of HELPERS.md), `corpus` for
../shared/corpus and the repository's samples, `written` for the documents written here from
the patterns of real ones. A document listed in `documents.tsv` with no row assigns nothing:
every task read from it is a false one.

    .venv/bin/python tests/prose_eval.py      # prints the figures the README reports
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "prose"
DEADLINE = ("deadline_kind", "deadline_start", "deadline_end", "recurrence")


def _key(text: str) -> str:
    from vanban.normalize.fold import match_key

    return re.sub(r"[\s.;:,]+$", "", match_key(text or ""))


def load() -> tuple[dict[str, str], list[dict[str, str]]]:
    """(document -> origin, expected rows)."""
    def rows(name: str) -> list[dict[str, str]]:
        text = (DATA / name).read_text(encoding="utf-8")
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))

    docs = {r["file"]: r["origin"] for r in rows("documents.tsv")}
    return docs, rows("expected.tsv")


@dataclass
class Score:
    expected: int = 0
    found: int = 0  # expected assignments read as a task (same line, same lead)
    extracted: int = 0
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # field -> matched rows right
    scored: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # field -> matched rows scored
    exact: int = 0  # found with lead, partners and deadline all right
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.extracted if self.extracted else 1.0

    def add(self, other: "Score") -> None:
        self.expected += other.expected
        self.found += other.found
        self.extracted += other.extracted
        self.exact += other.exact
        for k, v in other.right.items():
            self.right[k] += v
        for k, v in other.scored.items():
            self.scored[k] += v
        self.misses += other.misses
        self.false += other.false


def _deadline(t) -> tuple[str, str, str, str]:
    return (t.deadline_kind, t.deadline_start or "", t.deadline_end or "", t.recurrence)


def score_document(path: Path, want: list[dict[str, str]]) -> Score:
    from vanban.pipeline import process_file

    res = process_file(path)
    if res.error:
        raise RuntimeError(f"{path}: {res.error}")
    got = [t for t in res.decision.tasks if t.source_kind == "prose"]
    s = Score(expected=len(want), extracted=len(got))
    unmatched = list(got)
    for w in want:
        line, lead = int(w["line"]), _key(w["lead"])
        match = next((t for t in unmatched if t.loc.line == line and _key(t.lead) == lead), None)
        match = match or next((t for t in unmatched if t.loc.line == line), None)
        if match is None:
            s.misses.append(f"{path.name}:{line} {w['lead']}")
            continue
        unmatched.remove(match)
        s.found += 1
        ok = {"lead": _key(match.lead) == lead}
        if w["partners"] != "?":
            ok["partners"] = _key(match.partners) == _key(w["partners"])
        if w["deadline_kind"] != "?":
            ok["deadline"] = _deadline(match) == tuple(w[k] for k in DEADLINE)
        for k, v in ok.items():
            s.scored[k] += 1
            s.right[k] += v
        s.exact += all(ok.values())
        if not all(ok.values()):
            s.misses.append(f"{path.name}:{line} fields wrong: {[k for k, v in ok.items() if not v]} "
                            f"(got lead={match.lead!r} partners={match.partners!r} deadline={_deadline(match)})")
    s.false = [f"{path.name}:{t.loc.line} {t.lead}: {t.task[:60]}" for t in unmatched]
    return s


def evaluate() -> dict[str, Score]:
    """Scores by origin, and "all"."""
    docs, rows = load()
    by_doc: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_doc[r["file"]].append(r)
    unknown = set(by_doc) - set(docs)
    if unknown:
        raise ValueError(f"expected rows for documents not listed in documents.tsv: {sorted(unknown)}")
    scores: dict[str, Score] = defaultdict(Score)
    for name, origin in docs.items():
        s = score_document(ROOT / name, by_doc.get(name, []))
        scores[origin].add(s)
        scores["all"].add(s)
    return dict(scores)


def report(scores: dict[str, Score]) -> str:
    out = ["origin     assignments  found  read  recall  precision  lead  partners  deadline  all fields right"]
    for origin in ("check", "tune", "corpus", "written", "all"):
        s = scores.get(origin)
        if s is None:
            continue
        pct = {k: f"{100 * s.right[k] / s.scored[k]:.0f}%" if s.scored[k] else "-" for k in ("lead", "partners", "deadline")}
        out.append(f"{origin:<10} {s.expected:>11}  {s.found:>5}  {s.extracted:>4}  {100 * s.recall:>5.0f}%  {100 * s.precision:>8.0f}%"
                   f"  {pct['lead']:>4}  {pct['partners']:>8}  {pct['deadline']:>8}  {100 * s.exact / max(1, s.expected):>15.0f}%")
    return "\n".join(out)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    result = evaluate()
    print(report(result))
    if "-v" in sys.argv:
        for line in result["all"].misses + ["FALSE " + f for f in result["all"].false]:
            print(line)
