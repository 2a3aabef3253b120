"""Take docs/screenshots/accounts-filtered.png and renewals.png from a running demo server.

    rm -f /tmp/hs-shots.sqlite3
    export DEBUG=true DATABASE_URL=sqlite:////tmp/hs-shots.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8031 &
    .venv/bin/python docs/screenshots/shoot_lists.py http://127.0.0.1:8031

Logs in as the demo manager; Debian's Chromium, like the browser tests.
"""

import sys

from shots import HERE, logged_in


def main(base: str) -> None:
    with logged_in(base) as page:
        # A bookmarkable view: red and yellow EMEA accounts renewing within 180 days, largest ARR first.
        page.goto(f"{base}/accounts/?color=red&color=yellow&region=EMEA&renewal=180&sort=-arr")
        page.screenshot(
            path=str(HERE / "accounts-filtered.png"),
            clip={"x": 0, "y": 0, "width": 1280, "height": 1100},
            full_page=True,
        )
        page.goto(f"{base}/dashboard/renewals/?within=90")
        page.screenshot(
            path=str(HERE / "renewals.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 1100}, full_page=True
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8031")
