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

from shots import HERE, logged_in


def main(base: str) -> None:
    with logged_in(base) as page:
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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8093")
