"""The handbook's "common things to look out for" as health signals: pure rules, no ORM.

Handbook (health-scores.md, "Determining Customer Health"): utilization of the product (just a
single facet?), a high number of "important" feature requests, a high number of support
requests, missing cadence calls, failure to upgrade (more than a major release behind). Each
signal shows its data and a plain-words verdict; `notes.selectors.account_signals` gathers the
inputs in a fixed number of queries. Thresholds that the handbook leaves open are constants
here and documented in docs/notes.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from accounts.scoring import rules

OK, WATCH, FLAG, UNKNOWN, NOT_APPLICABLE = "ok", "watch", "flag", "unknown", "na"
LEVEL_LABELS = {
    OK: "Looks fine",
    WATCH: "Keep an eye on it",
    FLAG: "Look out",
    UNKNOWN: "No data",
    NOT_APPLICABLE: "Not applicable",
}
_SEVERITY = {NOT_APPLICABLE: 0, UNKNOWN: 0, OK: 1, WATCH: 2, FLAG: 3}

# Utilization: share of purchased licences in use.
LICENCES_FLAG_BELOW = 50  # % : fewer than half the seats used
LICENCES_WATCH_BELOW = 80  # %
# Feature requests: this many open "important" ones or more is a high number.
IMPORTANT_REQUESTS_FLAG_AT = 3
# Support load: months are 30-day windows ending today, oldest first.
SUPPORT_MONTHS = 3
SUPPORT_MONTH_DAYS = 30
# A trend needs at least this many tickets of change and this share of the earlier average.
TREND_MIN_CHANGE = 2
TREND_MIN_SHARE = 0.25
# Missed cadence calls: the window counted, and how many misses make a flag.
MISSED_WINDOW_DAYS = 90
MISSED_FLAG_AT = 2
# Sponsor or champion changes this recent are a flag.
CHAMPION_WINDOW_DAYS = 180

MITIGATIONS = {
    "utilization": "Review the customer's use cases and help them adopt more stages of the product.",
    "feature_requests": (
        "Is the customer trying to make the product work just like another legacy piece of software in "
        "their environment? A review of the workflow and best practices may be in order."
    ),
    "support": "Is the customer struggling to keep the product operational or performant? "
    "An architecture review should be considered.",
    "cadence": "Missing cadence calls could be a sign that the product is being deprioritized: work with your "
    "SAL to schedule an EBR or a higher-level discussion to evaluate the customer's health.",
    "upgrade": (
        "Work with the customer to explain the new features and security updates of the current version "
        "and address any internal technical limitations that have prevented upgrades. "
        "Develop an upgrade plan with the customer if appropriate."
    ),
    "champion": "Find and build a new champion or sponsor with the account team; "
    "consider an EBR to re-establish executive alignment.",
}


@dataclass(frozen=True)
class Signal:
    """One signal: its data in words, a level and a plain-words verdict (and what to do if flagged)."""

    name: str
    label: str
    level: str
    data: str
    verdict: str
    mitigation: str = ""

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


@dataclass(frozen=True)
class ChampionEvent:
    person: str
    role: str  # label, e.g. "Champion"
    change: str  # "left", "moved", "reduced", "new"
    change_label: str
    date: dt.date


@dataclass(frozen=True)
class SignalInputs:
    """What the signals need to know about one account as of today."""

    today: dt.date
    self_managed: bool
    licences_purchased: int
    licences_used: int
    product_stages: tuple[str, ...]
    current_version: str
    latest_release: tuple[int, int] | None
    open_important_requests: int
    tickets_per_month: tuple[int, ...]  # SUPPORT_MONTHS counts, oldest month first
    support_green_max: int
    support_yellow_max: int
    onboarding: bool
    missed_cadence_calls: int  # cancelled or no-show, in the last MISSED_WINDOW_DAYS
    last_held_cadence: dt.date | None
    champion_events: tuple[ChampionEvent, ...] = field(default_factory=tuple)


def worst(*levels: str) -> str:
    return max(levels, key=lambda level: _SEVERITY[level])


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def utilization(inputs: SignalInputs) -> Signal:
    parts, verdicts, levels = [], [], []
    if inputs.licences_purchased <= 0:
        parts.append("no purchased licences recorded")
        levels.append(UNKNOWN)
    else:
        pct = inputs.licences_used * 100 // inputs.licences_purchased
        parts.append(f"{inputs.licences_used:,} of {inputs.licences_purchased:,} licences used ({pct} %)")
        if pct < LICENCES_FLAG_BELOW:
            levels.append(FLAG)
            verdicts.append(f"fewer than {LICENCES_FLAG_BELOW} % of the licences are used")
        elif pct < LICENCES_WATCH_BELOW:
            levels.append(WATCH)
            verdicts.append(f"licence use is below {LICENCES_WATCH_BELOW} %")
        else:
            levels.append(OK)
    stages = inputs.product_stages
    if not stages:
        parts.append("no product stages recorded")
        levels.append(UNKNOWN)
    else:
        parts.append(f"{_plural(len(stages), 'stage')} in use: {', '.join(stages)}")
        if len(stages) == 1:
            levels.append(FLAG)
            verdicts.append("only a single facet of the product is used")
        else:
            levels.append(OK)
    level = worst(*levels)
    if level == FLAG or level == WATCH:
        verdict = verdicts[0][0].upper() + "; ".join(verdicts)[1:] + "."
    elif level == OK and UNKNOWN not in levels:
        verdict = "Healthy use of the licences across several stages."
    elif level == OK:
        verdict = "What is recorded looks healthy; record the rest to judge utilization."
    else:
        verdict = "Record licences and stages to judge utilization."
    return Signal(
        "utilization",
        "Utilization",
        level,
        "; ".join(parts),
        verdict,
        MITIGATIONS["utilization"] if level == FLAG else "",
    )


def feature_requests(inputs: SignalInputs) -> Signal:
    n = inputs.open_important_requests
    data = f"{_plural(n, 'open important feature request')}"
    if n >= IMPORTANT_REQUESTS_FLAG_AT:
        return Signal(
            "feature_requests",
            "Feature requests",
            FLAG,
            data,
            f"A high number of important requests ({IMPORTANT_REQUESTS_FLAG_AT} or more).",
            MITIGATIONS["feature_requests"],
        )
    verdict = "None open." if n == 0 else f"Fewer than {IMPORTANT_REQUESTS_FLAG_AT}: not a high number."
    return Signal("feature_requests", "Feature requests", OK, data, verdict)


def support_trend(counts: tuple[int, ...]) -> str:
    """ "up", "down" or "flat": the latest month against the average of the months before it."""
    if len(counts) < 2:
        return "flat"
    *earlier, latest = counts
    average = sum(earlier) / len(earlier)
    change = latest - average
    if abs(change) >= TREND_MIN_CHANGE and abs(change) >= TREND_MIN_SHARE * average:
        return "up" if change > 0 else "down"
    return "flat"


def support_months(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The SUPPORT_MONTHS 30-day windows ending today, oldest first, as (first day, last day)."""
    windows = []
    for i in reversed(range(SUPPORT_MONTHS)):
        last = today - dt.timedelta(days=i * SUPPORT_MONTH_DAYS)
        windows.append((last - dt.timedelta(days=SUPPORT_MONTH_DAYS - 1), last))
    return windows


