"""The ledger of judged findings holds: a finding a reviewer judged false does not come back (at
the severity it was judged at, or above), and one judged true is still found.

The judged files are in the repository (`tests/data/judged/`, copied from ../shared by
`scripts/ledger.py --copy`); one `vanban run` over all of them, like an operator's, gives the
findings, the run-wide rules included. See `scripts/ledger.py` and the README's table of
precision per rule.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import ledger  # noqa: E402

from vanban.rules.engine import load_rules  # noqa: E402

_RANK = {"info": 0, "warning": 1, "error": 2}


@pytest.fixture(scope="module")
def judged_run(tmp_path_factory):
    return ledger.judged_run(tmp_path_factory.mktemp("ledger"))


def test_the_ledger_is_well_formed():
    rows = ledger.load()
    rules = set(load_rules())
    assert rows, "the ledger is empty"
    for j in rows:
        assert j.rule in rules, f"{j.file}: unknown rule {j.rule}"
        assert j.half == ledger.half_for(j.file), f"{j.file}: half {j.half}, the split says {ledger.half_for(j.file)}"
        assert j.reason.strip(), f"{j.file} {j.rule} line {j.line}: a judgement without its reason"
        allowed = {"false": ("open", "downgraded", "fixed"), "true": ("found",), "defensible": ("found", "lost")}[j.verdict]
        assert j.state in allowed, f"{j.file} {j.rule} line {j.line}: a {j.verdict} finding cannot be {j.state}"


def test_judged_findings_stay_judged(judged_run):
    """A fixed or downgraded false finding does not come back up, one that went away or down is
    recorded in the ledger (so that it stays so from then on), and a true one is still found."""
    by_file, present = judged_run
    corpus_rules = {r.id for r in load_rules().values() if r.corpus}
    problems, checked = [], 0
    for j in ledger.load():
        if j.file not in present:
            continue
        checked += 1
        now = ledger.current_state(j, [f for f in by_file.get(j.file, []) if ledger.matches(j, f)])
        if now == j.state or (now == "lost" and (j.rule in corpus_rules or j.verdict == "defensible")):
            continue  # a run-wide rule's finding depends on documents the repository holds only in part
        came_back = {("fixed", "open"), ("fixed", "downgraded"), ("downgraded", "open")}
        what = (
            "a false finding came back" if (j.state, now) in came_back
            else "a true finding is lost" if now == "lost"
            else f"the ledger says {j.state}, the run {now}: record it (scripts/ledger.py --refresh)"
        )
        problems.append(f"{what}: {j.file}: {j.rule} line {j.line} ({j.reason[:120]})")
    assert checked >= 0.8 * len(ledger.load()), f"only {checked} judged findings are on files in the repository"
    assert not problems, "\n".join(problems)


def test_every_judged_file_is_in_the_repository():
    missing = sorted({j.file for j in ledger.load()} - {ledger.shared_path(str(p)) for p in ledger.JUDGED_COPIES.rglob("*") if p.is_file()})
    assert not missing, f"judged files not copied into tests/data/judged (scripts/ledger.py --copy): {missing[:10]}"


def test_no_rule_under_80_percent_stays_a_warning():
    """A rule at warning or error has at least 80% of its judged findings on the checking half
    of corpus-dev true or defensible (DESIGN.md, "Severity means something"), counting what it
    reports today: the true and defensible findings it still finds, the false ones still open."""
    REGISTRY = load_rules()

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for j in ledger.load():
        if j.half != "check" or _RANK[j.severity] < 1 or j.state in ("fixed", "lost", "downgraded"):
            continue
        counts[j.rule][0] += j.verdict != "false"
        counts[j.rule][1] += 1
    low = [(r, good, n) for r, (good, n) in counts.items() if n >= 5 and good / n < 0.8 and REGISTRY[r].severity != "info"]
    assert not low, f"rules under 80% on the checking half still at warning or error: {low}"


def test_the_precision_table_vanban_rules_prints_is_current():
    """`corpus/rule_precision.tsv` (the precision column of `vanban rules` and the README's table)
    is what the ledger gives: after judging or fixing, `scripts/ledger.py --precision` rewrites it."""
    written = ledger.PRECISION_TABLE.read_text(encoding="utf-8")
    expected = ledger._PRECISION_HEADER + "".join("\t".join(map(str, r)) + "\n" for r in ledger.precision_rows(ledger.load()))
    assert written == expected, "corpus/rule_precision.tsv is stale: run scripts/ledger.py --precision"
