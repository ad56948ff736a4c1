"""Each output table is defined once (outputs/definitions.py): the CSV header, the Parquet schema, the
SQLite table, the JSON Schema of a row, the Great Expectations suite and the workbook's sheets all come
from that definition, and real rows of the row builders meet the derived schema."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import SAMPLES, SEED
from vanban.outputs import tables as T
from vanban.outputs.definitions import TABLES, Column, Table
from vanban.outputs.parquet import schema as arrow_schema
from vanban.outputs.schema import load_schema, row_schema, schema_errors, shipped_row_schema
from vanban.outputs.sqlite import create_table
from vanban.outputs.validate import _suites
from vanban.outputs.writer import document_record, write_tables

ARROW = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}  # everything else is text
JSON = {"int": "integer", "float": "number", "bool": "boolean", "spans": "array"}  # everything else a string


def _json_type(c: Column) -> str:
    return JSON.get(c.type, "string")


@pytest.fixture(scope="module")
def records():
    """Real records: the seed, a decree with relations and a Word plan, an unreadable file, a duplicate."""
    from vanban.pipeline import PIPELINE_VERSION, process_file

    results = [process_file(p) for p in (SEED, SAMPLES / "82_2020_ND-CP_392611.pdf",
                                         SAMPLES / "Kế hoạch CCHC 2026 của tỉnh Lâm Đồng.docx")]
    assert all(r.error is None for r in results), [r.error for r in results]
    recs = [document_record(r, PIPELINE_VERSION) for r in results]
    failed = T.error_row("bad-pdf_00", "bad.pdf", None, "the file is empty (0 bytes)", PIPELINE_VERSION)
    recs.append({"documents": [{**failed, "elapsed_ms": 1}]})
    recs.append({"documents": [T.duplicate_row("seed-2", "copy/seed.txt", "ab" * 32, results[0].doc_id, PIPELINE_VERSION)]})
    for table in TABLES:
        assert any(r.get(table) for r in recs), f"no {table} row in the records: the test would check nothing"
        # every row builder gives every column of its table's definition, and nothing else
        assert all(list(row) == TABLES[table].names for r in recs for row in r.get(table) or []), table
    return recs


@pytest.fixture(scope="module")
def written(records, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tables")
    write_tables(lambda: iter(records), out, ("csv", "jsonl", "parquet", "xlsx"))
    return out


def test_every_table_has_one_definition_the_row_builders_use():
    assert list(T.ALL_TABLES) == list(TABLES)
    for name, table in TABLES.items():
        assert T.ALL_TABLES[name] == table.names, name
        assert len(set(table.names)) == len(table.names), f"{name}: a column twice"
        assert all(c.description and "\n" not in c.description for c in table.columns), name


def test_the_parquet_sqlite_and_json_schema_forms_come_from_the_definitions():
    for name, table in TABLES.items():
        arrow = arrow_schema(name)
        assert arrow.names == table.names, name
        assert [ARROW.get(c.type, pa.string()) for c in table.columns] == arrow.types, name
        ddl = create_table(name)
        assert re.findall(r'"([^"]+)"', ddl) == [name, *table.names], ddl
        js = row_schema(name)
        assert list(js["properties"]) == table.names and js["required"] == table.names, name
        for c in table.columns:
            p = js["properties"][c.name]
            types = p["type"] if "type" in p else ["string"]  # an enum of strings
            assert _json_type(c) in types, (name, c.name)
            assert ("null" in types or None in p.get("enum", [])) == c.nullable, (name, c.name)
            assert p.get("pattern") == (c.regex and ("^$|" * c.blank) + c.regex), (name, c.name)
            assert p.get("minimum") == c.minimum, (name, c.name)
            assert p.get("enum", [None])[: len(c.allowed or ())] == list(c.allowed or [None])[: len(c.allowed or ())]


def _expectations(table: Table) -> dict[str, set[tuple]]:
    """Each column's expectations in the table's suite: (kind, argument)."""
    found: dict[str, set[tuple]] = {}
    for e in _suites()[table.name]:
        col = getattr(e, "column", None) or getattr(e, "column_A", None)
        arg = getattr(e, "regex", None) or tuple(getattr(e, "value_set", None) or ()) or getattr(e, "min_value", None)
        found.setdefault(col, set()).add((type(e).__name__, arg))
    return found


def test_the_validation_suite_checks_what_the_definitions_say():
    for name, table in TABLES.items():
        exp = _expectations(table)
        assert set(exp) <= set(table.names) | {"_doc_known", "_symbol"} | {f"_{c.name}" for c in table.checks}, name
        assert ("_doc_known" in exp) == (table.documents is not None), name
        for c in table.columns:
            if c.type == "spans" or (table.documents and c.name == "doc_id"):
                continue  # the JSON Schema checks spans; _doc_known a referencing doc_id
            got = exp.get(c.name, set())
            want = set()
            if not c.nullable and not c.blank:
                want.add(("ExpectColumnValuesToNotBeNull", None))
            if c.unique:
                want.add(("ExpectColumnValuesToBeUnique", None))
            if c.regex:
                want.add(("ExpectColumnValuesToMatchRegex", c.regex))
            if c.allowed:
                want.add(("ExpectColumnValuesToBeInSet", tuple(c.allowed)))
            if c.minimum is not None:
                want.add(("ExpectColumnValuesToBeBetween", c.minimum))
            assert want <= got, (name, c.name, want - got)


def test_the_shipped_finding_schema_is_the_findings_definition():
    assert load_schema("finding.schema.json") == shipped_row_schema("finding.schema.json"), (
        "vanban/schemas/finding.schema.json is not the findings' definition: "
        "run .venv/bin/python -c 'from vanban.outputs.schema import write_finding_schema; write_finding_schema()'"
    )


def test_rows_of_the_row_builders_meet_the_derived_json_schema(records):
    n = 0
    for rec in records:
        for table, rows in rec.items():
            for r in rows:
                row = {c: r.get(c) for c in TABLES[table].names}  # a line of OUT/<table>.jsonl
                assert schema_errors(row, f"{table}.row.schema.json") == [], (table, row)
                n += 1
    assert n > 100


def test_a_row_breaking_its_definition_is_rejected(records):
    task = {c: records[0]["tasks"][0].get(c) for c in T.TASK_COLUMNS}
    errs = schema_errors({**task, "deadline_kind": "soon", "deadline_start": "2021-13-01", "row": "1"}, "tasks.row.schema.json")
    assert len(errs) == 3, errs
    doc = {c: records[0]["documents"][0].get(c) for c in T.DOCUMENT_COLUMNS}
    del doc["pipeline_version"]
    assert schema_errors(doc, "documents.row.schema.json") == ["(root): 'pipeline_version' is a required property"]


def test_every_written_form_has_the_definitions_columns_in_order(written):
    from openpyxl import load_workbook

    con = sqlite3.connect(written / "vanban.sqlite")
    wb = load_workbook(written / "vanban.xlsx", read_only=True)
    for name, table in TABLES.items():
        if name != "findings":
            with open(written / f"{name}.csv", encoding="utf-8", newline="") as f:
                assert next(csv.reader(f)) == table.names, name
        assert pq.read_schema(written / f"{name}.parquet").names == table.names, name
        assert [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')] == table.names, name
        assert [c.value for c in next(wb[name].iter_rows(max_row=1))] == table.names, name
        for line in (written / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if name != "findings" else []:
            assert list(json.loads(line)) == table.names, name
    con.close()


def test_the_run_checks_reject_what_the_definitions_forbid(written, tmp_path):
    """The derived suite passes on real rows and names the columns a broken copy breaks; the JSON Lines
    copies are checked against the row schemas."""
    from vanban.outputs.schema import check_output_folder
    from vanban.outputs.validate import load_tables, validate_tables

    assert check_output_folder(written) == {}
    tables = load_tables(written)
    assert validate_tables(tables, tmp_path, data_docs=False, write=False).success
    tables["documents"].loc[0, "pipeline_version"] = None
    tables["citations"].loc[0, "registry_date"] = "19/6/2015"
    tables["tasks"].loc[0, "page"] = 0
    report = validate_tables(tables, tmp_path, data_docs=False, write=False)
    assert {(f.table, f.column) for f in report.failures} == {
        ("documents", "pipeline_version"), ("citations", "registry_date"), ("tasks", "page")}
    lines = (written / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "tasks.jsonl").write_text("\n".join([lines[0].replace('"row": 1', '"row": "1"'), *lines[1:]]) + "\n", encoding="utf-8")
    assert check_output_folder(broken) == {f"{broken / 'tasks.jsonl'}:1": ["row: '1' is not of type 'integer', 'null'"]}