def support_load(inputs: SignalInputs) -> Signal:
    counts = inputs.tickets_per_month
    trend = support_trend(counts)
    latest = counts[-1]
    data = (
        f"Tickets per month over the last {len(counts)} months (oldest first): "
        f"{', '.join(str(c) for c in counts)}; trend {trend}"
    )
    if latest > inputs.support_yellow_max:
        level = FLAG
        verdict = (
            f"A high number of support requests: {latest} in the last 30 days (more than {inputs.support_yellow_max})."
        )
    elif latest > inputs.support_green_max or trend == "up":
        level = WATCH
        verdict = (
            f"Support requests are rising ({latest} in the last 30 days)."
            if trend == "up"
            else f"{latest} tickets in the last 30 days: above the usual {inputs.support_green_max}."
        )
    else:
        level = OK
        verdict = "Normal support load" + (", and falling." if trend == "down" else ".")
    return Signal("support", "Support load", level, data, verdict, MITIGATIONS["support"] if level == FLAG else "")


def missed_cadence(inputs: SignalInputs) -> Signal:
    cadence = rules.cadence_days(inputs.onboarding)
    rhythm = "weekly (onboarding)" if inputs.onboarding else "monthly"
    missed = inputs.missed_cadence_calls
    if inputs.last_held_cadence is None:
        since = "no held cadence call on record"
    else:
        days = (inputs.today - inputs.last_held_cadence).days
        since = f"{_plural(days, 'day')} since the last held one on {inputs.last_held_cadence:%Y-%m-%d}"
    data = (
        f"{_plural(missed, 'cancelled or no-show cadence call')} in the last {MISSED_WINDOW_DAYS} days; "
        f"{since}; cadence {rhythm}, every {cadence} days"
    )
    overdue = rules.cadence_missed(inputs.onboarding, inputs.last_held_cadence, inputs.today)
    if overdue or missed >= MISSED_FLAG_AT:
        level = FLAG
        reasons = []
        if overdue:
            reasons.append(f"no cadence call held in the last {cadence} days")
        if missed >= MISSED_FLAG_AT:
            reasons.append(f"{missed} calls missed")
        verdict = "Cadence calls are being missed: " + " and ".join(reasons) + "."
    elif missed:
        level = WATCH
        verdict = "One call missed recently; the cadence is otherwise kept."
    else:
        level = OK
        verdict = "The cadence is kept."
    return Signal(
        "cadence", "Missed cadence calls", level, data, verdict, MITIGATIONS["cadence"] if level == FLAG else ""
    )


