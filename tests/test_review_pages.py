"""The review pages without a browser: Vietnamese words for every rule and category, addresses that
survive a change of content, paths shown relative to the input folder, bulk decisions and undo,
the next document to review, the report of a small and of a large run, the package's files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_review import HOSTILE_DOC, a_finding, hostile_run, hostile_run_once, post_review, request, run_into, server  # noqa: F401
from vietnamese_text import english_words

from vanban.review import labels as L
from vanban.review.server import start_in_thread
from vanban.review.addresses import source_keys
from vanban.review.store import RunStore


def test_every_registered_rule_has_a_vietnamese_name_and_explanation():
    from vanban.rules.engine import load_rules

    texts = L.vietnamese_rule_texts()
    missing = sorted(rid for rid in load_rules() if rid not in texts)
    assert not missing, (
        f"rules without a Vietnamese name and explanation in corpus/{L.RULE_TEXTS_FILE}: {', '.join(missing)} "
        "(add a row: id, a short name, what triggers it with an example)"
    )
    for rid, (name, explanation) in texts.items():
        assert name and len(explanation) >= 40, f"{rid}: the Vietnamese name or explanation is empty or too short"
        assert re.search(r"[À-ỹĐđ]", name + explanation), f"{rid}: not written in Vietnamese"


def test_every_vietnamese_row_names_a_registered_rule():
    from vanban.rules.engine import load_rules

    stale = sorted(set(L.vietnamese_rule_texts()) - set(load_rules()))
    assert not stale, f"corpus/{L.RULE_TEXTS_FILE} explains rules that no longer exist: {', '.join(stale)}"


def test_every_category_and_severity_has_a_vietnamese_label():
    from vanban.model import CATEGORIES, SEVERITIES

    assert not [c for c in CATEGORIES if c not in L.CATEGORY_LABELS], "categories without a Vietnamese label"
    assert set(SEVERITIES) <= set(L.SEVERITY_LABELS)


def test_vietnamese_alphabetical_order():
    words = ["Tự dẫn chiếu", "Đánh số", "Dẫn chiếu", "Cấu trúc", "Chỉ tiêu", "Ăn", "An", "Âm", "Ơn", "Ôn", "On", "Ưa", "Ua"]
    assert sorted(words, key=L.vn_sort_key) == [
        "An", "Ăn", "Âm", "Cấu trúc", "Chỉ tiêu", "Dẫn chiếu", "Đánh số", "On", "Ôn", "Ơn", "Tự dẫn chiếu", "Ua", "Ưa",
    ]
    assert sorted(["má", "mà", "ma", "mạ", "mả", "mã"], key=L.vn_sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_dates_are_written_day_month_year():
    assert L.vn_date("2021-01-05") == "05/01/2021"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", L.vn_datetime("2021-01-05T14:03:09+07:00"))


def test_source_keys_are_paths_relative_to_the_input_folder():
    keys = source_keys({"a": "/srv/in/x/qd1.pdf", "b": "/srv/in/y/qd1.pdf", "c": "/srv/in/kh.docx"})
    assert keys == {"a": "x/qd1.pdf", "b": "y/qd1.pdf", "c": "kh.docx"}
    assert source_keys({"a": "qd.txt"}) == {"a": "qd.txt"}
    assert source_keys({"a": "/srv/in/qd.txt"}) == {"a": "qd.txt"}


# --------------------------------------------------------------------------- addresses


def test_a_document_keeps_its_address_when_its_content_changes(hostile_run):
    src, out = hostile_run
    old_id = a_finding(out).doc_id
    f = a_finding(out, "known_confusion")
    RunStore(out).decide(f.doc_id, f.fingerprint, "confirmed", "", "A")
    src.write_text(HOSTILE_DOC + "Nơi nhận: Như Điều 3.\n", encoding="utf-8")
    run_into(src, out)
    new_id = a_finding(out).doc_id
    assert new_id != old_id
    srv, thread = start_in_thread(out)
    try:
        status, _, page = request(srv, "GET", "/doc/qd12.txt")
        assert status == 200 and "Nội dung văn bản đã thay đổi" in page and "Cần xem lại" in page
        # links by doc_id (from before the pages had keys), even by the doc_id of the earlier content
        for old in (f"/doc/{old_id}", f"/doc/{new_id}", f"/doc/{old_id}/tasks"):
            status, headers, _ = request(srv, "GET", old)
            assert status == 303 and headers["Location"].startswith("/doc/qd12.txt"), old
        assert request(srv, "GET", "/doc/qd99.txt")[0] == 404
        status, _, index = request(srv, "GET", "/")
        assert "Nội dung đã thay đổi" in index
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_pages_and_report_show_paths_relative_to_the_input_folder(tmp_path):
    folder = tmp_path / "đầu vào"
    for sub, number in (("so-noi-vu", "12"), ("so-tu-phap", "13")):
        (folder / sub).mkdir(parents=True)
        (folder / sub / f"qd{number}.txt").write_text(HOSTILE_DOC.replace("12/QĐ-UBND", f"{number}/QĐ-UBND"), encoding="utf-8")
    out = tmp_path / "out"
    run_into(folder, out)
    srv, thread = start_in_thread(out)
    try:
        pages = [request(srv, "GET", p)[2] for p in ("/", "/findings", "/doc/so-noi-vu/qd12.txt", "/doc/so-tu-phap/qd13.txt",
                                                     "/doc/so-tu-phap/qd13.txt?view=tasks")]
        assert "so-noi-vu/qd12.txt" in pages[0] and "so-tu-phap/qd13.txt" in pages[0]
        status, headers, _ = request(srv, "GET", "/doc/qd13.txt")  # the end of the path is enough when it is unique
        assert status == 303 and headers["Location"] == "/doc/so-tu-phap/qd13.txt"
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)
    report = (out / "report.html").read_text(encoding="utf-8")
    for text in [*pages, report]:
        assert str(tmp_path) not in text and "/tmp/" not in text
    assert "thư mục đầu vào, 2 tệp" in report


# --------------------------------------------------------------------------- decisions


def test_one_decision_for_a_group_of_findings_and_undo(server, hostile_run):
    out = hostile_run[1]
    fs = RunStore(out).findings()
    typos = [f for f in fs if f.category == "typo"]
    assert len(typos) >= 2
    payload = {"doc_id": typos[0].doc_id, "fingerprints": [f.fingerprint for f in typos], "state": "dismissed",
               "note": "lỗi đánh máy đã biết", "reviewer": "Trần Thị B"}
    status, text = post_review(server, payload)
    assert status == 200, text
    answer = json.loads(text)
    assert {r["fingerprint"] for r in answer["findings"]} == {f.fingerprint for f in typos}
    assert all(r["state"] == "dismissed" and "lỗi đánh máy đã biết" in r["decision"] for r in answer["findings"])
    now = {f.fingerprint: f for f in RunStore(out).findings()}
    assert all(now[f.fingerprint].state == "dismissed" and now[f.fingerprint].review.note == "lỗi đánh máy đã biết" for f in typos)

    first = typos[0].fingerprint
    assert post_review(server, {**payload, "fingerprints": [first], "state": "confirmed", "note": ""})[0] == 200
    undo = {"doc_id": typos[0].doc_id, "fingerprints": [first]}
    status, text = post_review(server, undo, path="/api/undo")
    assert status == 200 and json.loads(text)["findings"][0]["state"] == "dismissed"  # the decision before it, again
    status, text = post_review(server, undo, path="/api/undo")
    assert json.loads(text)["findings"][0]["state"] == "open"
    assert next(f for f in RunStore(out).findings() if f.fingerprint == first).review is None
    assert sorted(r["fingerprint"] for r in RunStore(out).export_rows()) == sorted(f.fingerprint for f in typos[1:])


def test_api_errors_are_vietnamese(server, hostile_run):
    f = a_finding(hostile_run[1])
    ok = {"doc_id": f.doc_id, "fingerprint": f.fingerprint, "state": "dismissed", "reviewer": "A", "note": ""}
    for bad in ({"state": "deleted"}, {"reviewer": ""}, {"note": "x" * 3000}, {"fingerprint": "0" * 16},
                {"reviewer": "x" * 200}):
        status, text = post_review(server, {**ok, **bad})
        assert status == 400
        error = json.loads(text)["error"]
        assert re.search(r"[À-ỹĐđ]", error) and not english_words(error), error
    assert json.loads(post_review(server, {**ok, "fingerprint": "0" * 16})[1])["error"].startswith("không có phát hiện này")


def test_next_document_to_review(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for number in ("12", "13"):
        (folder / f"qd{number}.txt").write_text(HOSTILE_DOC.replace("12/QĐ-UBND", f"{number}/QĐ-UBND"), encoding="utf-8")
    out = tmp_path / "out"
    run_into(folder, out)
    srv, thread = start_in_thread(out)
    try:
        assert request(srv, "GET", "/next")[1]["Location"] == "/doc/qd12.txt"
        assert request(srv, "GET", "/next?from=qd12.txt")[1]["Location"] == "/doc/qd13.txt"
        store = RunStore(out)
        by_doc = {}
        for f in store.findings():
            by_doc.setdefault(f.doc_id, []).append(f.fingerprint)
        for doc_id, fps in by_doc.items():
            store.decide_many(doc_id, fps, "confirmed", None, "A")
        status, _, page = request(srv, "GET", "/next?from=qd13.txt")
        assert status == 200 and "Đã xem xét xong" in page
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_no_filter_no_match_message(server):
    page = request(server, "GET", "/doc/qd12.txt")[2]
    assert "Không có phát hiện nào khớp bộ lọc" not in page
    page = request(server, "GET", "/doc/qd12.txt?severity=error")[2]
    assert "Không có phát hiện nào khớp bộ lọc" in page


def test_rule_and_category_filters_are_in_vietnamese_order(server):
    page = request(server, "GET", "/doc/qd12.txt")[2]
    for name in ("category", "rule"):
        select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
        labels = re.findall(r'<option value="[^"]+"[^>]*>([^<]*)</option>', select)
        assert len(labels) >= 2 and labels == sorted(labels, key=L.vn_sort_key)
        assert all(re.search(r"[À-ỹĐđ]", x) for x in labels), labels


def test_static_files_and_the_favicon(server):
    for path, ctype in (("/static/app.css", "text/css"), ("/static/app.js", "text/javascript"),
                        ("/static/favicon.svg", "image/svg+xml"), ("/favicon.ico", "image/svg+xml")):
        status, headers, _ = request(server, "GET", path)
        assert status == 200 and headers["Content-Type"].startswith(ctype), path
    for path in ("/static/../store.py", "/static/%2e%2e/store.py", "/static/app.py", "/static/"):
        assert request(server, "GET", path)[0] == 404, path


# --------------------------------------------------------------------------- the report


def test_report_says_when_and_on_what_it_ran(hostile_run):
    from vanban import __version__

    out = hostile_run[1]
    f = a_finding(out)
    RunStore(out).decide(f.doc_id, f.fingerprint, "confirmed", "", "A")
    assert run_cli("review", str(out), "--report").returncode == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    run = re.search(r'<dl class="run-info">(.*?)</dl>', text, re.S).group(1)
    assert re.search(r"Lần chạy</dt><dd>\d\d/\d\d/\d{4} \d\d:\d\d", run)
    assert "1 tệp" in run and f"vanban {__version__}" in run and "1 đã xác nhận" in run
    assert re.search(r"\d+ phát hiện: \d+ lỗi, \d+ cảnh báo, \d+ lưu ý", run)
    assert "Tải CSV 1 kết quả xem xét" in text
    assert 'id="rule-known_confusion"' in text  # each rule explained once, at the end


def test_report_of_a_large_run_is_an_index_and_a_page_per_document(tmp_path, monkeypatch):
    from vanban.outputs import report

    folder = tmp_path / "in"
    folder.mkdir()
    for number in ("12", "13", "14"):
        (folder / f"qd{number}.txt").write_text(HOSTILE_DOC.replace("12/QĐ-UBND", f"{number}/QĐ-UBND"), encoding="utf-8")
    out = tmp_path / "out"
    run_into(folder, out)
    (out / "report").mkdir(exist_ok=True)
    (out / "report" / "gone-0000000000.html").write_text("old", encoding="utf-8")
    monkeypatch.setattr(report, "SINGLE_FILE_MAX", 2)
    index = report.write_report(out).read_text(encoding="utf-8")
    links = re.findall(r'<a href="(report/[^"]+\.html)">', index)
    assert len(links) == 3 and "<mark" not in index  # the index only
    assert sorted(p.name for p in (out / "report").iterdir()) == sorted(Path(x).name for x in links)
    page = (out / links[0]).read_text(encoding="utf-8")
    assert "<mark " in page and 'href="../report.html"' in page and "<script" not in page and "Content-Security-Policy" in page
    monkeypatch.setattr(report, "SINGLE_FILE_MAX", 50)
    report.write_report(out)
    assert not list((out / "report").glob("*.html"))  # one file again: the pages of before are gone


def test_the_package_carries_the_templates_static_files_and_vietnamese_texts(tmp_path):
    src = tmp_path / "src"  # a copy, so that the build leaves nothing in the working tree
    skip = shutil.ignore_patterns("__pycache__", "samples", "*.egg-info", "build")
    for part in ("vanban", "extract", "normalize", "rules", "outputs", "corpus"):
        shutil.copytree(ROOT / part, src / part, ignore=skip)
    for f in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / f, src / f)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    names = set(zipfile.ZipFile(next(tmp_path.glob("vanban-*.whl"))).namelist())
    for t in (ROOT / "vanban" / "review" / "templates").glob("*.html"):
        assert f"vanban/review/templates/{t.name}" in names
    for s in ("app.css", "app.js", "favicon.svg"):
        assert f"vanban/review/static/{s}" in names
    assert "vanban/corpus/rules_vi.tsv" in names


def test_the_text_of_a_document_is_its_json_text(hostile_run, tmp_path):
    from vanban.review.texts import _leading_text, document_text

    out = hostile_run[1]
    doc = next((out / "docs").glob("*.json"))
    assert document_text(out, doc.stem) == json.loads(doc.read_text(encoding="utf-8"))["text"]
    # a document JSON written another way: the text is still the top-level one
    other = {"doc_id": "x", "source": 'a {"text": "not this"}', "meta": {"text": "nor this"}, "text": "this"}
    (out / "docs" / "khac.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    assert _leading_text(json.dumps(other)) is None and document_text(out, "khac") == "this"
    assert document_text(out, "../khac") is None
