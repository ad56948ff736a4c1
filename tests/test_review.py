"""The review page without a browser: escaping, the Host check, CSRF and input checks, decisions
kept across re-runs and shown as "cần xem lại" when the document changed, the CSV export, the report."""

from __future__ import annotations

import csv
import http.client
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SEED, run_cli

from vanban.review.server import start_in_thread
from vanban.review.store import NOTE_MAX, RunStore

#: a small decision that triggers rules (a repeated word, a misspelling, a TT gap) and carries markup
HOSTILE_DOC = """ỦY BAN NHÂN DÂN TỈNH THỬ
Số: 12/QĐ-UBND
Thử, ngày 05 tháng 01 năm 2021
QUYẾT ĐỊNH
Về việc ban hành Kế hoạch thử nghiệm <script>alert(1)</script> năm 2021
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch thử nghiệm.
Điều 2. Giao các các sở, ban, ngành triển khai thực hiện <b>đậm</b> & "trích dẫn".
Điều 3. Quyết định có hiệu lực kể từ ngày ký.
KẾ HOẠCH
(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2021 của UBND tỉnh)
I. MỤC TIÊU
Phân đấu hoàn thành 100% nhiệm vụ <img src=x onerror=alert(2)>.
PHỤ LỤC
(Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2021 của UBND tỉnh)
TT\tNhiệm vụ\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành
1\tXây dựng <script>alert(3)</script> báo cáo\tBáo cáo\tSở Nội vụ\tCác sở\tTháng 12/2021
3\tKiểm tra các các đơn vị\tKế hoạch\tSở Tư pháp\tSở Nội vụ\tNăm 2021
"""


def run_into(src: Path, out: Path) -> None:
    proc = run_cli("run", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def hostile_run_once(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    src = base / "qd12.txt"
    src.write_text(HOSTILE_DOC, encoding="utf-8")
    run_into(src, base / "out")
    return src, base / "out"


@pytest.fixture
def hostile_run(hostile_run_once, tmp_path) -> tuple[Path, Path]:
    """A fresh copy of the run (its database holds no review yet), with the source beside it."""
    src0, out0 = hostile_run_once
    src = tmp_path / src0.name
    shutil.copy(src0, src)
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    return src, out


@pytest.fixture
def server(hostile_run):
    srv, thread = start_in_thread(hostile_run[1])
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def request(srv, method: str, path: str, *, host: str | None = None, body: bytes | None = None, headers: dict | None = None):
    con = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        h = {"Host": f"127.0.0.1:{srv.port}" if host is None else host, **(headers or {})}
        con.request(method, path, body=body, headers=h)
        resp = con.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
    finally:
        con.close()


def post_review(srv, payload, *, token: str | None = "ok", ctype: str = "application/json", path: str = "/api/review", **kw):
    headers = {"Content-Type": ctype}
    if token is not None:
        headers["X-CSRF-Token"] = srv.csrf_token if token == "ok" else token
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    status, _, text = request(srv, "POST", path, body=body, headers={**headers, **kw.pop("headers", {})}, **kw)
    return status, text


def a_finding(out: Path, rule: str | None = None):
    fs = RunStore(out).findings()
    return next(f for f in fs if rule is None or f.rule == rule)


# --------------------------------------------------------------------------- escaping


def test_document_markup_is_escaped_in_the_page(server, hostile_run):
    for path in ("/", "/doc/qd12.txt", "/doc/qd12.txt?view=tasks", "/doc/qd12.txt?view=full", "/findings"):
        status, headers, text = request(server, "GET", path)
        assert status == 200, path
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>đậm" not in text, path
        assert "script-src 'self'" in headers["Content-Security-Policy"] and "unsafe-inline" not in headers["Content-Security-Policy"]
        # the only script is the server's own file
        assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/app.js" defer>']
    _, _, text = request(server, "GET", "/doc/qd12.txt")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the subject, as text
    _, _, tasks = request(server, "GET", "/doc/qd12.txt?view=tasks")
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in tasks  # a task cell


def test_document_markup_is_escaped_in_the_report(hostile_run):
    from vanban.outputs.report import write_report

    text = write_report(hostile_run[1]).read_text(encoding="utf-8")
    assert "<script" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert re.search(r'<mark class="hl sev-info"[^>]*>các các</mark>', text)  # the evidence highlighted in its paragraph


# --------------------------------------------------------------------------- Host, CSRF, input


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "localhost", "attacker.localhost:{port}", ""])
def test_foreign_host_header_is_refused(server, host):
    status, _, _ = request(server, "GET", "/", host=host.format(port=server.port))
    assert status == 421
    status, _ = post_review(server, {"doc_id": "x", "fingerprint": "y", "state": "confirmed", "reviewer": "A"},
                            host=host.format(port=server.port))
    assert status == 421


def test_localhost_host_header_is_served(server):
    assert request(server, "GET", "/", host=f"localhost:{server.port}")[0] == 200


def test_post_without_or_with_a_wrong_csrf_token_is_refused(server, hostile_run):
    f = a_finding(hostile_run[1])
    payload = {"doc_id": f.doc_id, "fingerprint": f.fingerprint, "state": "confirmed", "reviewer": "A"}
    assert post_review(server, payload, token=None)[0] == 403
    assert post_review(server, payload, token="guess")[0] == 403
    assert post_review(server, payload, headers={"Origin": "http://evil.example"})[0] == 403
    assert RunStore(hostile_run[1]).findings()[0].state == "open"  # nothing stored
    assert post_review(server, payload)[0] == 200


def test_the_page_carries_the_token(server):
    _, _, text = request(server, "GET", "/")
    assert f'<meta name="csrf-token" content="{server.csrf_token}">' in text