_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


def parse_version(text: str) -> tuple[int, int] | None:
    """ "16.4" or "16.4.2" -> (16, 4); anything else -> None."""
    match = _VERSION.match((text or "").strip())
    return (int(match[1]), int(match[2])) if match else None


def upgrade(inputs: SignalInputs) -> Signal:
    name, label = "upgrade", "Failure to upgrade"
    if not inputs.self_managed:
        return Signal(name, label, NOT_APPLICABLE, "SaaS", "SaaS customers always run the latest release.")
    latest = inputs.latest_release
    current = parse_version(inputs.current_version)
    if latest is None:
        return Signal(
            name, label, UNKNOWN, "No latest release configured", "An admin sets the latest release in the admin."
        )
    latest_text = f"{latest[0]}.{latest[1]}"
    if current is None:
        recorded = f"version {inputs.current_version!r} not understood" if inputs.current_version else "no version"
        return Signal(
            name, label, UNKNOWN, f"{recorded}; latest release {latest_text}", "Record the version the customer runs."
        )
    data = f"Runs {current[0]}.{current[1]}; latest release {latest_text}"
    behind = latest[0] - current[0]
    if behind > 1:
        return Signal(
            name,
            label,
            FLAG,
            data,
            f"{behind} major releases behind: more than one major release behind.",
            MITIGATIONS["upgrade"],
        )
    if behind == 1:
        return Signal(name, label, WATCH, data, "One major release behind: plan the upgrade before the next major.")
    if current < latest:
        return Signal(name, label, OK, data, "On the current major release.")
    if current > latest:
        return Signal(name, label, OK, data, "Newer than the latest release on record: update the release list.")
    return Signal(name, label, OK, data, "On the latest release.")


def champion(inputs: SignalInputs) -> Signal:
    since = inputs.today - dt.timedelta(days=CHAMPION_WINDOW_DAYS)
    recent = [e for e in inputs.champion_events if e.date > since]
    losses = [e for e in recent if e.change != "new"]
    name, label = "champion", "Executive sponsor or champion"
    if not recent:
        return Signal(name, label, OK, f"No changes in the last {CHAMPION_WINDOW_DAYS} days", "No recent changes.")
    data = "; ".join(f"{e.person} ({e.role}): {e.change_label.lower()} on {e.date:%Y-%m-%d}" for e in recent)
    if losses:
        return Signal(
            name,
            label,
            FLAG,
            data,
            "A sponsor or champion left, moved or lost influence recently.",
            MITIGATIONS["champion"],
        )
    return Signal(name, label, WATCH, data, "A new sponsor or champion: build the relationship.")


def compute(inputs: SignalInputs) -> list[Signal]:
    """All signals of one account, in the handbook's order (the champion one last)."""
    return [
        utilization(inputs),
        feature_requests(inputs),
        support_load(inputs),
        missed_cadence(inputs),
        upgrade(inputs),
        champion(inputs),
    ]
