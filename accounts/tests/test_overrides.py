"""Overrides of an account's color: the pure date rules at their edges, the services (set,
request, approve, reject, cancel), and the engine applying them (expiry on the daily run)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import events, overrides
from accounts.models import Account, Color, HealthChange, HealthOverride, HealthSnapshot, OverrideStatus
from accounts.scoring import rules
from accounts.scoring import services as scoring
from healthscore import clock

D = dt.date(2026, 11, 24)


# --- Pure rules -------------------------------------------------------------------------


def test_an_override_is_in_force_from_its_first_to_its_last_day_both_included():
    start, end = D, D + dt.timedelta(days=10)
    assert not rules.override_in_force(start, end, D - dt.timedelta(days=1))
    assert rules.override_in_force(start, end, D)
    assert rules.override_in_force(start, end, end)
    assert not rules.override_in_force(start, end, end + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("expires", "problem"),
    [
        (None, "Say until when"),
        (D - dt.timedelta(days=1), "in the past"),
        (D, None),
        (D + dt.timedelta(days=90), None),
        (D + dt.timedelta(days=91), "90 days at most: 2027-02-22 at the latest"),
    ],
)
def test_override_dates_end_today_at_the_earliest_and_90_days_after_the_start_at_the_latest(expires, problem):
    problems = rules.override_dates_problems(starts_on=D, expires_on=expires, today=D)
    if problem is None:
        assert problems == {}
    else:
        assert problem in problems["expires_on"]


def test_an_expiry_before_the_start_is_refused_even_when_not_in_the_past():
    problems = rules.override_dates_problems(
        starts_on=D + dt.timedelta(days=5), expires_on=D + dt.timedelta(days=2), today=D
    )
    assert "before the override starts" in problems["expires_on"]


@pytest.mark.parametrize(("days_left", "due"), [(8, False), (7, True), (1, True), (0, True), (-1, False)])
def test_the_owner_is_reminded_in_the_last_week(days_left, due):
    assert rules.override_reminder_due(D + dt.timedelta(days=days_left), D) is due


# --- Services ---------------------------------------------------------------------------


pytestmark_db = pytest.mark.django_db


def _changes(account):
    return list(
        HealthChange.objects.filter(account=account)
        .order_by("as_of", "pk")
        .values_list("as_of", "old_color", "new_color")
    )


@pytest.mark.django_db
def test_a_manager_sets_an_override_in_force_at_once_and_the_change_goes_to_the_outbox(account_in, manager):
    account = account_in(Color.GREEN)
    override = overrides.override_set(
        account=account,
        color=Color.RED,
        reason="Champion left; renewal at risk",
        expires_on=D + dt.timedelta(days=30),
        by=manager,
    )
    account.refresh_from_db()
    assert override.status == OverrideStatus.ACTIVE and override.approved_by == manager and override.owner == manager
    assert (account.health_color, account.computed_color, account.health_score) == ("red", "green", 100)
    assert account.override_until == D + dt.timedelta(days=30)
    assert account.override_reason == "Champion left; renewal at risk"
    assert account.override_by == manager.get_full_name() or manager.username
    assert account.health_date == D
    assert _changes(account)[-1] == (D, "green", "red")
    snapshot = HealthSnapshot.objects.get(account=account, date=D)
    assert snapshot.color == "red" and str(snapshot.score) == "100.0"
    assert snapshot.inputs["override"]["computed_color"] == "green"
    assert snapshot.inputs["override"]["reason"] == "Champion left; renewal at risk"
    assert snapshot.inputs["override"]["until"] == "2026-12-24"
    # Kept in the audit trail, with who made the change.
    assert override.history.get().history_user == manager


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"reason": "   "}, "reason", "Say why"),
        ({"expires_on": D + dt.timedelta(days=91)}, "expires_on", "90 days at most"),
        ({"expires_on": D - dt.timedelta(days=1)}, "expires_on", "in the past"),
        ({"expires_on": None}, "expires_on", "until when"),
        ({"color": "purple"}, "color", "Choose"),
    ],
)
def test_a_bad_override_is_refused_by_field_and_changes_nothing(account_in, manager, fields, field, words):
    account = account_in(Color.GREEN)
    values = {"color": Color.RED, "reason": "Why not", "expires_on": D + dt.timedelta(days=10), **fields}
    with pytest.raises(ValidationError) as error:
        overrides.override_set(account=account, by=manager, **values)
    assert words in " ".join(error.value.message_dict[field])
    account.refresh_from_db()
    assert account.health_color == "green" and account.override_until is None
    assert not HealthOverride.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_an_override_longer_than_90_days_or_without_a_reason(account_in):
    account = account_in(Color.GREEN)
    common = {"account": account, "color": Color.RED, "starts_on": D, "status": OverrideStatus.PENDING}
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthOverride.objects.create(**common, reason="x", expires_on=D + dt.timedelta(days=91))
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthOverride.objects.create(**common, reason="", expires_on=D + dt.timedelta(days=9))
    HealthOverride.objects.create(**common, reason="x", expires_on=D + dt.timedelta(days=90))
    # One open override or request per account.
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthOverride.objects.create(**common, reason="y", expires_on=D + dt.timedelta(days=3))


@pytest.mark.django_db
def test_a_second_override_is_refused_while_one_is_open(account_in, manager):
    account = account_in(Color.GREEN)
    overrides.override_set(
        account=account, color=Color.RED, reason="a", expires_on=D + dt.timedelta(days=5), by=manager
    )
    with pytest.raises(ValidationError, match="already has an override"):
        overrides.override_set(
            account=account, color=Color.YELLOW, reason="b", expires_on=D + dt.timedelta(days=5), by=manager
        )


@pytest.mark.django_db
def test_a_tam_request_changes_nothing_until_a_manager_approves_it(account_in, tam, manager):
    account = account_in(Color.GREEN)
    request = overrides.override_request(
        account=account, color=Color.YELLOW, reason="Budget cut announced", expires_on=D + dt.timedelta(days=20), by=tam
    )
    account.refresh_from_db()
    assert request.status == OverrideStatus.PENDING and account.health_color == "green"
    assert account.override_until is None and _changes(account) == [(D, "", "green")]

    approved = overrides.override_approve(override=request, by=manager)
    account.refresh_from_db()
    assert approved.status == OverrideStatus.ACTIVE and approved.approved_by == manager and approved.requested_by == tam
    assert account.health_color == "yellow" and account.computed_color == "green"
    assert _changes(account)[-1] == (D, "green", "yellow")
    # Approving twice changes nothing.
    with pytest.raises(ValidationError, match="active now"):
        overrides.override_approve(override=request, by=manager)


@pytest.mark.django_db
def test_a_rejected_request_leaves_the_color_and_frees_the_account(account_in, tam, manager):
    account = account_in(Color.GREEN)
    request = overrides.override_request(
        account=account, color=Color.RED, reason="r", expires_on=D + dt.timedelta(days=3), by=tam
    )
    rejected = overrides.override_reject(override=request, by=manager)
    assert rejected.status == OverrideStatus.REJECTED and rejected.ended_by == manager
    account.refresh_from_db()
    assert account.health_color == "green"
    overrides.override_set(
        account=account, color=Color.RED, reason="now", expires_on=D + dt.timedelta(days=3), by=manager
    )


@pytest.mark.django_db
def test_cancelling_brings_the_computed_color_back_at_once(account_in, manager):
    account = account_in(Color.GREEN)
    override = overrides.override_set(
        account=account, color=Color.RED, reason="r", expires_on=D + dt.timedelta(days=3), by=manager
    )
    overrides.override_cancel(override=override, by=manager)
    account.refresh_from_db()
    override.refresh_from_db()
    assert override.status == OverrideStatus.CANCELLED and override.ended_by == manager
    assert (account.health_color, account.computed_color, account.override_until) == ("green", "green", None)
    assert _changes(account)[-2:] == [(D, "green", "red"), (D, "red", "green")]
    assert "override" not in HealthSnapshot.objects.get(account=account, date=D).inputs


@pytest.mark.django_db
def test_expiry_on_the_daily_run_restores_the_computed_color_with_exactly_one_outbox_change(
    account_in, manager, monkeypatch
):
    account = account_in(Color.GREEN)
    until = D + dt.timedelta(days=10)
    overrides.override_set(account=account, color=Color.RED, reason="Exec escalation", expires_on=until, by=manager)
    events.outbox_drain(today=D)
    before = HealthChange.objects.count()

    # Its last day: still in force.
    monkeypatch.setattr(clock, "today", lambda: until)
    scoring.scores_recompute(as_of=until)
    account.refresh_from_db()
    assert account.health_color == "red" and HealthChange.objects.count() == before

    # The day after: the daily run no longer sees it.
    day_after = until + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: day_after)
    scoring.scores_recompute(as_of=day_after)
    scoring.scores_recompute(as_of=day_after)  # a second run of the day changes nothing more
    account.refresh_from_db()
    assert (account.health_color, account.computed_color, account.override_until) == ("green", "green", None)
    assert account.health_date == day_after
    assert list(HealthChange.objects.filter(pk__gt=0).order_by("pk").values_list("as_of", "old_color", "new_color"))[
        before:
    ] == [(day_after, "red", "green")]
    snapshot = HealthSnapshot.objects.get(account=account, date=day_after)
    assert snapshot.color == "green" and "override" not in snapshot.inputs
    assert HealthOverride.objects.get().shown_status(day_after) == "Expired"


@pytest.mark.django_db
def test_an_expired_override_no_longer_blocks_a_new_one(account_in, manager, monkeypatch):
    account = account_in(Color.GREEN)
    first = overrides.override_set(account=account, color=Color.RED, reason="a", expires_on=D, by=manager)
    monkeypatch.setattr(clock, "today", lambda: D + dt.timedelta(days=1))
    second = overrides.override_set(
        account=account, color=Color.YELLOW, reason="b", expires_on=D + dt.timedelta(days=2), by=manager
    )
    first.refresh_from_db()
    account.refresh_from_db()
    assert first.status == OverrideStatus.EXPIRED and second.status == OverrideStatus.ACTIVE
    assert account.health_color == "yellow"


@pytest.mark.django_db
def test_an_override_and_a_sentiment_change_under_it_keep_the_computed_score_moving(account_in, manager, tam):
    from accounts import services

    account = account_in(Color.GREEN)
    overrides.override_set(
        account=account, color=Color.YELLOW, reason="a", expires_on=D + dt.timedelta(days=5), by=manager
    )
    services.sentiment_update(account=account, color=Color.RED, reason="worse", by=tam)
    account.refresh_from_db()
    assert (account.health_color, account.computed_color, str(account.health_score)) == ("yellow", "red", "25.0")


@pytest.mark.django_db
def test_the_engine_reads_overrides_in_one_query_per_chunk(account_in, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    accounts = [account_in(Color.GREEN) for _ in range(5)]
    for account in accounts[:3]:
        overrides.override_set(
            account=account, color=Color.RED, reason="r", expires_on=D + dt.timedelta(days=5), by=manager
        )
    with CaptureQueriesContext(connection) as run:
        scoring.scores_recompute(as_of=D, chunk_size=2)
    reads = [q for q in run.captured_queries if "accounts_healthoverride" in q["sql"]]
    assert len(reads) == 3  # three chunks of at most two accounts
    assert list(Account.objects.order_by("pk").values_list("health_color", flat=True)) == ["red"] * 3 + ["green"] * 2


@pytest.mark.django_db
def test_the_history_shows_the_override_and_its_end(account_in, manager, monkeypatch):
    from accounts import history, selectors

    manager.first_name, manager.last_name = "Maria", "Lopez"
    manager.save()
    account = account_in(Color.GREEN)  # scored green on D
    next_day = D + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: next_day)
    overrides.override_set(account=account, color=Color.RED, reason="Exec escalation", expires_on=next_day, by=manager)
    day_after = next_day + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: day_after)
    scoring.scores_recompute(as_of=day_after)
    snapshots = selectors.account_snapshots(account=account, today=day_after)
    items = [i for i in history.account_history(account=account, snapshots=snapshots) if i.what == "Overall health"]
    ended, started = items[0], items[1]
    assert (started.old, started.new, started.who) == ("green", "red", "Maria Lopez (override)")
    assert started.why == "Override until 2026-11-25: “Exec escalation” (computed color Green)"
    assert (ended.old, ended.new) == ("red", "green") and ended.why.startswith(
        "Override ended: the computed color is back."
    )


@pytest.mark.django_db
def test_the_admin_shows_an_override_and_its_history_read_only(client, admin_user, account_in, manager):
    account = account_in(Color.GREEN)
    override = overrides.override_set(
        account=account, color=Color.RED, reason="Exec escalation", expires_on=D, by=manager
    )
    overrides.override_cancel(override=override, by=manager)
    client.force_login(admin_user)
    page = client.get(f"/admin/accounts/healthoverride/{override.pk}/history/").content.decode()
    assert page.count("manager") >= 2  # created and cancelled, both by the manager
    assert "Exec escalation" in client.get(f"/admin/accounts/healthoverride/{override.pk}/change/").content.decode()
    assert client.get("/admin/accounts/healthoverride/add/").status_code == 403


@pytest.mark.django_db
def test_the_sentiment_preview_says_the_override_keeps_the_color(account_in, manager):
    from accounts import preview

    account = account_in(Color.GREEN)
    overrides.override_set(
        account=account, color=Color.YELLOW, reason="r", expires_on=D + dt.timedelta(days=5), by=manager
    )
    account.refresh_from_db()
    shown = preview.sentiment_preview(account=account, sentiment=Color.RED, today=D)
    assert (shown.result.color, shown.new_color, shown.changes_color) == ("red", "yellow", False)
    assert shown.sentence == (
        "Red sentiment makes the computed color Red; the override keeps this account Yellow overall until 2026-11-29."
    )
