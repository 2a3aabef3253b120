"""The confidence rule (accounts.scoring.rules.confidence) at its edges: each age limit, the
segment's out-of-date window, missing measures, no score, and the rounding."""

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, DataFeed, FeedSync, HealthSnapshot, Meeting, ScorecardConfig, SuccessPlan
from accounts.scoring import rules
from accounts.scoring import services as scoring
from accounts.scoring.rules import COMMERCIAL, COMMERCIAL_RULES, ENTERPRISE, ENTERPRISE_RULES, GREEN, Inputs
from accounts.tests.factories import (
    AccountFactory,
    MeetingFactory,
    SentimentFactory,
    SuccessPlanFactory,
    TicketFactory,
)

D = dt.date(2026, 11, 24)


def result_for(segment=ENTERPRISE, arr="120000", sentiment=GREEN, rules_=None):
    segment_rules = rules_ or (ENTERPRISE_RULES if segment == ENTERPRISE else COMMERCIAL_RULES)
    inputs = Inputs(
        segment=segment,
        arr=Decimal(arr),
        last_held_meeting=D - dt.timedelta(days=5),
        tickets_in_window=0,
        plan_statuses=frozenset({"active"}),
        sentiment=sentiment,
        sentiment_date=D if sentiment else None,
    )
    return rules.compute(inputs, segment_rules, D), segment_rules


def fresh(**dates):
    """Every measure refreshed today, but for the dates given (None: never)."""
    return {**dict.fromkeys(rules.MEASURES, D), **dates}


def confidence(segment=ENTERPRISE, arr="120000", color=GREEN, rules_=None, **dates):
    """The confidence of a scorecard, the refresh date of each measure given by name."""
    result, segment_rules = result_for(segment, arr, color, rules_)
    return rules.confidence(result, fresh(**dates), segment, segment_rules)


def days_ago(n):
    return D - dt.timedelta(days=n)


def test_everything_fresh_is_full_confidence_with_no_reason():
    assert confidence() == rules.Confidence(100, ())


@pytest.mark.parametrize(
    ("measure", "limit", "words"),
    [
        ("engagement", 30, "no meeting data for 31 days"),
        ("support", 7, "no ticket sync for 8 days"),
        ("roi", 90, "success plan not touched for 91 days"),
    ],
)
def test_data_exactly_at_the_age_limit_is_fresh_and_a_day_older_is_not(measure, limit, words):
    assert confidence(**{measure: days_ago(limit)}).percent == 100
    older = confidence(**{measure: days_ago(limit + 1)})
    assert older.percent == 100 - ENTERPRISE_RULES.weight(measure)
    assert older.reasons == (words,)


def test_the_ages_come_from_the_configuration():
    stricter = dataclasses.replace(ENTERPRISE_RULES, confidence_ticket_days=1)
    assert confidence(rules_=stricter, support=days_ago(1)).percent == 100
    assert confidence(rules_=stricter, support=days_ago(2)).reasons == ("no ticket sync for 2 days",)


@pytest.mark.parametrize(
    ("segment", "arr", "fresh_since", "stale_since"),
    [
        # Enterprise: a calendar month (Oct 24 is still current on Nov 24, Oct 23 is not).
        (ENTERPRISE, "120000", dt.date(2026, 10, 24), dt.date(2026, 10, 23)),
        # Commercial: a calendar quarter.
        (COMMERCIAL, "100000", dt.date(2026, 8, 24), dt.date(2026, 8, 23)),
    ],
)
def test_sentiment_is_fresh_inside_the_segments_out_of_date_window(segment, arr, fresh_since, stale_since):
    assert confidence(segment, arr, sentiment=fresh_since).percent == 100
    stale = confidence(segment, arr, sentiment=stale_since)
    assert stale.percent == 25
    months = 1 if segment == ENTERPRISE else 3
    assert stale.reasons == (f"sentiment not confirmed for {months} month{'s' * (months > 1)}",)
    # The same window as a stale health score: one rule.
    assert rules.health_is_stale(segment, stale_since, D) and not rules.health_is_stale(segment, fresh_since, D)


