"""The review page and the report in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
a reviewer goes through the seed's findings with the keyboard alone, on a desktop and on a phone;
decisions persist across reloads and re-runs; the page stays under three screens once decided; every
text is Vietnamese; the report opens with no request leaving the machine; document markup never runs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import SEED, run_cli
from test_review import HOSTILE_DOC, run_into
from vietnamese_text import emitted_english_strings, english_words

from vanban.review.server import start_in_thread
from vanban.review.store import RunStore

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: counts every pointer event the page sees (injected through the DevTools protocol, so the page's CSP allows it)
COUNT_POINTER = """
window.__pointer = 0;
for (const t of ["pointerdown", "mousedown", "mouseup", "touchstart"]) {
  window.addEventListener(t, () => { window.__pointer += 1; }, true);
}
"""
#: the visible words of the page that are the page's own (not the document's text, not the English a click away)
PAGE_WORDS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang=en], script, noscript, .t, .ex, .subject, .path, .msg, .absent, table.tasks td, .docs td.doc .muted')
      .forEach(e => e.remove());
  const attrs = [...document.querySelectorAll('[title], [placeholder], [aria-label]')]
      .map(e => [e.title, e.placeholder, e.getAttribute('aria-label')].join(' '));
  return body.textContent + ' ' + attrs.join(' ') + ' ' + document.title;
}"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def new_page(browser, width: int = 1400, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    context.add_init_script(COUNT_POINTER)
    pg = context.new_page()
    pg.dialogs = []  # any alert() would be document markup running
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    return pg


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()


@pytest.fixture
def phone(browser):
    pg = new_page(browser, 390, 844)
    yield pg
    pg.context.close()


@pytest.fixture
def seed_server(seed_out, tmp_path):
    out = tmp_path / "seed"
    shutil.copytree(seed_out, out)
    srv, thread = start_in_thread(out)
    yield srv, out
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def no_horizontal_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


class Keys:
    """The reviewer's keyboard: every key press counted."""

    def __init__(self, pg):
        self.pg, self.presses = pg, 0

    def press(self, key: str) -> None:
        self.pg.keyboard.press(key)
        self.presses += 1

    def type(self, text: str) -> None:  # a name or a note: words, not commands (not counted)
        self.pg.keyboard.type(text)


#: the rule whose findings the reviewer dismisses together (Shift+D, one note): the seed has three
BULK_RULE = "unmeasurable_target"


def review_all_by_keyboard(pg, keys: Keys, base: str, *, check=None) -> dict[str, int]:
    """From the list of documents to the last finding of the seed with keys only: n to the document,
    c for most, D with one note for the unmeasurable_target group, d with a note for one more.
    Returns the key presses spent on each decision step, by the number of findings it decided."""
    pg.goto(base + "/")
    keys.press("n")  # the first document with findings to review
    pg.wait_for_url(re.compile(r"/doc/000_2460ae3cff98ef28\.txt$"))
    total = pg.locator("article.finding").count()
    done = pg.locator("[data-role=done]")
    steps: dict[str, int] = {}
    decided, named, noted = 0, False, False
    while decided < total:
        cur = pg.locator("article.finding.cur")
        rule, line, before = cur.get_attribute("data-rule"), cur.locator("a.place").first.text_content(), keys.presses
        open_in_group = pg.locator(f'article.finding[data-rule="{rule}"][data-state="open"]').count()
        if rule == BULK_RULE and open_in_group > 1:
            keys.press("Shift+D")
            keys.type("Chỉ tiêu định tính, chấp nhận được")
            keys.press("Enter")
            n = open_in_group
        elif rule == "repeated_word" and not noted:
            keys.press("d")
            keys.type("Đã sửa ở bản ký")
            keys.press("Enter")
            noted, n = True, 1
        else:
            keys.press("c")
            n = 1
        if not named:  # the first decision asks for the reviewer's name once
            pg.locator("#reviewer:focus").wait_for()
            keys.type("Nguyễn Văn A")
            keys.press("Enter")
            named = True
            before += 1  # the Enter after the name is not spent on this finding
        decided += n
        done.filter(has_text=re.compile(rf"^{decided}$")).wait_for()
        steps[f"{rule} ({line}) x{n}"] = keys.presses - before
        assert keys.presses - before <= 3 * n
        if check:
            check(pg)
    return steps


