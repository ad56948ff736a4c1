"""The README's screenshots of the review page, taken in Debian's Chromium with Playwright on the seed.

    .venv/bin/python scripts/review_screenshots.py            # writes docs/screenshots/review-*.png

The seed is run into a temporary folder; a reviewer (keys only) decides the first findings, so the
pictures show decided findings collapsed to one line beside open ones.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "samples" / "000_2460ae3cff98ef28.txt"
DEST = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main() -> int:
    from playwright.sync_api import sync_playwright

    from vanban.review.server import start_in_thread

    DEST.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([sys.executable, "-m", "vanban.cli", "run", str(SEED), "-o", str(out), "--no-validate", "-q"],
                       check=True, capture_output=True)
        srv, thread = start_in_thread(out)
        base = f"http://127.0.0.1:{srv.port}/doc/{SEED.name}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                desk = browser.new_page(viewport={"width": 1400, "height": 900}, locale="vi-VN")
                desk.goto(base)
                desk.fill("#reviewer", "Nguyễn Văn A")
                desk.keyboard.press("Escape")
                for _ in range(3):
                    desk.keyboard.press("c")
                    desk.wait_for_timeout(300)
                desk.keyboard.press("d")
                desk.keyboard.type("Đã sửa ở bản ký")
                desk.keyboard.press("Enter")
                desk.wait_for_timeout(400)
                desk.evaluate("window.scrollTo(0, 0)")
                desk.wait_for_timeout(3000)  # the message at the bottom fades
                desk.screenshot(path=str(DEST / "review-document.png"))
                desk.keyboard.press("?")
                desk.screenshot(path=str(DEST / "review-help.png"))
                phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN", device_scale_factor=2)
                phone.goto(base + "#L308")
                phone.wait_for_timeout(300)
                phone.evaluate("document.getElementById('L308').scrollIntoView({block: 'start'})")
                phone.screenshot(path=str(DEST / "review-phone.png"))
                browser.close()
        finally:
            srv.shutdown()
            srv.server_close()
            thread.join(5)
    for f in sorted(DEST.glob("review-*.png")):
        print(f.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
