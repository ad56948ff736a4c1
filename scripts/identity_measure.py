"""How right vanban's header fields are on the judged documents of tests/data/identity_judged.tsv.

    .venv/bin/python scripts/identity_measure.py [--corpus ../shared/corpus-dev] [--out OUT] [-v]

Runs the pipeline on each judged file found (or reads OUT/documents.csv of a `vanban run` over the
corpus) and prints, for each half of corpus-dev (scripts/devsplit.py) and each field, how many
documents show it, how many vanban gets right, misses (gives nothing) and gets wrong, and how many
it invents where the page shows nothing. `-v` lists every miss and every wrong value.
"""

from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGED = ROOT / "tests" / "data" / "identity_judged.tsv"
FIELDS = ("type", "number", "date", "issuer", "signer")


def judged(path: Path = JUDGED) -> dict[str, dict[str, list[str]]]:
    """{file: {field: accepted values}}; [""] when the page shows none."""
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t")
        for r in rows:
            out[r["file"]][r["field"]] = (r["expected"] or "").split("|")
    return dict(out)


def key(field: str, value: str | None) -> str:
    """Values compared as a reader compares them: NFC, case, spacing, dashes, tone placement folded."""
    from vanban.normalize.fold import clean_spaces, fold_tone_placement

    text = unicodedata.normalize("NFC", value or "")
    text = fold_tone_placement(clean_spaces(text)).casefold()
    if field == "number":
        return "".join(text.split())
    return " ".join(text.replace("–", "-").split())


def verdict(field: str, got: str | None, accepted: list[str]) -> str:
    """right, missed, wrong (a shown value read differently), invented (nothing shown), empty (rightly nothing)."""
    shown = any(a for a in accepted)
    g = key(field, got)
    if g and g in {key(field, a) for a in accepted}:
        return "right"
    if not g:
        if "" in accepted:
            return "right" if shown else "empty"  # a value the reader may or may not see: nothing is fine
        return "missed"
    return "wrong" if shown else "invented"


def values(decision) -> dict[str, str | None]:
    return {
        "type": decision.type, "number": decision.number, "date": decision.date, "issuer": decision.issuer,
        "signer": decision.signer.name if decision.signer else None,
    }


def measure(results: dict[str, dict[str, str | None]], truth: dict[str, dict[str, list[str]]]):
    table = {f: defaultdict(int) for f in FIELDS}
    details = []
    for file, fields in truth.items():
        if file not in results:
            continue
        for field, accepted in fields.items():
            v = verdict(field, results[file].get(field), accepted)
            table[field][v] += 1
            table[field]["shown"] += any(a for a in accepted)
            if v in ("missed", "wrong", "invented"):
                details.append((file, field, v, results[file].get(field), "|".join(accepted)))
    return table, details


def run_pipeline(corpus: Path, truth) -> dict[str, dict[str, str | None]]:
    from vanban.pipeline import process_file

    out = {}
    for file in truth:
        path = corpus / file
        if path.exists():
            res = process_file(path)
            out[file] = values(res.decision) if res.decision else {}
    return out


def from_run(out_dir: Path, corpus: Path) -> dict[str, dict[str, str | None]]:
    out = {}
    with open(out_dir / "documents.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            try:
                rel = str(Path(r["source"]).resolve().relative_to(corpus.resolve()))
            except ValueError:
                continue
            out[unicodedata.normalize("NFC", rel)] = {k: r.get(k) or None for k in FIELDS}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-dev")
    ap.add_argument("--out", type=Path, help="a `vanban run` output folder to read instead of running the pipeline")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    truth = judged()
    results = from_run(args.out, args.corpus) if args.out else run_pipeline(args.corpus, truth)
    sys.path.insert(0, str(ROOT / "scripts"))
    from devsplit import half_of

    for half in ("check", "tune"):
        part = {f: v for f, v in truth.items() if half_of(f) == half}
        table, details = measure(results, part)
        found = len(set(results) & set(part))
        print(f"{half} half: {found} of {len(part)} judged documents found")
        print(f"{'field':8} {'shown':>5} {'right':>5} {'missed':>6} {'wrong':>5} {'invented':>8}  right/shown")
        for field in FIELDS:
            t = table[field]
            share = t["right"] / t["shown"] if t["shown"] else 1.0
            print(f"{field:8} {t['shown']:5} {t['right']:5} {t['missed']:6} {t['wrong']:5} {t['invented']:8}  {share:.1%}")
        if args.verbose:
            for d in details:
                print("\t".join(str(x) for x in d))
    return 0


if __name__ == "__main__":
    sys.exit(main())
