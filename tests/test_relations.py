"""Relations between documents (normalize/relations.py), the registry of documents in force
(vanban/registry.py) and the checks that read it (rules/in_force.py), on real text."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from vanban.cli import main
from vanban.model import Decision
from vanban.normalize.citations import find_citations
from vanban.normalize.relations import find_relations
from vanban.pipeline import process_file
from vanban.registry import Registry, facts_of

HERE = Path(__file__).parent
ROOT = HERE.parent


def _cases() -> list[dict[str, str]]:
    with open(HERE / "relation_cases.tsv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t"))


def _extract(sentence: str) -> set[str]:
    dec = Decision(doc_id="t", source="t", sha256="0" * 64, format="text", text=sentence, citations=find_citations(sentence))
    return {f"{r.subject or 'SELF'} {r.relation} {r.target_symbol or r.target}" for r in find_relations(dec)}


def _score(cases: list[dict[str, str]]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for c in cases:
        want = {x.strip() for x in c["expected"].split(";") if x.strip()}
        got = _extract(c["sentence"])
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
    return tp, fp, fn


@pytest.mark.parametrize("which, min_precision, min_recall", [("tuned", 0.9, 0.85), ("held-out", 0.85, 0.75)])
def test_relation_sentences_precision_and_recall(which, min_precision, min_recall):
    """Real sentences read by hand (over 100, 50 and more relations in each set): the extractor's precision and
    recall on those it was written against and on held-out ones of the checking half (README figures)."""
    cases = [c for c in _cases() if c["set"] == which]
    tp, fp, fn = _score(cases)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"relations ({which}, {len(cases)} sentences): {tp} right, {fp} wrong, {fn} missed; precision {precision:.2f}, recall {recall:.2f}")
    assert tp + fn >= 50
    assert precision >= min_precision
    assert recall >= min_recall


@pytest.mark.parametrize("sentence, want", [
    ("Nghị định này có hiệu lực thi hành từ ngày 15 tháng 10 năm 2017 và thay thế Nghị định số 83/2010/NĐ-CP ngày 23 tháng 7 năm 2010.",
     {"SELF replaces 83/2010/NĐ-CP"}),
    ("Căn cứ Luật Ban hành văn bản quy phạm pháp luật số 64/2025/QH15 được sửa đổi, bổ sung bởi Luật số 87/2025/QH15;",
     {"87/2025/QH15 amends 64/2025/QH15"}),
    ("Giao Sở Tư pháp hướng dẫn thực hiện Nghị định số 30/2020/NĐ-CP.", set()),
    # an omnibus amending law (Luật Đầu tư 2020) is not ended with the law it amended
    ("Luật Nhà ở số 65/2014/QH13 đã được sửa đổi, bổ sung một số điều theo Luật số 61/2020/QH14 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành.",
     {"61/2020/QH14 amends 65/2014/QH13", "SELF repeals 65/2014/QH13", "SELF repeals_part 61/2020/QH14"}),
    ("Khoản 9 Điều 60 của Luật này có hiệu lực thi hành từ ngày Nghị quyết số 61/2022/QH15 hết hiệu lực.", set()),
])
def test_relation_subjects(sentence, want):
    """Who acts on whom: the document itself, a document named before the verb, a passive's agent, nobody."""
    assert _extract(sentence) == want


def test_decree_relations_and_effective_date(tmp_path):
    """A real decree PDF: what it replaces, from when, with the sentence; its own effective date in documents.csv."""
    assert main(["run", str(ROOT / "corpus/samples/82_2020_ND-CP_392611.pdf"), "-o", str(tmp_path / "out"), "-j", "1", "-q", "--no-validate"]) == 0
    rels = list(csv.DictReader(open(tmp_path / "out/relations.csv", encoding="utf-8")))
    replaced = {(r["doc"], r["target_symbol"], r["effective"]) for r in rels if r["relation"] == "replaces"}
    assert replaced == {("82/2020/NĐ-CP", "110/2013/NĐ-CP", "2020-09-01"), ("82/2020/NĐ-CP", "67/2015/NĐ-CP", "2020-09-01")}
    assert all("thay thế" in r["evidence"] for r in rels if r["relation"] == "replaces")
    doc = next(csv.DictReader(open(tmp_path / "out/documents.csv", encoding="utf-8")))
    assert doc["effective"] == "2020-09-01" and doc["relations"] == str(len(rels))


