"""The JSON Schemas of the contract (shipped in the package) and checking outputs against them.

`vanban/schemas/decision.schema.json` describes `OUT/docs/<doc_id>.json`;
`vanban/schemas/finding.schema.json` describes each line of `OUT/findings.jsonl`.
Both carry the contract's `schema_version`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_FILES = ("decision.schema.json", "finding.schema.json")


@cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads(resources.files("vanban").joinpath("schemas", name).read_text(encoding="utf-8"))


@cache
def _validator(name: str):
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry = Registry()
    for fname in SCHEMA_FILES:
        schema = load_schema(fname)
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


def schema_errors(obj: Any, name: str) -> list[str]:
    """Every way `obj` breaks the schema, as 'path: message' lines (empty when valid)."""
    errs = sorted(_validator(name).iter_errors(obj), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errs]


def check_output_folder(out: Path) -> dict[str, list[str]]:
    """Schema errors of every docs/*.json and every findings.jsonl line of a run, by file."""
    problems: dict[str, list[str]] = {}
    for p in sorted((out / "docs").glob("*.json")):
        errs = schema_errors(json.loads(p.read_text(encoding="utf-8")), "decision.schema.json")
        if errs:
            problems[str(p)] = errs
    fj = out / "findings.jsonl"
    if fj.exists():
        for n, line in enumerate(fj.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                errs = schema_errors(json.loads(line), "finding.schema.json")
                if errs:
                    problems[f"{fj}:{n}"] = errs
    return problems
