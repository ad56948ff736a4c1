"""The contract checked: JSON Schemas and the Great Expectations suite on real outputs,
and outputs broken on purpose caught by them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, SAMPLES, SEED, run_cli
from vanban.outputs.schema import check_output_folder, schema_errors
from vanban.outputs.validate import load_tables, validate_tables

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def samples_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples_out")
    proc = run_cli("run", str(SAMPLES), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_every_output_of_the_samples_meets_the_schemas(samples_out):
    docs = list((samples_out / "docs").glob("*.json"))
    assert len(docs) == len([p for p in SAMPLES.iterdir() if p.is_file()])
    assert check_output_folder(samples_out) == {}


def test_the_expectation_suite_passes_on_the_samples(samples_out):
    report = validate_tables(load_tables(samples_out), samples_out)
    assert report.success, "\n".join(report.summary_lines())
    assert report.expectations >= 30
    assert (samples_out / "validation" / "results.json").exists()
    assert report.docs_index is not None and report.docs_index.exists()


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is not beside this clone")
def test_schemas_and_suite_hold_on_the_whole_shared_corpus(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("run", str(SHARED_CORPUS), str(SEED), "-o", str(out))
    docs = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False)
    assert (docs["status"] == "ok").all(), docs.loc[docs["status"] != "ok", ["source", "error"]].to_string()
    assert proc.returncode == 0, proc.stderr
    assert check_output_folder(out) == {}
    report = validate_tables(load_tables(out), out, data_docs=False)
    assert report.success, "\n".join(report.summary_lines())


def _broken(out: Path, table: str, change) -> dict[str, pd.DataFrame]:
    tables = load_tables(out)
    tables[table] = change(tables[table].copy())
    return tables


def _failed(report, table: str, expectation: str, column: str) -> list[int]:
    for f in report.failures:
        if f.table == table and f.expectation == expectation and f.column == column:
            return f.rows
    raise AssertionError(f"{table}.{column} {expectation} not reported: {report.summary_lines()}")


def test_a_null_lead_is_caught_with_its_row(samples_out, tmp_path):
    def null_lead(df):
        df.loc[5, "lead"] = None
        return df

    report = validate_tables(_broken(samples_out, "tasks", null_lead), tmp_path, data_docs=False)
    assert not report.success
    assert _failed(report, "tasks", "expect_column_values_to_not_be_null", "lead") == [5]
    assert any("tasks.csv" in line and "lines 7" in line for line in report.summary_lines())


def test_a_reversed_deadline_range_is_caught(samples_out, tmp_path):
    def reverse(df):
        df.loc[3, ["deadline_start", "deadline_end"]] = ["2021-12-31", "2021-10-01"]
        return df

    report = validate_tables(_broken(samples_out, "tasks", reverse), tmp_path, data_docs=False)
    assert _failed(report, "tasks", "expect_column_pair_values_a_to_be_greater_than_b", "deadline_end") == [3]


def test_an_unknown_category_and_a_bad_symbol_are_caught(samples_out, tmp_path):
    tables = load_tables(samples_out)
    tables["findings"] = pd.concat([tables["findings"], pd.DataFrame([{
        "doc_id": tables["documents"]["doc_id"].iloc[0], "rule": "X", "category": "gossip", "severity": "info",
        "message": "m", "message_en": "m", "fingerprint": "0123456789abcdef"}])], ignore_index=True)
    cites = tables["citations"]
    row = int(cites.index[cites["number"].notna()][0])
    cites.loc[row, "id"] = "107-2020-NĐ-CP"
    report = validate_tables(tables, tmp_path, data_docs=False)
    assert _failed(report, "findings", "expect_column_values_to_be_in_set", "category") == [len(tables["findings"]) - 1]
    assert _failed(report, "citations", "expect_column_values_to_match_regex", "_symbol") == [row]


def test_a_task_number_out_of_sequence_is_caught(samples_out, tmp_path):
    def skip(df):
        df.loc[2, "task_no"] = "7"
        return df

    report = validate_tables(_broken(samples_out, "tasks", skip), tmp_path, data_docs=False)
    assert 2 in _failed(report, "tasks", "expect_column_values_to_be_in_set", "_task_no_in_sequence")


def test_the_schema_rejects_what_the_contract_forbids(samples_out):
    doc = json.loads(next((samples_out / "docs").glob("000_*.json")).read_text(encoding="utf-8"))
    assert schema_errors(doc, "decision.schema.json") == []
    doc["tasks"][0]["deadline_kind"] = "soon"
    doc["schema_version"] = "0.9"
    errs = schema_errors(doc, "decision.schema.json")
    assert any(e.startswith("tasks/0/deadline_kind") for e in errs) and any(e.startswith("schema_version") for e in errs)
    finding = {"doc_id": "x", "rule": "R", "category": "gossip", "severity": "fatal", "message": "m",
               "message_en": "m", "evidence": [], "fingerprint": "0123456789abcdef"}
    errs = schema_errors(finding, "finding.schema.json")
    assert {e.split(":")[0] for e in errs} == {"category", "severity"}


def test_validation_leaves_nothing_in_the_temporary_folder(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    proc = subprocess.run([sys.executable, "-m", "vanban.cli", "run", str(SEED), "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (out / "validation" / "results.json").exists()
    assert list(tmpdir.iterdir()) == []


def test_the_python_api_example_of_the_readme_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "3248/QĐ-UBND" in proc.stdout and "Sở Tư pháp" in proc.stdout


def test_a_gap_the_document_has_and_the_rules_report_passes(tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text(
        "KẾ HOẠCH\nCải cách hành chính năm 2021\n\n"
        "TT\tNhiệm vụ\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n"
        "1\tXây dựng báo cáo\tBáo cáo\tSở Nội vụ\tCác sở\tTháng 12/2021\n"
        "3\tKiểm tra các đơn vị\tKế hoạch\tSở Tư pháp\tSở Nội vụ\tNăm 2021\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    proc = run_cli("run", str(doc), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "expectations met" in proc.stderr
    findings = (out / "findings.jsonl").read_text(encoding="utf-8")
    assert '"numbering_gap"' in findings


def test_chunked_validation_reports_true_rows_and_keeps_documents_whole(samples_out, tmp_path, monkeypatch):
    """Runs are validated a chunk of whole documents at a time (memory stays flat); a broken
    row far into the table is still reported by its own line, and no document is cut."""
    import shutil as sh

    import vanban.outputs.validate as V

    out = tmp_path / "out"
    sh.copytree(samples_out, out)
    tasks = pd.read_csv(out / "tasks.csv", dtype=str, keep_default_na=False)
    last = len(tasks) - 1
    tasks.loc[last, "deadline_kind"] = "soon"
    tasks.to_csv(out / "tasks.csv", index=False)
    monkeypatch.setattr(V, "CHUNK_ROWS", 7)
    chunks = list(V._whole_documents(V._csv_chunks(out / "tasks.csv", "tasks")))
    assert len(chunks) > 1 and sum(len(c) for c in chunks) == len(tasks)
    ids = [set(c["doc_id"]) for c in chunks]
    assert all(not (a & b) for i, a in enumerate(ids) for b in ids[i + 1:])  # no document in two chunks
    report = V.validate_run(out, data_docs=False)
    assert _failed(report, "tasks", "expect_column_values_to_be_in_set", "deadline_kind") == [last]
    assert len(report.failures) == 1
