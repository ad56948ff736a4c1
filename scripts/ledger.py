"""The ledger of judged findings (`tests/data/judged_findings.tsv`) and the precision it measures.

Each row is one finding a person judged against the source document, as a legal reviewer
would: `true` (the document has the problem), `defensible` (a reviewer is right to look,
though it may not need a change), or `false`. A row names the file by its path under the
shared folder (`corpus-dev/lamdong/X.pdf`, `corpus/vbai/Y.docx`, `seed/Z.txt`), the rule, the
first evidence line and a piece of the evidence text that identifies the finding.

    .venv/bin/python scripts/ledger.py OUT                   # precision per rule and half, for a run's OUT folder
    .venv/bin/python scripts/ledger.py OUT --unjudged x.tsv  # the run's errors and warnings nobody judged yet
    .venv/bin/python scripts/ledger.py --copy                # copy the judged files into tests/data/judged
    .venv/bin/python scripts/ledger.py --refresh             # rewrite the state column from a run over them
    .venv/bin/python scripts/ledger.py --precision           # write corpus/rule_precision.tsv (read by `vanban rules`)

A false finding is `open` while vanban still reports it (at its severity or above),
`downgraded` while it reports it lower (its rule made info), `fixed` once it does not; the
ledger test (tests/test_ledger.py) fails when a false one comes back up, when one went away
or down without the ledger saying so, and when a true one is lost.
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
COLUMNS = ("file", "half", "rule", "line", "evidence", "severity", "verdict", "reason", "judged", "state")
#: state of a false finding: `open` (vanban still reports it at the severity it was judged at, or above),
#: `downgraded` (still reported, at a lower severity: its rule was made info), `fixed` (no longer
#: reported); of a true or defensible one: `found`, or `lost` (allowed for a defensible one only)
STATES = ("open", "downgraded", "fixed", "found", "lost")
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
    state: str


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
            if r["state"] not in STATES:
                raise ValueError(f"{path}: row {n}: state {r['state']!r} is not one of {STATES}")
            out.append(Judgement(r["file"], r["half"], r["rule"], int(r["line"]) if r["line"] else None, squash(r["evidence"]),
                                 r["severity"], r["verdict"], r["reason"], r["judged"], r["state"]))
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


JUDGED_COPIES = ROOT / "tests" / "data" / "judged"
SHARED = ROOT.parent / "shared"
#: suffixes stored as they are (already compressed); others are stored xz-compressed
_STORED_AS_IS = (".pdf", ".docx", ".odt", ".xlsx")


def copy_judged(ledger: list[Judgement], shared: Path = SHARED, dest: Path = JUDGED_COPIES) -> list[Path]:
    """Copy every file the ledger judges into the repository (tests/data/judged/<file>, xz for
    text-like files), so the ledger test runs on a clone without ../shared; the copies made."""
    import lzma
    import shutil

    made = []
    for file in sorted({j.file for j in ledger}):
        src = shared / file
        if not src.is_file():
            continue
        target = dest / file
        if src.suffix.lower() not in _STORED_AS_IS:
            target = target.with_name(target.name + ".xz")
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".xz":
            target.write_bytes(lzma.compress(src.read_bytes(), preset=9))
        else:
            shutil.copyfile(src, target)
        made.append(target)
    return made


def materialize(dest: Path, copies: Path = JUDGED_COPIES) -> list[Path]:
    """The repository's copies of judged files as the files themselves under `dest/judged/`
    (decompressed), for a run whose sources map back to ledger names; the paths written."""
    import lzma
    import shutil

    out = []
    for src in sorted(p for p in copies.rglob("*") if p.is_file()):
        rel = src.relative_to(copies)
        target = dest / "judged" / (str(rel)[:-3] if src.suffix == ".xz" else str(rel))
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".xz":
            target.write_bytes(lzma.decompress(src.read_bytes()))
        else:
            shutil.copyfile(src, target)
        out.append(target)
    return out


def current_state(j: Judgement, found: list[dict]) -> str:
    """What a run says of a judged finding: a false one is `open` while reported at its severity
    (or above), `downgraded` while reported below it, else `fixed`; a true or defensible one is
    `found` (or `lost`)."""
    if j.verdict == "false":
        if any(_RANK[f["severity"]] >= _RANK[j.severity] for f in found):
            return "open"
        return "downgraded" if found else "fixed"
    return "found" if found else "lost"


def judged_run(base: Path) -> tuple[dict[str, list[dict]], set[str]]:
    """One `vanban run` over the repository's copies of the judged files (as an operator runs it):
    the findings by ledger file name, and the names of the files run."""
    import subprocess

    files = materialize(base)
    out = base / "out"
    cmd = [sys.executable, "-m", "vanban.cli", "run", str(base / "judged"), "-o", str(out), "--no-validate", "--jobs", "2"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if res.returncode not in (0, 1):
        raise RuntimeError(f"vanban run failed ({res.returncode}): {res.stderr[-2000:]}")
    return run_findings(out), {shared_path(str(f)) for f in files}


def refresh_states(path: Path = LEDGER) -> list[str]:
    """Rewrite the ledger's `state` column from a run over the judged files; the rows whose state changed."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        by_file, present = judged_run(Path(tmp))
    lines = path.read_text(encoding="utf-8").split("\n")
    changed = []
    out_lines = []
    header_seen = False
    for line in lines:
        if line.startswith("#") or not line.strip():
            out_lines.append(line)
            continue
        if not header_seen:
            header_seen = True
            out_lines.append(line)
            continue
        cols = line.split("\t")
        j = Judgement(cols[0], cols[1], cols[2], int(cols[3]) if cols[3] else None, squash(cols[4]), cols[5], cols[6], cols[7], cols[8], cols[9])
        if j.file in present:
            state = current_state(j, [f for f in by_file.get(j.file, []) if matches(j, f)])
            if state != j.state:
                changed.append(f"{j.file}: {j.rule} line {j.line}: {j.state} -> {state}")
                cols[9] = state
        out_lines.append("\t".join(cols))
    path.write_text("\n".join(out_lines), encoding="utf-8")
    return changed


