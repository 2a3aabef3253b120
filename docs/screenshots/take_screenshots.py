"""Retake the TAM screenshots in this folder from a running demo server.

    rm -f /tmp/hs-shots.sqlite3
    export DEBUG=true DATABASE_URL=sqlite:////tmp/hs-shots.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8031 &
    .venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:8031 docs/screenshots

Uses Debian's Chromium, like the browser tests; logs in as the demo TAM "ana".
"""

import sys

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", "healthscore-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/my/")


def main(base: str, out: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, base)
        # The inline update panel open on the second row, as a TAM sees it.
        page.locator("details.inline-update summary").nth(1).click()
        page.locator("tbody.account-row").nth(1).get_by_role("radio", name="Yellow").check()
        # The preview before saving: what the overall color becomes and who is told.
        page.locator("tbody.account-row").nth(1).locator(".sentiment-preview p").first.wait_for()
        page.screenshot(path=f"{out}/my-accounts.png")
        href = page.locator("tbody.account-row th a").first.get_attribute("href")
        page.goto(base + href)
        page.screenshot(path=f"{out}/account.png", full_page=True)
        page.close()
        page = browser.new_page(viewport={"width": 390, "height": 844})
        log_in(page, base)
        page.goto(base + href)
        height = page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": 390, "height": min(height, 2400)}
        page.screenshot(path=f"{out}/account-phone.png", full_page=True, clip=clip)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
