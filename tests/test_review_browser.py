"""The review page and the report in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
a reviewer marks findings, the pipeline runs again, the decisions are still there; the report opens
with no request leaving the machine; document markup never runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEED, run_cli
from test_review import HOSTILE_DOC, run_into

from vanban.review.server import start_in_thread

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    pg = context.new_page()
    pg.dialogs = []  # any alert() would be document markup running
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def card(page, rule: str, nth: int = 0):
    return page.locator("article.finding", has=page.locator("code.rule", has_text=rule)).nth(nth)


def test_reviewer_marks_findings_and_they_survive_a_rerun(page, tmp_path):
    src = tmp_path / "qd12.txt"
    src.write_text(HOSTILE_DOC, encoding="utf-8")
    out = tmp_path / "out"
    run_into(src, out)
    srv, thread = start_in_thread(out)
    try:
        base = f"http://127.0.0.1:{srv.port}"
        page.goto(base + "/")
        page.get_by_role("link", name="Quyết định số 12/QĐ-UBND").click()
        page.fill("#reviewer", "Nguyễn Văn A")

        typo = card(page, "known_confusion")
        typo.locator("textarea").fill("Đúng là lỗi chính tả <b>x</b>")
        typo.get_by_role("button", name="Xác nhận").click()
        page.locator("article.finding[data-state=confirmed]").wait_for()  # the page's CSP forbids eval: no wait_for_function
        repeated = card(page, "repeated_word")
        repeated.get_by_role("button", name="Bác bỏ").click()
        page.locator("article.finding[data-state=dismissed]").wait_for()
        assert "Đã lưu" in repeated.locator(".status").inner_text()

        # the pipeline runs again on the same document, into the same folder
        run_into(src, out)
        page.reload()
        assert page.input_value("#reviewer") == "Nguyễn Văn A"  # kept in localStorage
        typo, repeated = card(page, "known_confusion"), card(page, "repeated_word")
        assert typo.get_attribute("data-state") == "confirmed"
        assert repeated.get_attribute("data-state") == "dismissed"
        assert "Nguyễn Văn A" in typo.locator(".decision").inner_text()
        assert "Đúng là lỗi chính tả <b>x</b>" in typo.locator(".decision").inner_text()  # the note, as text
        assert typo.locator("mark").first.inner_text() == "Phân đấu"

        # document markup is shown, never run
        assert "<script>alert(1)</script>" in page.locator(".docmeta").inner_text()
        assert page.locator("main script, main img, main b").count() == 0

        # the filters narrow the list
        page.select_option("select[name=state]", "dismissed")
        page.get_by_role("button", name="Lọc").click()
        assert page.locator("article.finding").count() == 1
        page.screenshot(path=str(tmp_path / "review-filtered.png"), full_page=True)

        page.goto(page.url.split("?")[0])
        page.screenshot(path=str(tmp_path / "review.png"), full_page=False)

        page.get_by_role("link", name="Bảng nhiệm vụ và văn bản gốc").click()
        assert page.locator("table.tasks tbody tr").count() == 2
        assert "<script>alert(3)</script>" in page.locator("table.tasks").inner_text()
        page.screenshot(path=str(tmp_path / "tasks.png"))
        assert page.dialogs == []
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_report_of_the_seed_opens_with_no_request_leaving_the_machine(page, seed_out, tmp_path):
    out = tmp_path / "seed"
    shutil.copytree(seed_out, out)
    proc = run_cli("review", str(out), "--report")
    assert proc.returncode == 0, proc.stderr
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
    page.goto((out / "report.html").as_uri())
    page.wait_for_load_state("networkidle")
    assert requests and all(u.startswith(("file:", "data:")) for u in requests), requests
    assert page.locator("article.finding").count() >= 1
    assert page.locator("mark", has_text="3218/QĐ-UBND").count() >= 1
    page.screenshot(path=str(tmp_path / "report.png"))


def test_report_shows_document_markup_as_text(page, tmp_path):
    src = tmp_path / "qd12.txt"
    src.write_text(HOSTILE_DOC, encoding="utf-8")
    out = tmp_path / "out"
    run_into(src, out)
    proc = run_cli("review", str(out), "--report")
    assert proc.returncode == 0, proc.stderr
    page.goto((out / "report.html").as_uri())
    assert "<script>alert(1)</script>" in page.locator("body").inner_text()
    assert page.locator("main script, main img, main b").count() == 0
    assert page.dialogs == []
