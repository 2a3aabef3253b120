"""Take docs/screenshots/whatif.png (the scorecard what-if preview in Django admin) from a
running demo server.

    rm -f /tmp/hs-shots.sqlite3
    export DEBUG=true DATABASE_URL=sqlite:////tmp/hs-shots.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8031 &
    .venv/bin/python docs/screenshots/shoot_whatif.py http://127.0.0.1:8031

Logs in as the demo admin, raises the Enterprise bands (green from 90 instead of 76, yellow
from 65 instead of 51) and photographs the preview; nothing is applied. The demo admin has no
password outside the embedded demo: set one first (`manage.py changepassword admin`, here
"healthscore-demo"). Debian's Chromium,
like the browser tests.
"""

import sys

from shots import HERE, logged_in


def main(base: str) -> None:
    with logged_in(base, "admin") as page:
        page.goto(f"{base}/admin/accounts/scorecardconfig/")
        page.get_by_role("link", name="Enterprise").first.click()
        page.get_by_label("Green min score").fill("90")
        page.get_by_label("Yellow min score").fill("65")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_selector("#whatif-summary")
        page.screenshot(
            path=str(HERE / "whatif.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 1500}, full_page=True
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8031")
