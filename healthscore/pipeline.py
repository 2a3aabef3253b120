"""The daily pipeline: a registry of steps that the apps fill in AppConfig.ready().

Each step has a name (what the commands and the logs call it), a callable run(as_of=,
progress=) returning its summary, a total(as_of) for the progress bar, and an order:
accounts recompute scores (10), triage (20), notifications (30), out-of-date health CTAs (40),
cadence CTAs (50). This module imports no app; the apps import it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Progress = Callable[[int], None] | None


@dataclass(frozen=True)
class Step:
    """One step of the daily pipeline: its name, what it runs, and how many rows it walks."""

    name: str
    run: Callable[..., object]
    total: Callable[[dt.date], int]
    order: int = 0


# Kept sorted by order; daily_run walks it as it is.
DAILY_STEPS: list[Step] = []


def register_step(name: str, run: Callable[..., object], total: Callable[[dt.date], int], *, order: int) -> None:
    """Add an app's step; call from AppConfig.ready(). A name registers once."""
    if any(step.name == name for step in DAILY_STEPS):
        return
    DAILY_STEPS.append(Step(name, run, total, order))
    DAILY_STEPS.sort(key=lambda step: step.order)


def daily_step(name: str) -> Step:
    return next(step for step in DAILY_STEPS if step.name == name)


@contextlib.contextmanager
def _no_progress(step: Step):
    yield None


def daily_run(
    *,
    as_of: dt.date,
    names: Iterable[str] | None = None,
    progress: Callable[[Step], contextlib.AbstractContextManager[Progress]] = _no_progress,
    report: Callable[[Step, str | None, Exception | None], None] | None = None,
) -> list[str]:
    """Every daily step in order (or the named ones): recompute scores, triage, notifications,
    out-of-date health CTAs, cadence CTAs. Returns one summary line per step.

    A step that fails does not cost the others their day (a broken mail server must not stop
    the CTAs): each runs, and the failures are raised together at the end, so the task still
    fails loudly and is retried. The commands pass progress (a progress bar per step) and
    report (its summary line, or its error, as each step ends)."""
    steps = DAILY_STEPS if names is None else [daily_step(name) for name in names]
    lines, failed = [], []
    for step in steps:
        try:
            with progress(step) as tick:
                line = str(step.run(as_of=as_of, progress=tick))
        except Exception as exc:
            logger.exception("Daily jobs: step %r failed", step.name)
            failed.append((step.name, exc))
            if report:
                report(step, None, exc)
            continue
        lines.append(line)
        if report:
            report(step, line, None)
    if failed:
        failed_names = [name for name, _ in failed]
        raise DailyRunError(
            f"daily jobs as of {as_of}: {', '.join(failed_names)} failed ({failed[0][1]})", steps=failed_names
        ) from failed[0][1]
    return lines


class DailyRunError(RuntimeError):
    """One or more daily steps failed (their names in .steps); the others ran."""

    def __init__(self, message: str, *, steps: list[str]):
        super().__init__(message)
        self.steps = steps


# --- Running each day once, and resuming a killed run ------------------------------------------

# A runner holds the day for this long and renews the hold as it works (on its steps' progress,
# at most once a minute, and after each step); a killed runner's hold expires, and the next
# catch-up (every 15 minutes) resumes with the steps not done yet.
DAILY_CLAIM_SECONDS = 5 * 60
_RENEW_EVERY_SECONDS = 60


def daily_run_resume(*, as_of: dt.date) -> list[str]:
    """The day's pipeline, once: the steps not done yet for `as_of`, unless another runner holds
    the day. Returns the summaries of the steps run ([] when the day is done or held). A step
    that fails stays not done: the next call runs it again (the steps are idempotent)."""
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from healthscore.models import DailyRun

    run, _ = DailyRun.objects.get_or_create(day=as_of)
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            DailyRun.objects.filter(pk=run.pk, finished_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + dt.timedelta(seconds=DAILY_CLAIM_SECONDS))
        )
    if not claimed:
        logger.info("Daily jobs as of %s: done or running elsewhere; nothing to do", as_of)
        return []
    run.refresh_from_db()
    done = list(run.steps_done)
    last_renewal = [timezone.now()]

    def renew(force: bool = False) -> None:
        moment = timezone.now()
        if force or (moment - last_renewal[0]).total_seconds() >= _RENEW_EVERY_SECONDS:
            DailyRun.objects.filter(pk=run.pk).update(claimed_until=moment + dt.timedelta(seconds=DAILY_CLAIM_SECONDS))
            last_renewal[0] = moment

    @contextlib.contextmanager
    def heartbeat(step: Step):
        yield lambda n: renew()

    def report(step: Step, line: str | None, exc: Exception | None) -> None:
        if exc is None:
            done.append(step.name)
            DailyRun.objects.filter(pk=run.pk).update(steps_done=done)
        renew(force=True)

    try:
        return daily_run(
            as_of=as_of,
            names=[step.name for step in DAILY_STEPS if step.name not in done],
            progress=heartbeat,
            report=report,
        )
    finally:
        finished = timezone.now() if all(step.name in done for step in DAILY_STEPS) else None
        DailyRun.objects.filter(pk=run.pk).update(claimed_until=None, finished_at=finished)


def daily_run_due(*, now: dt.datetime, hour: int) -> dt.date | None:
    """The day whose pipeline should have run by `now` (UTC), if its hour has come: today from
    `hour` on, else None (yesterday's run is left to the command)."""
    return now.date() if now.hour >= hour else None