def test_the_issues_example_sentiment_unconfirmed_for_four_months():
    result = confidence(sentiment=dt.date(2026, 7, 20), roi=days_ago(60))
    assert result == rules.Confidence(25, ("sentiment not confirmed for 4 months",))
    assert rules.confidence_words(*dataclasses.astuple(result)) == (
        "Confidence 25 %: sentiment not confirmed for 4 months"
    )
    assert rules.confidence_words(100) == "Confidence 100 %: every measure rests on fresh data"


def test_never_refreshed_data_says_so():
    result = confidence(engagement=None, roi=None)
    assert result == rules.Confidence(80, ("no meeting data on record", "no success plan on record"))


def test_reasons_follow_the_measures_order():
    result = confidence(engagement=None, roi=None, support=None, sentiment=days_ago(200))
    assert result.percent == 0
    assert result.reasons == (
        "no meeting data on record",
        "no success plan on record",
        "no ticket sync on record",
        "sentiment not confirmed for 6 months",
    )


def test_a_missing_measure_counts_neither_way():
    # Commercial under 20,000 ARR: engagement and ROI missing; support 5 and sentiment 75 remain.
    result = confidence(COMMERCIAL, "10000", engagement=None, roi=None, support=None)
    assert result.percent == 94  # 75 / 80 = 93.75 -> 94
    assert result.reasons == ("no ticket sync on record",)
    assert confidence(COMMERCIAL, "10000", engagement=None, roi=None).percent == 100


def test_no_score_no_confidence():
    no_weights = dataclasses.replace(
        ENTERPRISE_RULES, weight_engagement=0, weight_roi=0, weight_support=0, weight_sentiment=100
    )
    result, _ = result_for(sentiment=None, rules_=no_weights)
    assert result.present_weight == 0
    assert rules.confidence(result, fresh(), ENTERPRISE, no_weights) is None
    assert rules.confidence_words(None) == ""


@pytest.mark.parametrize(
    ("fresh_measures", "percent"),
    [
        # Commercial at 30,000 ARR: ROI missing, 90 present points.
        (("support",), 6),  # 5 / 90 = 5.56 -> 6
        (("engagement",), 11),  # 10 / 90 = 11.11 -> 11
        (("engagement", "support"), 17),  # 15 / 90 = 16.67 -> 17
        (("sentiment",), 83),  # 75 / 90 = 83.33 -> 83
        (("sentiment", "support"), 89),  # 80 / 90 = 88.89 -> 89
    ],
)
def test_the_percent_is_one_fraction_rounded_half_up(fresh_measures, percent):
    stale = {m: None for m in ("engagement", "support") if m not in fresh_measures}
    sentiment = D if "sentiment" in fresh_measures else days_ago(400)
    assert confidence(COMMERCIAL, "30000", sentiment=sentiment, **stale).percent == percent


def test_a_half_percent_rounds_up():
    # Custom weights, sentiment missing: 8 present points (engagement 1, ROI 1, support 6).
    weights = dataclasses.replace(
        ENTERPRISE_RULES, weight_engagement=1, weight_roi=1, weight_support=6, weight_sentiment=92
    )
    result, _ = result_for(sentiment=None, rules_=weights)
    assert result.present_weight == 8
    assert rules.confidence(result, fresh(support=None), ENTERPRISE, weights).percent == 25  # 2 / 8
    assert rules.confidence(result, fresh(support=None, roi=None), ENTERPRISE, weights).percent == 13  # 12.5


@pytest.mark.parametrize(
    ("date", "words"),
    [
        (dt.date(2026, 11, 23), "1 day"),
        (dt.date(2026, 11, 15), "9 days"),
        (dt.date(2026, 10, 25), "30 days"),
        (dt.date(2026, 10, 24), "1 month"),
        (dt.date(2026, 7, 24), "4 months"),
        (dt.date(2026, 7, 25), "3 months"),
        (dt.date(2024, 11, 24), "24 months"),
    ],
)
def test_age_in_words(date, words):
    assert rules.age_words(date, D) == words