def test_a_decision_citing_a_replaced_law_is_warned():
    """A real 2026 decision of Lâm Đồng, edited to cite Luật Đất đai số 45/2013/QH13: the shipped registry learned
    from Luật Đất đai 2024 that it ended on 01/01/2025; the same decision citing the successor gets nothing."""
    old = process_file(HERE / "data/registry/qd_cong_bo_chi_so_cchc_2025_cites_replaced_law.txt")
    found = [f for f in old.findings if f.rule == "legal_basis_replaced"]
    assert len(found) == 1
    assert "31/2024/QH15" in found[0].message and "31/2024/QH15" in found[0].message_en
    assert "45/2013/QH13" in found[0].evidence[0].text and "01/01/2025" in found[0].message
    new = process_file(HERE / "data/registry/qd_cong_bo_chi_so_cchc_2025_cites_successor.txt")
    assert not [f for f in new.findings if f.rule.startswith("legal_basis_")]


def test_a_legal_basis_not_yet_in_force_is_info(tmp_path):
    """The same real decision (10/02/2026) citing Luật Xây dựng số 135/2025/QH15, which the shipped registry learned
    from its national database page takes effect on 01/7/2026."""
    text = (HERE / "data/registry/qd_cong_bo_chi_so_cchc_2025_cites_successor.txt").read_text(encoding="utf-8")
    text = text.replace("Luật Đất đai số 31/2024/QH15 ngày 18 tháng 01 năm 2024", "Luật Xây dựng số 135/2025/QH15 ngày 10 tháng 12 năm 2025")
    (tmp_path / "qd.txt").write_text(text, encoding="utf-8")
    found = [f for f in process_file(tmp_path / "qd.txt").findings if f.rule.startswith("legal_basis_")]
    assert [(f.rule, f.severity) for f in found] == [("legal_basis_not_yet_in_force", "info")]
    assert "01/07/2026" in found[0].message and "135/2025/QH15" in found[0].message_en


def test_a_bad_registry_file_is_one_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VANBAN_REGISTRY", os.environ["VANBAN_REGISTRY"])  # --registry sets it: restored after
    bad = tmp_path / "reg.sqlite"
    bad.write_bytes(b"this is not a database, it is a note")
    assert main(["registry", "show", "80/2015/QH13", "--registry", str(bad)]) == 2
    assert "not a usable vanban registry" in capsys.readouterr().err
    assert main(["registry", "import", str(tmp_path / "nowhere")]) == 2


def test_amended_is_not_replaced_and_unknown_is_unjudged():
    text = ("Số: 12/2026/QĐ-UBND\tLâm Đồng, ngày 10 tháng 02 năm 2026\nQUYẾT ĐỊNH\nVề việc thử\n"
            "Căn cứ Luật Ban hành văn bản quy phạm pháp luật số 64/2025/QH15 được sửa đổi, bổ sung bởi Luật số 87/2025/QH15;\n"
            "Căn cứ Nghị định số 999/2019/NĐ-CP ngày 01 tháng 01 năm 2019 của Chính phủ;\n")
    from vanban.model import SourceDocument  # noqa: F401  (the text reader builds it)
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "qd.txt"
        p.write_text(text, encoding="utf-8")
        res = process_file(p)
    assert not [f for f in res.findings if f.rule.startswith("legal_basis_")]


def _doc(number, source, relations=(), effective=None, **kw):
    return {"number": number, "source": source, "type": kw.get("type", "Nghị định"), "date": kw.get("date"),
            "effective_date": effective, "citations": kw.get("citations", []), "relations": list(relations), "format": "pdf"}


def test_registry_accumulates_with_sources_confidence_and_conflicts(tmp_path):
    shipped = {f.value: f.confidence for f in Registry(None).ended("83/2010/NĐ-CP")}.get("102/2017/NĐ-CP", 0)
    reg = Registry(tmp_path / "r.sqlite")
    rel = {"relation": "replaces", "target": "83/2010/NĐ-CP", "target_symbol": "83/2010/NĐ-CP", "effective": "2017-10-15",
           "evidence": "Nghị định này ... thay thế Nghị định số 83/2010/NĐ-CP", "subject": None}
    reg.add(facts_of(_doc("102/2017/NĐ-CP", "/a/102.pdf", [rel], effective="2017-10-15")), origin="run1")
    reg.add(facts_of(_doc("102/2017/NĐ-CP", "/b/copy.html", [rel], effective="2017-10-16")), origin="run2")
    reg.close()
    reg = Registry(tmp_path / "r.sqlite")  # reopened: the facts stayed
    ended = reg.ended("83/2010/NĐ-CP")
    assert ended[0].value == "102/2017/NĐ-CP" and ended[0].confidence == shipped + 2  # each document counts once
    conflict = reg.conflicts("102/2017/NĐ-CP")["effective"]
    assert sorted(f.value for f in conflict) == ["2017-10-15", "2017-10-16"]  # kept, never overwritten
    assert reg.value("102/2017/NĐ-CP", "effective") == "2017-10-15"  # the shipped decree agrees: two sources to one


