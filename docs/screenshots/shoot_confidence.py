"""Take docs/screenshots/confidence.png (the dashboard's low-confidence list) and
confidence-account.png (an account's scorecard with its confidence and why) from a running demo.

    rm -f /tmp/hs-confidence.sqlite3
    export DEBUG=true DATABASE_URL=sqlite:////tmp/hs-confidence.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --accounts 300
    .venv/bin/python manage.py runserver 127.0.0.1:8093 &
    .venv/bin/python docs/screenshots/shoot_confidence.py http://127.0.0.1:8093

Logs in as the demo manager; Debian's Chromium, like the browser tests.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login/")
        page.get_by_label("Username").fill("manager")
        page.get_by_label("Password").fill("healthscore-demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        # The green accounts whose score rests least on fresh data: lowest confidence first.
        page.goto(f"{base}/dashboard/?color=green&confidence_below=50&sort=confidence")
        box = page.locator(".risk-list").bounding_box()
        page.screenshot(
            path=str(HERE / "confidence.png"),
            clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": 620},
            full_page=True,
        )
        page.locator(".risk-list tbody tr").first.get_by_role("link").first.click()
        page.wait_for_load_state()
        page.locator(".scorecard").screenshot(path=str(HERE / "confidence-account.png"))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8093")
