"""Reference data the code reads: gazetteer, codes, registry of known documents.

Every data file of this folder is read through `table` (one loader): UTF-8, lines starting with
'#' are comments, blank lines are skipped, tab-separated with no quoting, the header must be the
one declared in `SCHEMAS`, every value is NFC and stripped, and each value is checked against the
type its column declares. A file that breaks any of this raises `CorpusError` naming the file,
the line and the reason, instead of loading wrong data quietly.

>>> table("places.tsv")[0]["name"]
'Hà Nội'
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["table", "read_rows", "SCHEMAS", "Schema", "CorpusError"]


class CorpusError(ValueError):
    """A data file of `corpus/` that does not match its declared header or column types."""


def _is_iso_date(v: str) -> bool:
    try:
        _dt.date.fromisoformat(v)
    except ValueError:
        return False
    return len(v) == 10


#: Column types: a value must pass its check (an empty value always passes: cells are optional).
TYPES = {
    "text": lambda v: True,
    "int": str.isdigit,
    "date": _is_iso_date,  # YYYY-MM-DD
    "period": lambda v: re.fullmatch(r"\d{4}-\d{4}", v) is not None,  # "2026-2030"
    "percent": lambda v: re.fullmatch(r"\d{1,3}%|-", v) is not None,
    "list": lambda v: "||" not in v,  # "|"-separated
    "flag": lambda v: v in ("yes", "no"),
}


@dataclass(frozen=True, slots=True)
class Schema:
    """A data file's declared header: its columns in order, each with a type of `TYPES`."""

    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def _schema(spec: str) -> Schema:
    """'symbol year:int date:date' -> Schema (a column without a type is text)."""
    cols = []
    for word in spec.split():
        name, _, kind = word.partition(":")
        cols.append((name, kind or "text"))
    return Schema(tuple(cols))


#: Each data file of `corpus/` and its declared header.
SCHEMAS: dict[str, Schema] = {
    name: _schema(spec)
    for name, spec in {
        "agencies.tsv": "canonical level kind code variants:list example source valid_from:date valid_until:date "
                        "successor validity validity_source",
        "deadline_vocab.tsv": "pattern example year:int period:period start:date end:date recurrence kind note",
        "doc_kinds.tsv": "kind title:flag attachment:flag header:flag basis:flag example",
        "doc_types.tsv": "kind code set example example_source",
        "format_rules.tsv": "set element property value source quote",
        "ocr_phrases.tsv": "phrase",
        "organ_codes.tsv": "code organ issuer_implied scope example example_source issuer_words:list",
        "places.tsv": "name kind",
        "provinces.tsv": "name kind valid_until:date successor validity validity_source",
        "registry.tsv": "symbol year:int kind date:date issuer short_title status source",
        "registry_learned.tsv": "subject property value effective:date source evidence",
        "rule_precision.tsv": "rule check_judged:int check_precision:percent tune_judged:int tune_precision:percent",
        "rules_vi.tsv": "id name explanation",
        "typos.tsv": "wrong right context note example",
    }.items()
}


def read_rows(text: str, name: str, schema: Schema) -> list[dict[str, str]]:
    """The rows of one data file's text, checked against `schema`; `name` is for the errors."""
    numbered = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.startswith("#")]
    if not numbered:
        raise CorpusError(f"{name}: no header line")
    rows = list(csv.reader([ln for _, ln in numbered], delimiter="\t", quoting=csv.QUOTE_NONE))
    header = tuple(h.strip() for h in rows[0])
    if header != schema.names:
        raise CorpusError(f"{name}: header {list(header)} is not the declared {list(schema.names)}")
    out = []
    for (line, _), cells in zip(numbered[1:], rows[1:]):
        if len(cells) > len(header):
            raise CorpusError(f"{name}, line {line}: {len(cells)} cells for {len(header)} columns")
        row = {}
        for i, (col, kind) in enumerate(schema.columns):
            value = unicodedata.normalize("NFC", cells[i].strip()) if i < len(cells) else ""
            if value and not TYPES[kind](value):
                raise CorpusError(f"{name}, line {line}: {col} = {value!r} is not a {kind}")
            row[col] = value
        out.append(row)
    return out


def path_of(name: str) -> Path:
    """Where a data file of this package is (for the scripts that rewrite one)."""
    return Path(__file__).resolve().parent / name


@functools.cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of the data file `name` of `corpus/`, read once (see the module's docstring).

    Rows are shared: treat them as read-only."""
    if name not in SCHEMAS:
        raise CorpusError(f"{name}: not a declared data file of corpus/ (declare its header in SCHEMAS)")
    text = resources.files("vanban.corpus").joinpath(name).read_text(encoding="utf-8")
    return tuple(read_rows(text, name, SCHEMAS[name]))