def test_cli_registry_import_show_and_cite(tmp_path, capsys, monkeypatch):
    """`vanban run --registry`, `vanban registry show`, and a law cited by name resolved to its symbol."""
    monkeypatch.setenv("VANBAN_REGISTRY", os.environ["VANBAN_REGISTRY"])  # --registry sets it: restored after
    reg = tmp_path / "reg.sqlite"
    assert main(["run", str(ROOT / "corpus/samples/82_2020_ND-CP_392611.pdf"), "-o", str(tmp_path / "out"), "-j", "1", "-q",
                 "--no-validate", "--registry", str(reg)]) == 0
    monkeypatch.setenv("VANBAN_REGISTRY", str(reg))
    capsys.readouterr()
    assert main(["registry", "show", "110/2013/NĐ-CP", "--json"]) == 0
    facts = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert any(f["property"] == "replaced_by" and f["value"] == "82/2020/NĐ-CP" and f["effective"] == "2020-09-01" for f in facts)
    assert main(["registry", "import", str(tmp_path / "out")]) == 0  # again: nothing new, nothing doubled
    capsys.readouterr()
    assert main(["registry", "show", "110/2013/NĐ-CP", "--json"]) == 0
    again = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [f["confidence"] for f in again] == [f["confidence"] for f in facts]
    assert main(["cite", "Căn cứ Luật Đất đai năm 2024;", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["symbol"] == "31/2024/QH15"


def test_a_worker_process_checks_against_the_registry_it_is_given(tmp_path, monkeypatch):
    """A Dask worker's process checks against the client's registry (a consistent copy, written once on the
    worker's machine), not against the one its own environment names; `use(None)` is the shipped rows only."""
    from vanban import registry as R

    client = tmp_path / "client.sqlite"
    reg = Registry(client)
    reg.add([{"subject": "99/2099/NĐ-CP", "property": "date", "value": "2099-01-01", "source": "a test"}], origin="test")
    reg.close()
    monkeypatch.setenv("VANBAN_REGISTRY", str(client))
    fingerprint, data = R.snapshot()
    assert R.snapshot()[0] == fingerprint  # the same file, the same fingerprint
    worker = tmp_path / "worker"
    worker.mkdir()
    path = R.materialize(fingerprint, data, worker)
    assert R.materialize(fingerprint, data, worker) == path and len(list(worker.iterdir())) == 1
    monkeypatch.setenv("VANBAN_REGISTRY", str(tmp_path / "the-worker-machines-own.sqlite"))
    assert R.current().value("99/2099/NĐ-CP", "date") is None
    try:
        R.use(path)
        assert R.current().value("99/2099/NĐ-CP", "date") == "2099-01-01"
        R.use(None)
        assert R.current().value("99/2099/NĐ-CP", "date") is None
        assert R.snapshot() is None  # shipped rows only: nothing to send
    finally:
        R._used.clear()
    monkeypatch.setenv("VANBAN_REGISTRY", str(tmp_path / "nowhere.sqlite"))
    assert R.snapshot() is None


def test_a_cached_document_is_checked_again_when_the_registry_learns_about_its_bases(tmp_path, capsys, monkeypatch):
    """A real decision of 10/02/2026 citing Luật Đất đai số 31/2024/QH15, and the seed decision, which does not
    cite it, run into one folder. The registry then learns that a law replaced 31/2024/QH15 on 01/7/2025: the
    next run into that folder checks the decision again and warns, and reuses the seed decision, whose
    findings the fact cannot change. A third run reuses both, the warning kept."""
    import shutil

    from registry_facts import learn_the_land_law_replaced

    reg_path = tmp_path / "registry.sqlite"
    Registry(reg_path).close()
    monkeypatch.setenv("VANBAN_REGISTRY", str(reg_path))
    box = tmp_path / "in"
    box.mkdir()
    shutil.copy(HERE / "data/registry/qd_cong_bo_chi_so_cchc_2025_cites_successor.txt", box / "qd.txt")
    shutil.copy(ROOT / "corpus/samples/000_2460ae3cff98ef28.txt", box / "seed.txt")
    out = tmp_path / "out"

    def run() -> tuple[str, list[dict]]:
        capsys.readouterr()
        assert main(["run", str(box), "-o", str(out), "-j", "1", "--no-validate"]) == 0
        err = capsys.readouterr().err
        found = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
        return err, [f for f in found if f["rule"] == "legal_basis_replaced"]

    err, warned = run()
    assert "2 new, 0 unchanged" in err and warned == []
    learn_the_land_law_replaced(reg_path)
    err, warned = run()
    assert "1 new, 1 unchanged" in err, err
    assert len(warned) == 1 and "999/2025/QH15" in warned[0]["message"] and "31/2024/QH15" in warned[0]["message"]
    err, again = run()
    assert "0 new, 2 unchanged" in err and again == warned
