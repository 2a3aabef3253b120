"""The "Override ends soon" CTA: opened in an override's last week for its owner, once per
override (a second run opens nothing), closed once the override has ended."""

import datetime as dt

import pytest

from accounts import overrides
from accounts.models import Color
from healthscore import clock
from triage.jobs import ctas
from triage.models import Cta, CtaKind, CtaState

D = dt.date(2026, 11, 24)
pytestmark = pytest.mark.django_db


@pytest.fixture
def overridden(account_in, manager):
    manager.first_name, manager.last_name = "Maria", "Lopez"
    manager.save()
    account = account_in(Color.GREEN)
    override = overrides.override_set(
        account=account, color=Color.RED, reason="Exec escalation", expires_on=D + dt.timedelta(days=10), by=manager
    )
    return account, override


def test_no_cta_before_the_last_week(overridden):
    result = ctas.ctas_override_open(as_of=D + dt.timedelta(days=2))  # 8 days left
    assert result.opened == 0 and not Cta.objects.filter(kind=CtaKind.OVERRIDE_ENDING).exists()


def test_the_owner_gets_one_cta_a_week_before_and_a_second_run_opens_nothing(overridden):
    account, override = overridden
    week_before = D + dt.timedelta(days=3)
    assert ctas.ctas_override_open(as_of=week_before).opened == 1
    assert ctas.ctas_override_open(as_of=week_before).opened == 0
    assert ctas.ctas_override_open(as_of=week_before + dt.timedelta(days=1)).opened == 0
    cta = Cta.objects.get(kind=CtaKind.OVERRIDE_ENDING)
    assert cta.account == account and cta.state == CtaState.OPEN and cta.key == f"override/{override.pk}"
    assert cta.detail == (
        "The override to Red set by Maria Lopez ends on 2026-12-04: "
        "let the computed color return, or set a new override."
    )
    assert ctas.override_total(week_before) == 1


def test_the_cta_closes_once_the_override_has_ended(overridden, manager, monkeypatch):
    account, override = overridden
    ctas.ctas_override_open(as_of=D + dt.timedelta(days=5))
    # Still in force on its last day: the CTA stays open.
    assert ctas.ctas_override_open(as_of=D + dt.timedelta(days=10)).resolved == 0
    day_after = D + dt.timedelta(days=11)
    assert ctas.ctas_override_open(as_of=day_after).resolved == 1
    cta = Cta.objects.get(kind=CtaKind.OVERRIDE_ENDING)
    assert (cta.state, cta.resolution, cta.resolved_on) == (CtaState.DONE, "The override ended", day_after)


def test_a_cancelled_override_closes_its_cta_and_a_new_one_gets_its_own(overridden, manager, monkeypatch):
    account, override = overridden
    day = D + dt.timedelta(days=4)
    ctas.ctas_override_open(as_of=day)
    monkeypatch.setattr(clock, "today", lambda: day)
    overrides.override_cancel(override=override, by=manager)
    replacement = overrides.override_set(
        account=account, color=Color.YELLOW, reason="b", expires_on=day + dt.timedelta(days=2), by=manager
    )
    result = ctas.ctas_override_open(as_of=day)
    assert (result.resolved, result.opened) == (1, 1)
    assert Cta.objects.get(kind=CtaKind.OVERRIDE_ENDING, state=CtaState.OPEN).key == f"override/{replacement.pk}"


def test_the_daily_pipeline_runs_the_override_step():
    from healthscore import pipeline

    step = pipeline.daily_step("Override CTAs")
    assert (step.run, step.order) == (ctas.ctas_override_open, 55)


def test_an_override_to_red_opens_a_triage_record_like_a_computed_red(account_in, manager, fixed_today):
    from accounts import events
    from triage.models import Risk, TriageRecord

    account = account_in(Color.GREEN)
    overrides.override_set(
        account=account,
        color=Color.RED,
        reason="Exec escalation",
        expires_on=fixed_today + dt.timedelta(days=9),
        by=manager,
    )
    events.outbox_drain(today=fixed_today)
    assert TriageRecord.objects.filter(account=account, risk=Risk.RED).exists()


def test_the_demo_shows_an_override_ending_soon_and_a_request_waiting(fixed_today):
    from django.core.management import call_command

    from accounts.models import HealthOverride, OverrideStatus

    call_command("seed_demo", accounts=40, verbosity=0)
    active = HealthOverride.objects.get(status=OverrideStatus.ACTIVE)
    pending = HealthOverride.objects.get(status=OverrideStatus.PENDING)
    assert active.account.health_color == "yellow" and active.account.computed_color == "green"
    assert pending.requested_by == pending.account.tam and pending.account.health_color == "green"
    assert Cta.objects.filter(kind=CtaKind.OVERRIDE_ENDING, account=active.account).exists()
