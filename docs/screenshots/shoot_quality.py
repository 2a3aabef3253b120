"""Take docs/screenshots/quality.png (Scorecard quality, with a draft) from a running demo server.

    rm -f /tmp/hs-shots.sqlite3
    export DEBUG=true DATABASE_URL=sqlite:////tmp/hs-shots.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8031 &
    .venv/bin/python docs/screenshots/shoot_quality.py http://127.0.0.1:8031

Logs in as the demo manager; Debian's Chromium, like the browser tests.
"""

import sys

from shots import HERE, logged_in


def main(base: str) -> None:
    with logged_in(base) as page:
        # Enterprise renewals, and a draft whose yellow band starts at 60 instead of 51.
        page.goto(f"{base}/quality/?segment=enterprise&yellow_min_score=60")
        page.locator("details.draft").evaluate("d => d.open = false")
        page.screenshot(
            path=str(HERE / "quality.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 1700}, full_page=True
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8031")