def assert_all_decided(out: Path) -> int:
    """Every finding of the run decided by the reviewer (in the database); returns how many."""
    fs = RunStore(out).findings()
    assert len(fs) >= 10
    assert all(f.state in ("confirmed", "dismissed") and f.review.reviewer == "Nguyễn Văn A" for f in fs)
    dismissed = [f for f in fs if f.state == "dismissed"]
    assert {f.rule for f in dismissed} == {BULK_RULE, "repeated_word"}
    assert len([f for f in dismissed if f.rule == BULK_RULE]) > 1
    assert all(f.review.note for f in dismissed)
    return len(fs)


def test_a_reviewer_goes_through_the_seed_with_the_keyboard_alone(page, seed_server, tmp_path):
    srv, out = seed_server
    base = f"http://127.0.0.1:{srv.port}"
    keys = Keys(page)
    steps = review_all_by_keyboard(page, keys, base)
    presses = keys.presses
    total = assert_all_decided(out)
    assert presses <= 3 * total, steps
    assert page.evaluate("window.__pointer") == 0  # no mouse, no touch

    # u takes the last decision back, c makes it again
    last = page.locator("article.finding.cur").get_attribute("data-fp")
    keys.press("u")
    page.locator(f'article.finding[data-fp="{last}"]:not(.decided)').wait_for()
    assert next(f for f in RunStore(out).findings() if f.fingerprint == last).state == "open"
    keys.press("c")
    page.locator(f'article.finding[data-fp="{last}"].decided').wait_for()
    assert_all_decided(out)

    # persisted: a reload shows every finding decided, each one line
    page.reload()
    cards = page.locator("article.finding")
    assert cards.count() == total == page.locator("article.finding.decided").count()
    heights = [cards.nth(i).bounding_box()["height"] for i in range(total)]
    assert max(heights) < 30, heights  # one line each
    assert all(cards.nth(i).is_visible() for i in range(total))
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nseed page, every finding decided: {height} px tall at 1400x900 ({height / 900:.2f} screens); "
          f"{presses} key presses for {total} findings (n to the document, the Enter after the name included): {steps}")
    assert height < 3 * 900
    page.screenshot(path=str(tmp_path / "seed-decided.png"), full_page=True)


def test_a_reviewer_on_a_phone_with_no_horizontal_scroll(phone, seed_server, tmp_path):
    srv, out = seed_server
    base = f"http://127.0.0.1:{srv.port}"
    keys = Keys(phone)
    for path in ("/", "/findings", "/doc/000_2460ae3cff98ef28.txt?view=tasks", "/doc/000_2460ae3cff98ef28.txt?view=full"):
        phone.goto(base + path)
        assert no_horizontal_scroll(phone), path
    phone.goto(base + "/doc/000_2460ae3cff98ef28.txt")
    keys.press("?")
    phone.locator("dialog#help[open]").wait_for()
    assert no_horizontal_scroll(phone)
    keys.press("Escape")
    steps = review_all_by_keyboard(phone, keys, base, check=lambda pg: None if no_horizontal_scroll(pg) else pytest.fail(pg.url))
    total = assert_all_decided(out)
    assert keys.presses <= 3 * total + 2, steps  # the help opened and closed once
    assert phone.evaluate("window.__pointer") == 0
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "phone.png"))
    assert run_cli("review", str(out), "--report").returncode == 0
    phone.goto((out / "report.html").as_uri())
    assert no_horizontal_scroll(phone)