PRECISION_TABLE = ROOT / "corpus" / "rule_precision.tsv"
_PRECISION_HEADER = (
    "# Measured precision of each rule: of the findings it gives today on ../shared/corpus-dev that a legal reviewer\n"
    "# judged (tests/data/judged_findings.tsv), the share that are true or defensible, on the checking half (never tuned\n"
    "# on) and on the tuning half. Written by `scripts/ledger.py --precision`; tests/test_ledger.py checks it is current.\n"
    "rule\tcheck_judged\tcheck_precision\ttune_judged\ttune_precision\n"
)


def precision_rows(rows: list[Judgement]) -> list[tuple[str, int, str, int, str]]:
    """(rule, judged on the checking half, precision there, judged on the tuning half, precision there),
    counting the findings each rule gives today, at any severity (a fixed false finding or a lost
    one is not given)."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"check": [0, 0], "tune": [0, 0]})
    for j in rows:
        if j.half in ("check", "tune") and j.state in ("found", "open", "downgraded"):
            c = counts[j.rule][j.half]
            c[0] += j.verdict != "false"
            c[1] += 1

    def pct(good: int, n: int) -> str:
        return f"{good / n:.0%}" if n else "-"

    return [(rule, c["check"][1], pct(*c["check"]), c["tune"][1], pct(*c["tune"])) for rule, c in sorted(counts.items())]


def write_precision(rows: list[Judgement], path: Path = PRECISION_TABLE) -> str:
    text = _PRECISION_HEADER + "".join("\t".join(map(str, r)) + "\n" for r in precision_rows(rows))
    path.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, nargs="?", help="the OUT folder of a `vanban run` over ../shared/corpus-dev (and ../shared/corpus)")
    ap.add_argument("--ledger", type=Path, default=LEDGER)
    ap.add_argument("--unjudged", type=Path, help="write the errors and warnings nobody judged yet to this TSV")
    ap.add_argument("--info-sample", type=int, default=0, help="add this many unjudged info findings (a fixed random sample)")
    ap.add_argument("--copy", action="store_true", help="copy the judged files from ../shared into tests/data/judged")
    ap.add_argument("--refresh", action="store_true", help="run vanban over the judged files and rewrite the ledger's state column")
    ap.add_argument("--precision", action="store_true", help="write corpus/rule_precision.tsv from the ledger")
    args = ap.parse_args(argv)
    if args.copy:
        for p in copy_judged(load(args.ledger)):
            print(f"copied {p.relative_to(ROOT)}")
    if args.refresh:
        for c in refresh_states(args.ledger):
            print(c)
    if args.precision:
        print(write_precision(load(args.ledger)), end="")
    if args.out:
        print(report(args.out, load(args.ledger), args.unjudged, args.info_sample))
    return 0


if __name__ == "__main__":
    sys.exit(main())
