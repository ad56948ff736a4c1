"""Compare two `vanban run` output folders file by file, ignoring only what
changes from one run to the next (processing times and validation-page
timestamps).

    python scripts/same_outputs.py OUT_BEFORE OUT_AFTER

Exits 0 when every output file is the same, 1 with the differing files listed
otherwise. Used to show that a refactor changes no result (issue 15): CSV,
JSONL, JSON, HTML and the SQLite database are compared after masking
`elapsed_ms`, `first_seen`, `written_at`, the OCR and LibreOffice seconds and
the report's run minute; the cache, the manifest and Great Expectations'
timestamped data-docs folder are skipped.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import sys
from pathlib import Path

# an OCR page's seconds, a LibreOffice conversion's seconds, the report's "run at" minute
_TIMING = re.compile(r"\d+(?:\.\d+)? s/page|(?<=by LibreOffice )(\([^)]*\) in )\d+(?:\.\d+)? s"
                     r"|(?<=<dd>)\d\d/\d\d/\d{4} \d\d:\d\d(?=</dd>)")
_SKIP_DIRS = {".cache", ".vanban", "data_docs"}
# columns that record when or how long, not what: they differ on every run
_RUN_COLUMNS = {"elapsed_ms", "first_seen"}
_RUN_KEYS = {"written_at"}  # the run's key-value rows of that kind


def _mask_text(text: str) -> str:
    return _TIMING.sub(lambda m: f"{m.group(1) or ''}N", text)


def _drop_timing(value):
    if isinstance(value, dict):
        return {k: _drop_timing(v) for k, v in value.items() if k != "elapsed_ms"}
    if isinstance(value, list):
        return [_drop_timing(v) for v in value]
    if isinstance(value, str):
        return _mask_text(value)
    return value


def _csv(path: Path) -> str:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if not rows:
        return ""
    keep = [i for i, name in enumerate(rows[0]) if name != "elapsed_ms"]
    return "\n".join("\x1f".join(_mask_text(r[i]) if i < len(r) else "" for i in keep) for r in rows)


def _json(path: Path) -> str:
    return json.dumps(_drop_timing(json.loads(path.read_text(encoding="utf-8"))), sort_keys=True)


def _jsonl(path: Path) -> str:
    return "\n".join(
        json.dumps(_drop_timing(json.loads(line)), sort_keys=True)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )


def _sqlite(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)  # leaves no -wal/-shm behind
    try:
        out = []
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for sql in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"):
            out.append(sql[0])
        for table in tables:
            cur = con.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cur.description]
            keep = [i for i, n in enumerate(names) if n not in _RUN_COLUMNS]
            out.append(table + ":" + ",".join(names[i] for i in keep))
            for row in cur:
                if row and row[0] in _RUN_KEYS:
                    continue
                cells = []
                for i in keep:
                    v = row[i]
                    if isinstance(v, str) and v[:1] in "{[":
                        try:
                            v = json.dumps(_drop_timing(json.loads(v)), sort_keys=True)
                        except ValueError:
                            v = _mask_text(v)
                    elif isinstance(v, str):
                        v = _mask_text(v)
                    cells.append(repr(v))
                out.append("|".join(cells))
        return "\n".join(out)
    finally:
        con.close()


def comparable(path: Path) -> str | bytes:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv(path)
    if suffix == ".jsonl":
        return _jsonl(path)
    if suffix == ".json":
        return _json(path)
    if suffix in {".sqlite", ".db"}:
        return _sqlite(path)
    if suffix in {".html", ".txt", ".tsv"}:
        return _mask_text(path.read_text(encoding="utf-8"))
    return path.read_bytes()


def files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not _SKIP_DIRS.intersection(p.relative_to(root).parts)
        and not p.name.endswith(("-wal", "-shm"))
    }


def differences(before: Path, after: Path) -> list[str]:
    a, b = files(before), files(after)
    out = [f"only in {before}: {n}" for n in sorted(a - b)]
    out += [f"only in {after}: {n}" for n in sorted(b - a)]
    out += [f"differs: {n}" for n in sorted(a & b) if comparable(before / n) != comparable(after / n)]
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    diffs = differences(Path(argv[0]), Path(argv[1]))
    for line in diffs:
        print(line)
    if not diffs:
        print(f"same: {len(files(Path(argv[0])))} files")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
