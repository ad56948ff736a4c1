"""The driver the fuzz targets share: atheris (libFuzzer, coverage-guided) when installed, else hypothesis.

Usage of every target (run from the repository's folder, with the project's venv):

    .venv/bin/python fuzz/fuzz_citations.py --minutes 10          # either engine
    .venv/bin/python fuzz/fuzz_citations.py -max_total_time=600   # libFuzzer flags go to atheris
    .venv/bin/python fuzz/fuzz_citations.py --hypothesis --minutes 1

The seed corpus is written to fuzz/corpus/<target>/ (from the seed decision, the
citation cases and the corpus excerpts of the tests) and grows as atheris finds new
paths; a crashing input is saved as fuzz/crashes/<target>-crash-<sha1>. Put each one
into tests/test_fuzz_regressions.py once fixed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"


def seed_inputs() -> list[bytes]:
    """Lines and short passages of real documents: the starting points of the search."""
    seeds: list[bytes] = []
    seed_doc = ROOT / "corpus" / "samples" / "000_2460ae3cff98ef28.txt"
    texts = [seed_doc.read_text(encoding="utf-8")] if seed_doc.exists() else []
    for f in sorted((ROOT / "tests" / "data" / "citations_corpus").glob("*.txt")):
        texts.append(f.read_text(encoding="utf-8"))
    cases = ROOT / "tests" / "citation_cases.tsv"
    if cases.exists():
        texts.append("\n".join(ln.split("\t")[0] for ln in cases.read_text(encoding="utf-8").splitlines()
                               if ln and not ln.startswith("#")))
    for text in texts:
        lines = text.splitlines()
        for i in range(0, len(lines), 8):
            seeds.append("\n".join(lines[i:i + 8]).encode("utf-8"))
    return seeds


def _write_seeds(corpus: Path) -> None:
    import hashlib

    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    for data in seed_inputs():
        (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)


def _minutes(argv: list[str]) -> tuple[float | None, list[str]]:
    rest, minutes = [], None
    it = iter(argv)
    for a in it:
        if a == "--minutes":
            minutes = float(next(it))
        elif a.startswith("--minutes="):
            minutes = float(a.split("=", 1)[1])
        else:
            rest.append(a)
    return minutes, rest


def main(name: str, target, argv: list[str] | None = None) -> None:
    """Fuzz `target(data: bytes)` (it raises on a bug) under atheris, or hypothesis as a fallback."""
    argv = list(sys.argv if argv is None else argv)
    minutes, argv = _minutes(argv)
    use_hypothesis = "--hypothesis" in argv
    argv = [a for a in argv if a != "--hypothesis"]
    try:
        import atheris  # noqa: F401
    except ImportError:
        use_hypothesis = True
    corpus = FUZZ / "corpus" / name
    crashes = FUZZ / "crashes"
    if use_hypothesis:
        _run_hypothesis(name, target, (minutes or 1.0) * 60)
        return
    import atheris

    _write_seeds(corpus)
    crashes.mkdir(parents=True, exist_ok=True)
    if minutes is not None:
        argv.append(f"-max_total_time={int(minutes * 60)}")
    if not any(not a.startswith("-") for a in argv[1:]):
        argv.append(str(corpus))
    if not any(a.startswith("-artifact_prefix=") for a in argv):
        argv.append(f"-artifact_prefix={crashes}/{name}-")
    if not any(a.startswith("-max_len=") for a in argv):
        argv.append("-max_len=4096")
    if not any(a.startswith("-timeout=") for a in argv):
        argv.append("-timeout=20")  # a slow input is a finding too (a denial of service)
    for data in seed_inputs()[:20]:  # warm up: reference data loaded once, outside the time limits
        target(data)
    atheris.Setup(argv, target)
    atheris.Fuzz()


def _run_hypothesis(name: str, target, seconds: float) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seeds = seed_inputs()
    text = st.one_of(
        st.binary(max_size=4096),
        st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.sampled_from(seeds),
        st.tuples(st.sampled_from(seeds), st.text(max_size=40), st.integers(0, 4096)).map(
            lambda t: (t[0][: t[2]].decode("utf-8", "ignore") + t[1] + t[0][t[2]:].decode("utf-8", "ignore")).encode(
                "utf-8", "surrogatepass")),
    )
    for data in seeds[:20]:
        target(data)
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1

        @settings(max_examples=2000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(text)
        def run(data: bytes) -> None:
            target(data)

        run()
        print(f"{name}: hypothesis round {rounds} passed ({time.monotonic() - deadline + seconds:.0f} s)", file=sys.stderr)
