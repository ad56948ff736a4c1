"""The ledger of judged findings (`tests/data/judged_findings.tsv`) and the precision it measures.

Each row is one finding a person judged against the source document, as a legal reviewer
would: `true` (the document has the problem), `defensible` (a reviewer is right to look,
though it may not need a change), or `false`. A row names the file by its path under the
shared folder (`corpus-dev/lamdong/X.pdf`, `corpus/vbai/Y.docx`, `seed/Z.txt`), the rule, the
first evidence line and a piece of the evidence text that identifies the finding.

    .venv/bin/python scripts/ledger.py OUT                   # precision per rule and half, for a run's OUT folder
    .venv/bin/python scripts/ledger.py OUT --unjudged x.tsv  # the run's errors and warnings nobody judged yet
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEDGER = ROOT / "tests" / "data" / "judged_findings.tsv"
COLUMNS = ("file", "half", "rule", "line", "evidence", "severity", "verdict", "reason", "judged")
VERDICTS = ("true", "defensible", "false")
_RANK = {"info": 0, "warning": 1, "error": 2}

sys.path.insert(0, str(ROOT / "scripts"))
from devsplit import NOT_DOCUMENTS, half_of  # noqa: E402


@dataclass
class Judgement:
    file: str
    half: str
    rule: str
    line: int | None
    evidence: str
    severity: str
    verdict: str
    reason: str
    judged: str


def squash(text: str) -> str:
    """Whitespace folded and NFC, for comparing evidence texts."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def load(path: Path = LEDGER) -> list[Judgement]:
    """The ledger's rows; a malformed row is an error naming its line."""
    out: list[Judgement] = []
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(rows.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: the header must be {' '.join(COLUMNS)}")
        for n, r in enumerate(rows, 2):
            if r["verdict"] not in VERDICTS or r["severity"] not in _RANK:
                raise ValueError(f"{path}: row {n}: verdict {r['verdict']!r} or severity {r['severity']!r} is not one of the allowed")
            out.append(Judgement(r["file"], r["half"], r["rule"], int(r["line"]) if r["line"] else None, squash(r["evidence"]),
                                 r["severity"], r["verdict"], r["reason"], r["judged"]))
    return out


def shared_path(source: str) -> str:
    """'../shared/corpus-dev/lamdong/X.pdf' -> 'corpus-dev/lamdong/X.pdf'; a copy in the repository
    ('tests/data/judged/corpus-dev/...', 'corpus/samples/Y') maps to the path it was copied from."""
    s = unicodedata.normalize("NFC", source.replace("\\", "/"))
    for marker in ("/shared/", "/judged/"):
        if marker in s:
            s = s.split(marker, 1)[1]
            break
    return s[:-3] if s.endswith(".xz") else s


def half_for(file: str) -> str:
    """The half of corpus-dev a ledger file is in; 'corpus' or 'seed' for the other folders."""
    if file.startswith("corpus-dev/"):
        return half_of(file[len("corpus-dev/") :])
    return file.split("/", 1)[0]


def matches(j: Judgement, finding: dict) -> bool:
    """Whether a finding of a run is the one a ledger row judged: same rule, and evidence
    holding the judged text (or on the judged line when the row keeps no text)."""
    if finding["rule"] != j.rule:
        return False
    for e in finding.get("evidence", []):
        text = squash(e.get("text", ""))
        if j.evidence and (j.evidence in text or (len(text) >= 12 and text in j.evidence)):
            return True
        if not j.evidence and j.line is not None and e.get("line") == j.line:
            return True
    return False


def run_findings(out: Path) -> dict[str, list[dict]]:
    """A run's findings by ledger file name (each with the source path and the document JSON of the run)."""
    sources = {}
    with (out / "documents.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            sources[r["doc_id"]] = (shared_path(r["source"]), r["source"])
    by_file: dict[str, list[dict]] = defaultdict(list)
    with (out / "findings.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            name, source = sources.get(d["doc_id"], (d["doc_id"], ""))
            d["_source"] = str(Path(source).resolve()) if source else ""
            d["_doc_json"] = str((out / "docs" / f"{d['doc_id']}.json").resolve())
            by_file[name].append(d)
    for name, _ in sources.values():
        by_file.setdefault(name, [])
    return by_file


def evidence_key(finding: dict) -> str:
    """The piece of a finding's evidence a ledger row keeps to recognise it: its first text, shortened."""
    ev = finding.get("evidence") or [{}]
    return squash(ev[0].get("text", ""))[:100]


def report(out: Path, ledger: list[Judgement], unjudged_path: Path | None = None, info_sample: int = 0) -> str:
    """Precision of errors and warnings per rule and half, the findings per document, and what is unjudged."""
    by_file = run_findings(out)
    by_key: dict[tuple[str, str], list[Judgement]] = defaultdict(list)
    for j in ledger:
        by_key[(j.file, j.rule)].append(j)
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    docs: Counter = Counter()
    unjudged: list[dict] = []
    infos: list[dict] = []
    for file, found in by_file.items():
        if file.split("/", 1)[-1] in NOT_DOCUMENTS:
            continue
        half = half_for(file)
        docs[half] += 1
        for f in found:
            js = [j for j in by_key.get((file, f["rule"]), []) if matches(j, f)]
            if _RANK[f["severity"]] < 1:
                if not js:
                    infos.append({"file": file, "half": half, **f})
                continue
            c = counts[(half, f["rule"])]
            c["shown"] += 1
            if not js:
                c["unjudged"] += 1
                unjudged.append({"file": file, "half": half, **f})
                continue
            c[js[0].verdict] += 1
    lines = ["half\trule\terrors+warnings\tjudged\ttrue\tdefensible\tfalse\tprecision"]
    totals: dict[str, Counter] = defaultdict(Counter)
    for (half, rule), c in sorted(counts.items()):
        judged = c["true"] + c["defensible"] + c["false"]
        prec = f"{(c['true'] + c['defensible']) / judged:.0%}" if judged else "-"
        lines.append(f"{half}\t{rule}\t{c['shown']}\t{judged}\t{c['true']}\t{c['defensible']}\t{c['false']}\t{prec}")
        totals[half].update(c)
    lines.append("")
    for half, c in sorted(totals.items()):
        judged = c["true"] + c["defensible"] + c["false"]
        prec = f"{(c['true'] + c['defensible']) / judged:.1%}" if judged else "-"
        per_doc = c["shown"] / docs[half] if docs[half] else 0
        lines.append(f"{half}: {docs[half]} documents, {c['shown']} errors and warnings ({per_doc:.2f} per document), "
                     f"{judged} judged, precision {prec}, {c['unjudged']} unjudged")
    if unjudged_path:
        import random

        sample = random.Random(20261201).sample(infos, min(info_sample, len(infos)))
        write_to_judge(unjudged_path, unjudged + sample)
    return "\n".join(lines)


def write_to_judge(path: Path, findings: list[dict]) -> None:
    """Findings as a TSV for judges: the ledger's first columns, then where to look."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        w.writerow(("file", "half", "rule", "line", "evidence", "severity", "source", "doc_json", "message", "all_evidence"))
        for u in findings:
            ev = " | ".join(f"{e.get('line')}: {squash(e.get('text', ''))[:150]}" for e in u["evidence"][:12])
            line = u["evidence"][0].get("line") if u["evidence"] else ""
            w.writerow((u["file"], u["half"], u["rule"], line if line is not None else "", evidence_key(u), u["severity"],
                        u["_source"], u["_doc_json"], squash(u["message"]).replace("\t", " "), ev.replace("\t", " ")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="the OUT folder of a `vanban run` over ../shared/corpus-dev (and ../shared/corpus)")
    ap.add_argument("--ledger", type=Path, default=LEDGER)
    ap.add_argument("--unjudged", type=Path, help="write the errors and warnings nobody judged yet to this TSV")
    ap.add_argument("--info-sample", type=int, default=0, help="add this many unjudged info findings (a fixed random sample)")
    args = ap.parse_args(argv)
    print(report(args.out, load(args.ledger), args.unjudged, args.info_sample))
    return 0


if __name__ == "__main__":
    sys.exit(main())
