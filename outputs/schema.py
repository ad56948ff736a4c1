"""The JSON Schemas of the contract (shipped in the package) and checking outputs against them.

`vanban/schemas/decision.schema.json` describes `OUT/docs/<doc_id>.json`;
`vanban/schemas/finding.schema.json` describes each line of `OUT/findings.jsonl`.
Both carry the contract's `schema_version`.

The schema of a row of each table (a line of `OUT/<table>.jsonl`, a row of the row
builders) is derived from the table's definition (`outputs.definitions`): `row_schema`.
The findings' is the one shipped as `finding.schema.json` (written by `write_finding_schema`;
a test checks the file is the derivation).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from vanban.model import SCHEMA_VERSION
from vanban.outputs.definitions import CSV_TABLES, TABLES, Column

SCHEMA_FILES = ("decision.schema.json", "finding.schema.json")
_BASE = "https://vanban.invalid/schemas/"
_JSON_TYPES = {"text": "string", "date": "string", "datetime": "string", "int": "integer", "float": "number",
               "bool": "boolean", "spans": "array"}
#: an evidence span: the text and where it is (`vanban.model.Evidence`)
SPAN = {
    "type": "object",
    "required": ["text", "line", "page", "part"],
    "properties": {
        "text": {"type": "string"},
        "line": {"type": ["integer", "null"], "minimum": 1},
        "page": {"type": ["integer", "null"], "minimum": 1},
        "part": {"type": ["string", "null"]},
        "start": {"type": ["integer", "null"], "minimum": 0},
        "end": {"type": ["integer", "null"], "minimum": 0},
    },
}
#: the shipped row schemas: file -> (table, title, description)
ROW_SCHEMA_FILES = {
    "finding.schema.json": (
        "findings", "vanban finding (one line of findings.jsonl)",
        f"One inconsistency or risk in a document, with its evidence. schema_version {SCHEMA_VERSION} (1.2 added the category format).",
    ),
}


def column_schema(c: Column) -> dict[str, Any]:
    """The JSON Schema of one column's value, from its definition."""
    if c.allowed:
        s: dict[str, Any] = {"enum": [*c.allowed, *([None] if c.nullable else [])]}
    else:
        t = _JSON_TYPES[c.type]
        s = {"type": [t, "null"] if c.nullable else t}
    if c.type == "spans":
        s["items"] = SPAN
    if c.regex:
        s["pattern"] = f"^$|{c.regex}" if c.blank else c.regex  # blank: "" as well (a CSV cell shows it empty)
    elif c.type == "text" and not (c.nullable or c.blank or c.allowed):
        s["minLength"] = 1
    if c.type in ("date", "datetime"):
        s["format"] = "date-time" if c.type == "datetime" else "date"
    if c.minimum is not None:
        s["minimum"] = c.minimum
    s["description"] = c.description
    return s


def row_schema(table: str, *, title: str | None = None, description: str | None = None, file: str | None = None) -> dict[str, Any]:
    """The JSON Schema of a row of `table` (every column present; more may follow: the columns are a floor)."""
    t = TABLES[table]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + (file or f"{table}.row.schema.json"),
        "title": title or f"vanban {table} (one row of {table}.csv, one line of {table}.jsonl)",
        "description": description or f"One {t.row}.",
        "type": "object",
        "required": t.names,
        "properties": {c.name: column_schema(c) for c in t.columns},
    }


def shipped_row_schema(file: str) -> dict[str, Any]:
    """What the shipped file `file` (finding.schema.json) must hold: the derivation of its table's rows."""
    table, title, description = ROW_SCHEMA_FILES[file]
    return row_schema(table, title=title, description=description, file=file)


def write_finding_schema() -> Path:
    """Write vanban/schemas/finding.schema.json from the findings' definition (after changing it)."""
    path = Path(str(resources.files("vanban").joinpath("schemas", "finding.schema.json")))
    path.write_text(json.dumps(shipped_row_schema("finding.schema.json"), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


@cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads(resources.files("vanban").joinpath("schemas", name).read_text(encoding="utf-8"))


@cache
def _validator(name: str):
    """A validator for a shipped schema file, or for a table's rows ("tasks.row.schema.json")."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry = Registry()
    for fname in SCHEMA_FILES:
        schema = load_schema(fname)
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    table = name.removesuffix(".row.schema.json")
    schema = row_schema(table) if table in TABLES else load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


def schema_errors(obj: Any, name: str) -> list[str]:
    """Every way `obj` breaks the schema, as 'path: message' lines (empty when valid)."""
    errs = sorted(_validator(name).iter_errors(obj), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errs]


def check_output_folder(out: Path) -> dict[str, list[str]]:
    """Schema errors of every docs/*.json, every findings.jsonl line and every line of the tables'
    JSON Lines copies (`--formats jsonl`) of a run, by file."""
    problems: dict[str, list[str]] = {}
    for p in sorted((out / "docs").glob("*.json")):
        errs = schema_errors(json.loads(p.read_text(encoding="utf-8")), "decision.schema.json")
        if errs:
            problems[str(p)] = errs
    lines = {"findings.jsonl": "finding.schema.json", **{f"{t}.jsonl": f"{t}.row.schema.json" for t in CSV_TABLES}}
    for fname, schema in lines.items():
        if not (out / fname).exists():
            continue
        with open(out / fname, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                errs = schema_errors(json.loads(line), schema) if line.strip() else []
                if errs:
                    problems[f"{out / fname}:{n}"] = errs
    return problems
