"""Take docs/screenshots/quality.png (Scorecard quality, with a draft) from a running demo server.

    rm -f /tmp/hs-shots.sqlite3
    export DEBUG=true DATABASE_URL=sqlite:////tmp/hs-shots.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8031 &
    .venv/bin/python docs/screenshots/shoot_quality.py http://127.0.0.1:8031

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
        # Enterprise renewals, and a draft whose yellow band starts at 60 instead of 51.
        page.goto(f"{base}/quality/?segment=enterprise&yellow_min_score=60")
        page.locator("details.draft").evaluate("d => d.open = false")
        page.screenshot(
            path=str(HERE / "quality.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 1700}, full_page=True
        )
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8031")
