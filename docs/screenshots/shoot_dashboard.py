"""Take docs/screenshots/dashboard.png from a running server with the demo data.

DATABASE_URL=sqlite:////tmp/hs3b.sqlite3 DEBUG=true .venv/bin/python manage.py migrate
DATABASE_URL=sqlite:////tmp/hs3b.sqlite3 DEBUG=true .venv/bin/python manage.py seed_demo
DATABASE_URL=sqlite:////tmp/hs3b.sqlite3 DEBUG=true .venv/bin/python manage.py runserver 127.0.0.1:8032
.venv/bin/python docs/screenshots/shoot_dashboard.py [http://127.0.0.1:8032] [--phone]
"""

import sys

from shots import HERE, logged_in


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    base = args[0] if args else "http://127.0.0.1:8032"
    phone = "--phone" in sys.argv
    with logged_in(base, viewport={"width": 390, "height": 844} if phone else None) as page:
        page.goto(f"{base}/dashboard/")
        name = "dashboard-phone.png" if phone else "dashboard.png"
        # The top of the page down to the first rows of the list; the rest is more of the same.
        height = min(page.evaluate("document.documentElement.scrollHeight"), 3000 if phone else 2600)
        width = page.viewport_size["width"]
        page.screenshot(path=str(HERE / name), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        print(HERE / name)


if __name__ == "__main__":
    main()
