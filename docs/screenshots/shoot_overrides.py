"""Take docs/screenshots/overrides.png from a running demo server: the demo manager overrides a
green account's color to red through the account page, then the page is shot with the override
marked beside the computed color and the override panel.

    rm -f /tmp/hs-shots.sqlite3
    export DEBUG=true DATABASE_URL=sqlite:////tmp/hs-shots.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8031 &
    .venv/bin/python docs/screenshots/shoot_overrides.py http://127.0.0.1:8031

Debian's Chromium, like the browser tests.
"""

import datetime as dt
import sys

from shots import HERE, logged_in


def main(base: str) -> None:
    with logged_in(base) as page:
        # The green account with the largest ARR: a color a manager knows to be wrong.
        page.goto(f"{base}/accounts/?color=green&sort=-arr")
        page.locator("table tbody tr a").first.click()
        panel = page.locator("#override")
        panel.get_by_label("Red").check()
        panel.get_by_label("Reason").fill(
            "Champion left last week; the renewal is at risk until a new sponsor is named."
        )
        panel.get_by_label("Until (last day)").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
        panel.get_by_role("button", name="Set override").click()
        page.wait_for_load_state()
        page.screenshot(
            path=str(HERE / "overrides.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 820}, full_page=True
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8031")