def test_clicking_a_finding_goes_to_its_passage_and_back(page, seed_server):
    srv, _ = seed_server
    page.goto(f"http://127.0.0.1:{srv.port}/doc/000_2460ae3cff98ef28.txt")
    card = page.locator("article.finding", has=page.locator("a.place", has_text="dòng 270")).first
    card.locator("a.place", has_text="dòng 270").click()
    mark = page.locator("mark.hl", has_text="3218/QĐ-UBND").first
    assert mark.is_visible() and mark.evaluate("m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    page.mouse.wheel(0, -5000)
    mark.click()
    assert card.evaluate("c => c.classList.contains('cur') && document.activeElement === c")
    assert card.evaluate("c => { const r = c.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")
    # the exact words are marked, not the cell around them
    marks = page.locator('tr#L310 mark.hl').all_inner_texts()
    assert "Sở TTTT" in marks and "Sở KH&CN" in marks and not any("Sở Nội vụ" in m for m in marks)


def test_every_text_on_the_pages_is_vietnamese(page, seed_server, tmp_path):
    srv, out = seed_server
    base = f"http://127.0.0.1:{srv.port}"
    emitted = emitted_english_strings()
    seen = []

    def scan(where: str) -> None:
        text = page.evaluate(PAGE_WORDS)
        seen.append(where)
        assert not english_words(text), (where, english_words(text))
        assert not [s for s in emitted if s in text], where

    doc = "/doc/000_2460ae3cff98ef28.txt"
    for path in ("/", doc, doc + "?view=full", doc + "?view=tasks", doc + "?severity=error&state=dismissed",
                 "/findings", "/findings?page=2", "/doc/khong-co.txt", "/khong-co"):
        page.goto(base + path)
        scan(path)
    page.goto(base + doc)
    page.keyboard.press("c")  # no name yet: the page asks for it
    page.locator("#toast.on").wait_for()
    scan("asking for a name")
    page.fill("#reviewer", "B")
    page.keyboard.press("Enter")
    page.locator("[data-role=done]", has_text="1").wait_for()
    scan("after a decision")
    page.keyboard.press("Shift+D")
    scan("a note for a group")
    page.keyboard.press("Escape")
    page.keyboard.press("u")
    page.locator("[data-role=done]", has_text="0").wait_for()
    scan("after an undo")
    page.keyboard.press("?")
    scan("the keyboard help")
    page.keyboard.press("Escape")
    RunStore(out).decide_many(RunStore(out).findings()[0].doc_id, [f.fingerprint for f in RunStore(out).findings()],
                              "confirmed", None, "B")
    page.goto(base + "/next")
    scan("nothing left to review")
    assert run_cli("review", str(out), "--report").returncode == 0
    page.goto((out / "report.html").as_uri())
    scan("report.html")
    assert len(seen) == 16


def test_decisions_made_in_the_page_survive_a_rerun_and_markup_never_runs(page, tmp_path):
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
        typo = page.locator('article.finding[data-rule="known_confusion"]')
        typo.locator("button[data-act=dismissed]").click()
        page.fill("#note-text", "Đúng là lỗi chính tả <b>x</b>")
        page.get_by_role("button", name="Xác nhận kèm ghi chú").click()
        page.locator('article.finding[data-rule="known_confusion"][data-state=confirmed]').wait_for()
        repeated = page.locator('article.finding[data-rule="repeated_word"]').first
        repeated.locator(".fh").click()
        repeated.locator("button[data-act=confirmed]").click()
        page.locator('article.finding[data-rule="repeated_word"][data-state=confirmed]').first.wait_for()

        run_into(src, out)  # the pipeline runs again on the same document, into the same folder
        page.reload()
        assert page.input_value("#reviewer") == "Nguyễn Văn A"  # kept in localStorage
        assert typo.get_attribute("data-state") == "confirmed"
        assert "Đúng là lỗi chính tả <b>x</b>" in typo.locator("[data-role=decision]").text_content()  # the note, as text
        assert page.locator("mark.hl", has_text="Phân đấu").count() == 1
        assert "<script>alert(1)</script>" in page.locator(".subject").inner_text()  # markup shown, never run
        assert page.locator("main script, main img, main b").count() == 0

        page.select_option("select[name=state]", "confirmed")  # filters apply on change
        page.wait_for_url(re.compile(r"state=confirmed"))
        assert page.locator("article.finding").count() == 2
        page.keyboard.press("t")
        page.wait_for_url(re.compile(r"view=tasks"))
        assert page.locator("table.tasks tbody tr:not(.section)").count() == 2
        assert "<script>alert(3)</script>" in page.locator("table.tasks").inner_text()
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
    fs = RunStore(out).findings()
    assert page.locator("article.finding").count() == len(fs)
    assert page.locator("mark", has_text="3218/QĐ-UBND").count() >= 1
    by = {s: sum(f.severity == s for f in fs) for s in ("error", "warning", "info")}
    assert [h.inner_text() for h in page.locator("h3.sev-group").all()] == [
        f"Lỗi {by['error']} phát hiện", f"Cảnh báo {by['warning']} phát hiện", f"Lưu ý {by['info']} phát hiện"]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


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
    assert SEED.exists()
