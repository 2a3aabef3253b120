"""What the screenshot scripts in this folder share: Debian's Chromium, as the browser tests
drive it, and a page logged in as a demo user (password `healthscore-demo`)."""

import contextlib
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DEMO_PASSWORD = "healthscore-demo"


@contextlib.contextmanager
def logged_in(base: str, username: str = "manager", viewport: dict | None = None):
    """A browser page at `base`, logged in as `username`; the browser closes on the way out."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
            page.goto(f"{base}/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            yield page
        finally:
            browser.close()
