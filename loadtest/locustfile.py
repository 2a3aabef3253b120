"""The load test's users (locust): TAMs and managers doing what they do in a day.

Run through `make loadtest` (loadtest/run.py starts gunicorn, a worker and this, headless and
bounded in time). Five TAMs for every manager; each user logs in once with the demo password
(seed_demo), then, with 2 to 8 seconds of reading between pages:

- TAM: My accounts, an account page of theirs, its meeting notes, and now and then a sentiment
  save from the account page (the form posts, the page answers with a redirect, which is
  followed: the save is timed with the page it lands on).
- Manager: the dashboard, an account page, its meeting notes.
"""

import random
import re

from locust import HttpUser, between, task

PASSWORD = "healthscore-demo"  # accounts.demo.DEMO_PASSWORD: seed_demo's logins
TAMS = ("ana", "ben", "chloe", "dev", "emma", "felix")
MANAGERS = ("manager",)
ACCOUNT_LINK = re.compile(r'href="/accounts/([A-Za-z0-9._-]+)/"')
COLORS = ("green", "yellow", "red")


class Healthscore(HttpUser):
    abstract = True
    wait_time = between(2, 8)
    usernames: tuple[str, ...] = ()
    start_page = "/"

    def on_start(self):
        self.client.get("/login/", name="login page")
        self.client.post(
            "/login/",
            {
                "username": random.choice(self.usernames),
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{self.host}/login/"},
            name="login",
        )
        page = self.client.get(self.start_page, name=self.start_name)
        self.accounts = sorted(set(ACCOUNT_LINK.findall(page.text))) or ["none"]

    def _account(self) -> str:
        return random.choice(self.accounts)

    def account_page(self):
        self.client.get(f"/accounts/{self._account()}/", name="account page")

    def notes(self):
        self.client.get(f"/notes/accounts/{self._account()}/", name="notes")


class Tam(Healthscore):
    weight = 5
    usernames = TAMS
    start_page, start_name = "/my/", "my accounts"

    @task(4)
    def my_accounts(self):
        self.client.get("/my/", name="my accounts")

    @task(4)
    def account(self):
        self.account_page()

    @task(2)
    def meeting_notes(self):
        self.notes()

    @task(1)
    def sentiment_save(self):
        account = self._account()
        with self.client.post(
            f"/accounts/{account}/sentiment/",
            {
                "color": random.choice(COLORS),
                "reason": "Load test: weekly check-in",
                "origin": "account",
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{self.host}/accounts/{account}/"},
            name="sentiment save",
            catch_response=True,
        ) as response:
            # Saved: a redirect back to the account page. A form error answers without one.
            if response.ok and not response.history:
                response.failure("not saved (no redirect)")


class Manager(Healthscore):
    weight = 1
    usernames = MANAGERS
    start_page, start_name = "/dashboard/", "dashboard"

    @task(4)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")

    @task(2)
    def account(self):
        self.account_page()

    @task(1)
    def meeting_notes(self):
        self.notes()