# --- The engine stores it --------------------------------------------------------------------


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def account(db):
    """An Enterprise account whose meeting data is 40 days old, plan touched today, tickets synced
    9 days ago and sentiment last set 4 months ago: confidence 10 of 100 (ROI only)."""
    account = AccountFactory()
    meeting = MeetingFactory(account=account, date=D - dt.timedelta(days=40))
    Meeting.objects.filter(pk=meeting.pk).update(created_at=at(days_ago(40)))
    plan = SuccessPlanFactory(account=account)
    SuccessPlan.objects.filter(pk=plan.pk).update(updated_at=at(D))
    FeedSync.objects.create(feed=DataFeed.TICKETS, synced_at=at(days_ago(9)))
    SentimentFactory(account=account, date=dt.date(2026, 7, 20))
    return account


def rescore(account, as_of=D):
    scoring.scores_recompute(as_of=as_of, accounts=Account.objects.filter(pk=account.pk))
    account.refresh_from_db()


def test_the_engine_stores_the_confidence_on_the_account_and_why_in_the_snapshot(account):
    rescore(account)
    assert account.health_confidence == 10
    snapshot = HealthSnapshot.objects.get(account=account, date=D)
    assert snapshot.inputs["confidence"] == 10
    assert snapshot.inputs["confidence_reasons"] == [
        "no meeting data for 40 days",
        "no ticket sync for 9 days",
        "sentiment not confirmed for 4 months",
    ]
    assert (snapshot.inputs["meetings_refreshed"], snapshot.inputs["tickets_synced"]) == ("2026-10-15", "2026-11-15")


def test_fresh_data_raises_the_confidence_and_an_unchanged_one_is_not_written_again(account):
    rescore(account)
    with CaptureQueriesContext(connection) as same:
        rescore(account)
    table = Account._meta.db_table
    assert not [q for q in same.captured_queries if q["sql"].startswith(f"UPDATE {table}")]
    FeedSync.objects.filter(feed=DataFeed.TICKETS).update(synced_at=at(D))
    SentimentFactory(account=account, date=D)
    rescore(account)
    assert account.health_confidence == 90  # only the meeting data is old
    assert HealthSnapshot.objects.get(account=account, date=D).inputs["confidence_reasons"] == [
        "no meeting data for 40 days"
    ]


def test_a_meetings_import_counts_as_fresh_meeting_data_for_every_account(account):
    FeedSync.objects.create(feed=DataFeed.MEETINGS, synced_at=at(days_ago(2)))
    rescore(account)
    assert account.health_confidence == 20  # engagement and ROI


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_a_refresh_counts_on_its_utc_day_whatever_the_display_time_zone(account, settings, zone):
    """The database cuts each timestamp to its day (UTC): a meeting recorded at 23:59 UTC and a
    plan touched at 00:00 UTC count on those days, not on the display zone's."""
    settings.TIME_ZONE = zone
    late = dt.datetime.combine(days_ago(40), dt.time(23, 59, 59), tzinfo=dt.UTC)
    Meeting.objects.filter(account=account).update(created_at=late)
    SuccessPlan.objects.filter(account=account).update(updated_at=dt.datetime.combine(D, dt.time(), tzinfo=dt.UTC))
    rescore(account)
    inputs = HealthSnapshot.objects.get(account=account, date=D).inputs
    assert (inputs["meetings_refreshed"], inputs["plan_touched"]) == ("2026-10-15", "2026-11-24")


def test_a_backfill_ignores_data_recorded_after_its_date(account):
    rescore(account, as_of=days_ago(41))  # the meeting was recorded a day later
    snapshot = HealthSnapshot.objects.get(account=account, date=days_ago(41))
    assert "no meeting data on record" in snapshot.inputs["confidence_reasons"]
    assert "no success plan on record" in snapshot.inputs["confidence_reasons"]


def test_an_unscored_account_has_no_confidence(db):
    account = AccountFactory()
    with_weights = {"weight_engagement": 0, "weight_roi": 0, "weight_support": 0, "weight_sentiment": 100}
    ScorecardConfig.objects.update_or_create(segment=account.segment, defaults=with_weights)
    rescore(account)
    assert account.health_score is None and account.health_confidence is None
    assert HealthSnapshot.objects.get(account=account, date=D).inputs["confidence"] is None


