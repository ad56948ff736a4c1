"""Build the shipped registry (`corpus/registry_learned.tsv`) by running vanban over public national documents.

    .venv/bin/python scripts/build_registry.py [INPUT ...]

INPUT defaults to the national-database pages and the decree and law PDFs of ../shared/corpus and
../shared/corpus-dev (SOURCES.tsv there names each file's public origin). Every row names the document it
was learned from; nothing is typed by hand. Add a folder of public documents to the command to learn more.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEFAULT_INPUTS = [SHARED / "corpus-dev" / "vbpl_html", SHARED / "corpus-dev" / "decrees", SHARED / "corpus" / "vbpl_html",
                  SHARED / "corpus" / "vnlegal_nd"]
HEADER = """# Learned by running vanban over public national documents (scripts/build_registry.py); do not edit by hand.
# subject: a document's symbol; property: kind, date, effective, expires, force_status, name, replaced_by,
#   repealed_by, repealed_part_by, amended_by, guided_by; value: the value or the acting document's symbol;
# effective: the date a relation takes effect; source: the document that states it (its symbol and file);
# evidence: the sentence (or the field) that states it.
"""
COLUMNS = ("subject", "property", "value", "effective", "source", "evidence")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from vanban.registry import SHIPPED, learn

    inputs = [Path(a) for a in argv] or [p for p in DEFAULT_INPUTS if p.exists()]
    if not inputs:
        print("build_registry: no inputs (../shared is not here); name folders of public documents", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        env = {**os.environ, "VANBAN_REGISTRY": str(Path(tmp) / "none.sqlite")}  # the shipped rows only
        cmd = [sys.executable, "-m", "vanban.cli", "run", *map(str, inputs), "-o", str(out), "--no-validate", "-q", "-j", "2"]
        subprocess.run(cmd, env=env, check=False)
        rows = sorted({tuple((r.get(c) or "") for c in COLUMNS) for r in learn(out)})
    with open(SHIPPED, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
    print(f"build_registry: {len(rows)} facts from {len(inputs)} input(s) written to {SHIPPED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
