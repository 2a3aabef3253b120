"""The benchmark's rows: what a year of N accounts looks like, generated from a seeded random
generator (the same data on every database). bench/data.py loads them."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

DAY = dt.date(2026, 11, 24)  # D, "the normal day" the benchmark scores
WEEKS = 13
TAMS, SALS, SAS = 60, 25, 15

# Per account and year (a mean; each account draws its own rate).
MEETINGS_PER_YEAR = 10
TICKETS_PER_YEAR = 20
HELD_SHARE = 0.85
DAY_SENTIMENT_SHARE = 0.02  # accounts whose TAM records a new, different color on D


# --- The rows --------------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    "id, external_id, name, segment, arr, region, public_sector, tam_id, sal_id, solutions_architect_id, "
    "onboarding, renewal_date, created_at, updated_at, sentiment_reason"
)
MEETING_COLUMNS = "account_id, date, kind, status, attendees, summary, logged_by_id, created_at"
TICKET_COLUMNS = "account_id, external_id, subject, opened, severity, status, closed"
SENTIMENT_COLUMNS = "account_id, color, reason, author_id, date, source, created_at"
PLAN_COLUMNS = "account_id, external_id, status, title, updated_at"

REGIONS = ("US-WEST", "US-EAST", "EMEA", "APAC", "LATAM")
KINDS = ("cadence",) * 12 + ("ebr",) * 2 + ("onboarding",) * 2 + ("other",) * 4
NOT_HELD = ("cancelled", "cancelled", "no_show")
SEVERITIES = ("low", "normal", "normal", "normal", "high", "urgent")
COLORS = ("green", "yellow", "red")
SOURCES = ("scorecard", "scorecard", "account_list", "activity", "meeting_note")
REASONS = {
    "green": "Bench: sponsor engaged, adoption growing",
    "yellow": "Bench: champion left, adoption flat",
    "red": "Bench: escalation open, renewal at risk",
}


def _date(days_before_d: int) -> str:
    return (DAY - dt.timedelta(days=days_before_d)).isoformat()


def _stamp(days_before_d: int, minutes: int) -> str:
    """A naive UTC timestamp on that day (Django stores UTC; the PostgreSQL session is UTC)."""
    return f"{_date(days_before_d)} {9 + minutes // 60:02}:{minutes % 60:02}:00"


class Plan:
    """Every account's traits and activity rates, drawn once from a seeded generator; each table's
    rows come from its own seeded stream, so the data is the same on every database."""

    def __init__(self, n: int, users: dict[str, list[int]]) -> None:
        rng = random.Random(f"accounts-{n}")
        self.n = n
        self.users = users
        self.segment = ["enterprise" if rng.random() < 0.45 else "commercial" for _ in range(n)]
        # ARR: log-normal, enterprise around 250k and commercial around 30k, from 5k to 2M.
        self.arr = [
            min(
                2_000_000,
                max(5_000, round(rng.lognormvariate(math.log(250_000 if s == "enterprise" else 30_000), 1.0), -2)),
            )
            for s in self.segment
        ]
        self.tam = [users["tam"][i % TAMS] if rng.random() < 0.99 else None for i in range(n)]
        rng.shuffle(self.tam)
        # Activity rates: log-normal around the mean (a few accounts meet weekly, some never).
        self.meeting_rate = [MEETINGS_PER_YEAR * rng.lognormvariate(0, 0.7) / math.exp(0.245) for _ in range(n)]
        self.ticket_rate = [
            TICKETS_PER_YEAR * rng.lognormvariate(0, 1.1) / math.exp(0.605) * (1.5 if s == "enterprise" else 0.6)
            for s in self.segment
        ]
        # The TAM's usual read of the account: about 60 % green, 27 % yellow, 13 % red.
        self.usual = [rng.choices(COLORS, (60, 27, 13))[0] for _ in range(n)]
        self.in_force: list[str | None] = [None] * n  # the latest history sentiment per account
        self.rng = rng

    def accounts(self) -> Iterator[tuple]:
        rng, users = random.Random(f"account-rows-{self.n}"), self.users
        created = _stamp(400, 0)
        for i in range(self.n):
            yield (
                i + 1,
                f"B{i + 1:07d}",
                f"Bench account {i + 1}",
                self.segment[i],
                f"{self.arr[i]:.2f}",
                REGIONS[rng.randrange(5)],
                rng.random() < 0.15,
                self.tam[i],
                rng.choice(users["sal"]),
                rng.choice(users["sa"]) if rng.random() < 0.7 else None,
                rng.random() < 0.05,
                _date(-rng.randrange(1, 365)),
                created,
                created,
                "",  # the engine's read model fills it when it scores
            )

    def meetings(self, *, history: bool) -> Iterator[tuple]:
        rng = random.Random(f"meetings-{self.n}-{history}")
        for i in range(self.n):
            count = _poisson(rng, self.meeting_rate[i] * (1 if history else 1 / 365))
            for _ in range(count):
                days = rng.randrange(1, 366) if history else 0
                status = "held" if rng.random() < HELD_SHARE else rng.choice(NOT_HELD)
                yield (
                    i + 1,
                    _date(days),
                    rng.choice(KINDS),
                    status,
                    "",
                    "",
                    self.tam[i],
                    _stamp(days, rng.randrange(480)),
                )

    def tickets(self, *, history: bool) -> Iterator[tuple]:
        rng = random.Random(f"tickets-{self.n}-{history}")
        prefix = "T" if history else "TD"
        number = 0
        for i in range(self.n):
            for _ in range(_poisson(rng, self.ticket_rate[i] * (1 if history else 1 / 365))):
                number += 1
                days = rng.randrange(1, 366) if history else 0
                closed = days > 3 and rng.random() < 0.9
                yield (
                    i + 1,
                    f"{prefix}{number}",
                    "Bench ticket",
                    _date(days),
                    rng.choice(SEVERITIES),
                    "closed" if closed else rng.choice(("new", "open", "pending")),
                    _date(days - rng.randrange(0, min(days, 30))) if closed else None,
                )

    def sentiments(self, *, history: bool) -> Iterator[tuple]:
        """History: 0-5 entries per account (2 on average) over the last 6 months, some two on
        one day. D: a new, different color for ~2 % of the accounts."""
        rng = random.Random(f"sentiment-{self.n}-{history}")
        for i in range(self.n):
            if history:
                entries = []
                for _ in range(rng.choices((0, 1, 2, 3, 4, 5), (8, 27, 32, 20, 9, 4))[0]):
                    same_day = entries and rng.random() < 0.08
                    days = entries[-1][0] if same_day else rng.randrange(1, 183)
                    color = self.usual[i] if rng.random() < 0.8 else rng.choice(COLORS)
                    entries.append((days, rng.randrange(480), color))
                for days, minutes, color in entries:
                    yield self._sentiment(i, days, minutes, color, rng)
                if entries:
                    self.in_force[i] = min(entries, key=lambda e: (e[0], -e[1]))[2]
            elif rng.random() < DAY_SENTIMENT_SHARE:
                color = rng.choice([c for c in COLORS if c != self.in_force[i]])
                yield self._sentiment(i, 0, rng.randrange(480), color, rng)

    def _sentiment(self, i: int, days: int, minutes: int, color: str, rng: random.Random) -> tuple:
        return (i + 1, color, REASONS[color], self.tam[i], _date(days), rng.choice(SOURCES), _stamp(days, minutes))

    def plans(self) -> Iterator[tuple]:
        """About one plan per account: 70 % have one, 15 % two; active, draft or closed."""
        rng = random.Random(f"plans-{self.n}")
        updated = _stamp(30, 0)
        for i in range(self.n):
            for k in range(rng.choices((0, 1, 2), (15, 70, 15))[0]):
                status = rng.choices(("active", "draft", "closed"), (55, 30, 15))[0]
                yield (i + 1, f"P{i + 1}-{k}", status, "Bench success plan", updated)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method for small means, a rounded normal for large ones)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