def test_an_import_records_the_ticket_sync_even_when_nothing_changed(tmp_path, account, fixed_today):
    document = {"tickets": [{"id": "ZD-1", "account": account.external_id, "opened": "2026-11-10"}]}
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(document))
    before = timezone.now()
    call_command("import_data", str(path), verbosity=0)
    first = FeedSync.objects.get(feed=DataFeed.TICKETS).synced_at
    assert first >= before
    call_command("import_data", str(path), verbosity=0)  # the same file: no ticket changes
    assert FeedSync.objects.get(feed=DataFeed.TICKETS).synced_at > first
    assert not FeedSync.objects.filter(feed=DataFeed.MEETINGS).exists()


# --- Shown beside the score ------------------------------------------------------------------


def test_the_account_page_shows_the_confidence_and_why(client, account, manager, fixed_today):
    rescore(account)
    client.force_login(manager)
    html = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "Confidence <strong>10 %</strong>" in html
    assert (
        "Confidence 10 %: no meeting data for 40 days; no ticket sync for 9 days; "
        "sentiment not confirmed for 4 months." in html
    )


def test_the_scorecards_export_has_the_confidence_and_its_reasons(client, account, manager, fixed_today):
    client.force_login(manager)
    row = client.get("/api/exports/scorecards.json").json()[0]
    assert row["confidence"] == 10
    assert row["confidence_reasons"].endswith("sentiment not confirmed for 4 months")


# --- Why, on the account (the read model the dashboard's list and CSV read) ------------------


def worded_from_scored_on_snapshot(account) -> tuple[str, str]:
    """What the account should say: the words of its scored_on snapshot and its TAM's reason."""
    snapshot = HealthSnapshot.objects.get(account=account, date=account.scored_on)
    measures = [(name, m["color"], m["detail"]) for name, m in snapshot.measures.items()]
    return (
        rules.reasons_text(rules.health_reasons(measures, account.sentiment_reason)),
        rules.reasons_text(snapshot.inputs["confidence_reasons"]),
    )


def test_the_engine_keeps_why_on_the_account_as_of_its_scored_on_snapshot(account):
    TicketFactory.create_batch(7, account=account, opened=D - dt.timedelta(days=3))
    rescore(account)
    assert account.health_reasons.split("\n") == [
        "Engagement yellow: 40 days since last meeting on 2026-10-15 (green up to 30 days, yellow up to 60)",
        "Support yellow: 7 tickets opened in the last 30 days (green up to 5, yellow up to 15)",
        "TAM Sentiment green: “Happy with the rollout”",
    ]
    assert account.confidence_reasons.split("\n") == [
        "no meeting data for 40 days",
        "no ticket sync for 9 days",
        "sentiment not confirmed for 4 months",
    ]
    assert (account.health_reasons, account.confidence_reasons) == worded_from_scored_on_snapshot(account)
    # The same day, one more ticket: the color, the score and the rest stay, the words follow.
    TicketFactory(account=account, opened=D)
    rescore(account)
    assert "Support yellow: 8 tickets opened" in account.health_reasons
    assert (account.health_reasons, account.confidence_reasons) == worded_from_scored_on_snapshot(account)
    # The next days: whether the row is rewritten or not, it says what its scored_on snapshot says.
    for days in (1, 2, 30):
        rescore(account, as_of=D + dt.timedelta(days=days))
        assert (account.health_reasons, account.confidence_reasons) == worded_from_scored_on_snapshot(account)


def test_a_new_day_that_changes_only_the_words_leaves_the_account_row_alone(account):
    TicketFactory.create_batch(7, account=account, opened=D - dt.timedelta(days=3))
    rescore(account)
    rescore(account, as_of=D + dt.timedelta(days=1))  # the first new day: the confidence may move
    scored_on = account.scored_on
    table = Account._meta.db_table
    with CaptureQueriesContext(connection) as next_day:
        rescore(account, as_of=scored_on + dt.timedelta(days=1))
    # "41 days since last meeting" is now "42 days": the list keeps the day it was scored on.
    assert not [q for q in next_day.captured_queries if q["sql"].startswith(f"UPDATE {table}")]
    assert account.scored_on == scored_on
    assert (account.health_reasons, account.confidence_reasons) == worded_from_scored_on_snapshot(account)