def test_post_input_is_validated(server, hostile_run):
    f = a_finding(hostile_run[1])
    ok = {"doc_id": f.doc_id, "fingerprint": f.fingerprint, "state": "dismissed", "reviewer": "A", "note": "n"}
    assert post_review(server, {**ok, "state": "deleted"})[0] == 400
    assert post_review(server, {**ok, "note": "x" * (NOTE_MAX + 1)})[0] == 400
    assert post_review(server, {**ok, "reviewer": ""})[0] == 400
    assert post_review(server, {**ok, "note": 5})[0] == 400
    assert post_review(server, {**ok, "fingerprint": "0000000000000000"})[0] == 400
    assert post_review(server, b"not json")[0] == 400
    assert post_review(server, b"[1, 2]")[0] == 400
    assert post_review(server, json.dumps(ok).encode(), ctype="text/plain")[0] == 415
    assert post_review(server, b"{" + b" " * 20000 + b"}")[0] == 413
    status, text = post_review(server, ok)
    assert status == 200 and json.loads(text)["state"] == "dismissed"


# --------------------------------------------------------------------------- decisions across runs


def test_decisions_survive_a_rerun_and_a_changed_document_needs_a_new_look(hostile_run, tmp_path):
    src, out = hostile_run
    store = RunStore(out)
    typo = a_finding(out, "known_confusion")
    repeated = [f for f in store.findings() if f.rule == "repeated_word"][0]
    store.decide(typo.doc_id, typo.fingerprint, "confirmed", "đúng là lỗi", "Nguyễn Văn A")
    store.decide(repeated.doc_id, repeated.fingerprint, "dismissed", "", "Nguyễn Văn A")

    run_into(src, out)  # same bytes: same doc_id, same fingerprints
    states = {f.fingerprint: f.state for f in RunStore(out).findings()}
    assert states[typo.fingerprint] == "confirmed" and states[repeated.fingerprint] == "dismissed"

    src.write_text(HOSTILE_DOC + "Nơi nhận: Như Điều 3.\n", encoding="utf-8")  # a new version of the file
    run_into(src, out)
    now = RunStore(out).findings()
    assert now and all(f.doc_id != typo.doc_id for f in now)
    typo_now = next(f for f in now if f.rule == "known_confusion")
    assert typo_now.state == "stale" and typo_now.review.state == "confirmed" and typo_now.review.note == "đúng là lỗi"
    assert next(f for f in now if f.rule == "repeated_word" and f.evidence[0]["line"] == repeated.evidence[0]["line"]).state == "stale"
    # reviewing the new version settles it; the old rows are still there
    RunStore(out).decide(typo_now.doc_id, typo_now.fingerprint, "confirmed", "vẫn sai", "B")
    assert next(f for f in RunStore(out).findings() if f.fingerprint == typo_now.fingerprint).state == "confirmed"
    rows = RunStore(out).export_rows()
    assert {r["status"] for r in rows} == {"current", "not_in_run"} and len(rows) == 3


def test_changed_evidence_under_the_same_fingerprint_needs_a_new_look(hostile_run):
    out = hostile_run[1]
    f = a_finding(out)
    store = RunStore(out)
    store.decide(f.doc_id, f.fingerprint, "dismissed", None, "A")
    con = store.connect()
    con.execute("UPDATE reviews SET evidence_hash = 'something-else'")
    con.close()
    assert next(v for v in store.findings() if v.fingerprint == f.fingerprint).state == "stale"


def test_a_run_keeps_the_review_rows(hostile_run):
    src, out = hostile_run
    f = a_finding(out)
    RunStore(out).decide(f.doc_id, f.fingerprint, "confirmed", "giữ", "A")
    run_into(SEED, out)  # another document into the same folder
    con = RunStore(out).connect()
    assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == 1
    con.close()


# --------------------------------------------------------------------------- export and report


def test_export_csv_from_the_command_line(hostile_run, tmp_path):
    out = hostile_run[1]
    f = a_finding(out)
    RunStore(out).decide(f.doc_id, f.fingerprint, "dismissed", "=HYPERLINK(\"x\")", "Trần Thị B")
    dest = tmp_path / "reviews.csv"
    proc = run_cli("review", str(out), "--export", str(dest))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(dest.open(encoding="utf-8-sig", newline="")))
    assert len(rows) == 1
    assert rows[0]["state"] == "dismissed" and rows[0]["reviewer"] == "Trần Thị B" and rows[0]["status"] == "current"
    assert rows[0]["note"].startswith("'=")  # not a formula when opened in a spreadsheet
    assert rows[0]["message"] == f.message


def test_export_link_serves_csv(server, hostile_run):
    f = a_finding(hostile_run[1])
    assert post_review(server, {"doc_id": f.doc_id, "fingerprint": f.fingerprint, "state": "confirmed", "reviewer": "A"})[0] == 200
    status, headers, text = request(server, "GET", "/export.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and "attachment" in headers["Content-Disposition"]
    assert f.fingerprint in text


def test_report_from_the_command_line_for_the_seed(seed_out, tmp_path):
    out = tmp_path / "seed"
    shutil.copytree(seed_out, out)
    proc = run_cli("review", str(out), "--report")
    assert proc.returncode == 0, proc.stderr
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "3248/QĐ-UBND" in text and "<mark " in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)  # nothing to fetch
    assert "<script" not in text and "<link" not in text


def test_review_of_a_folder_without_a_database_is_a_usage_error(tmp_path):
    proc = run_cli("review", str(tmp_path))
    assert proc.returncode == 2 and "vanban run" in proc.stderr
