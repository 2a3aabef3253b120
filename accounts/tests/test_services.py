"""Selectors gather the scorecard inputs; services store snapshots and move current health."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from accounts import history as history_module
from accounts import selectors, services
from accounts.models import (
    Account,
    Color,
    HealthDailyCount,
    HealthSnapshot,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlanStatus,
    ScorecardConfig,
    SentimentEntry,
    SentimentSource,
)
from accounts.scoring import inputs, record, rules
from accounts.scoring import services as scoring
from accounts.tests.factories import (
    AccountFactory,
    MeetingFactory,
    SentimentFactory,
    SuccessPlanFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date(2026, 11, 24)


def score(account, as_of=D):
    return inputs.account_scorecard(account, as_of)


def test_only_held_meetings_on_or_before_the_date_count():
    account = AccountFactory()
    MeetingFactory(account=account, date=D - dt.timedelta(days=40))
    MeetingFactory(account=account, date=D - dt.timedelta(days=3), status=MeetingStatus.CANCELLED)
    MeetingFactory(account=account, date=D - dt.timedelta(days=2), status=MeetingStatus.NO_SHOW)
    MeetingFactory(account=account, date=D + dt.timedelta(days=1))  # after the as-of date
    m = score(account).measure("engagement")
    assert m.color == Color.YELLOW
    assert m.detail.startswith("40 days since last meeting")


def test_meeting_on_the_as_of_date_counts_as_day_zero():
    account = AccountFactory()
    MeetingFactory(account=account, date=D)
    assert score(account).measure("engagement").detail.startswith("0 days")


@pytest.mark.parametrize(
    "opened_days_ago,counted",
    [(0, True), (29, True), (30, False), (31, False), (-1, False)],
)
def test_support_window_edges(opened_days_ago, counted):
    account = AccountFactory()
    TicketFactory.create_batch(6, account=account, opened=D - dt.timedelta(days=opened_days_ago))
    m = score(account).measure("support")
    assert m.color == (Color.YELLOW if counted else Color.GREEN)


def test_ticket_counts_are_per_account():
    a, b = AccountFactory(), AccountFactory()
    TicketFactory.create_batch(16, account=a, opened=D)
    TicketFactory.create_batch(6, account=b, opened=D)
    results = dict(inputs.scorecards_compute(Account.objects.all(), D))
    by_id = {acc.pk: r for acc, r in results.items()}
    assert by_id[a.pk].measure("support").color == Color.RED
    assert by_id[b.pk].measure("support").color == Color.YELLOW


def test_segment_support_window_comes_from_the_config():
    ScorecardConfig.objects.filter(segment="enterprise").update(support_window_days=7)
    account = AccountFactory()
    TicketFactory.create_batch(6, account=account, opened=D - dt.timedelta(days=10))
    assert score(account).measure("support").color == Color.GREEN
    assert "last 7 days" in score(account).measure("support").detail


def test_latest_sentiment_on_or_before_the_date_wins_ties_by_creation():
    account = AccountFactory()
    SentimentFactory(account=account, color=Color.RED, date=D - dt.timedelta(days=10))
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=1))
    SentimentFactory(account=account, color=Color.YELLOW, date=D - dt.timedelta(days=1))  # created last
    SentimentFactory(account=account, color=Color.RED, date=D + dt.timedelta(days=1))  # future
    assert score(account).measure("sentiment").color == Color.YELLOW
    assert score(account, D - dt.timedelta(days=5)).measure("sentiment").color == Color.RED


def test_roi_uses_any_plan_of_the_account():
    account = AccountFactory()
    SuccessPlanFactory(account=account, status=PlanStatus.CLOSED)
    SuccessPlanFactory(account=account, status=PlanStatus.DRAFT)
    assert score(account).measure("roi").color == Color.YELLOW


def test_admin_config_changes_the_weights():
    ScorecardConfig.objects.filter(segment="enterprise").update(weight_sentiment=70, weight_support=10)
    account = AccountFactory()
    assert score(account).measure("sentiment").weight == 70


def test_config_weights_must_sum_to_100_in_the_database():
    with pytest.raises(IntegrityError):
        ScorecardConfig.objects.filter(segment="enterprise").update(weight_sentiment=80)


def test_config_validation_names_the_field():
    config = ScorecardConfig.objects.get(segment="enterprise")
    config.weight_sentiment = 80
    config.support_yellow_max = 3
    with pytest.raises(ValidationError) as err:
        config.full_clean()
    assert "add up to 100 (they add up to 105)" in str(err.value.message_dict["weight_sentiment"])
    assert "support_yellow_max" in err.value.message_dict


def test_recompute_stores_one_snapshot_per_account_and_day_with_inputs():
    account = AccountFactory()
    MeetingFactory(account=account, date=D - dt.timedelta(days=22))
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=4))
    assert scoring.scores_recompute(as_of=D) == 1
    SentimentFactory(account=account, color=Color.RED, date=D, reason="Competitor")
    scoring.scores_recompute(as_of=D)
    snap = HealthSnapshot.objects.get(account=account)
    assert snap.date == D and snap.color == Color.RED
    # engagement green 10 + ROI red (no plan) 0 + support green 5 + sentiment red 0
    assert snap.score == Decimal("15.0")
    assert snap.inputs["last_held_meeting"] == "2026-11-02"
    assert snap.inputs["sentiment"] == "red"
    assert snap.measures["engagement"]["detail"].startswith("22 days since last meeting")


def test_health_score_date_moves_only_when_the_color_changes():
    account = AccountFactory()
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=30))
    MeetingFactory(account=account, date=D - dt.timedelta(days=30))
    SuccessPlanFactory(account=account)
    scoring.scores_recompute(as_of=D - dt.timedelta(days=20))
    scoring.scores_recompute(as_of=D - dt.timedelta(days=10))
    account.refresh_from_db()
    assert account.health_color == Color.GREEN
    assert account.health_date == D - dt.timedelta(days=20)
    SentimentFactory(account=account, color=Color.RED, date=D - dt.timedelta(days=1))
    assert scoring.scores_recompute(as_of=D) == 1
    account.refresh_from_db()
    assert (account.health_color, account.health_date, account.scored_on) == (Color.RED, D, D)


def test_backfill_for_an_older_date_keeps_the_current_health():
    account = AccountFactory()
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=60))
    scoring.scores_recompute(as_of=D)
    account.refresh_from_db()
    current = (account.health_color, account.health_score, account.health_date)
    SentimentFactory(account=account, color=Color.RED, date=D - dt.timedelta(days=50))
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=45))
    scoring.scores_recompute(as_of=D - dt.timedelta(days=50))
    account.refresh_from_db()
    assert (account.health_color, account.health_score, account.health_date) == current
    assert HealthSnapshot.objects.get(account=account, date=D - dt.timedelta(days=50)).color == Color.RED


def test_scoring_a_chunk_reports_color_changes():
    account = AccountFactory()
    SentimentFactory(account=account, color=Color.RED, date=D)
    which = inputs.AccountSet(ids=(account.pk,))
    changes = scoring.chunk_score(which=which, as_of=D, segment_rules=inputs.rules_by_segment()).changes
    assert changes == [scoring.ColorChange(account.pk, None, Color.RED, D)]


def test_the_engine_keeps_the_facts_the_lists_show_on_the_account():
    account = AccountFactory()
    MeetingFactory(account=account, date=D - dt.timedelta(days=12))
    MeetingFactory(account=account, date=D - dt.timedelta(days=2), status=MeetingStatus.CANCELLED)
    MeetingFactory(account=account, date=D + dt.timedelta(days=3))  # planned, not held yet
    SentimentFactory(account=account, color=Color.RED, reason="Budget cut", date=D - dt.timedelta(days=3))
    SentimentFactory(account=account, color=Color.RED, reason="", date=D - dt.timedelta(days=2))
    SentimentFactory(
        account=account, color=Color.YELLOW, reason="Confirmed current", source=SentimentSource.CONFIRMATION, date=D
    )
    SentimentFactory(account=account, color=Color.GREEN, reason="From next week", date=D + dt.timedelta(days=7))
    scoring.scores_recompute(as_of=D)
    account.refresh_from_db()
    # The sentiment in force; the latest written reason, past a confirmation, an empty reason
    # and a future entry; the latest held meeting on or before the day.
    assert (account.sentiment_color, account.sentiment_reason) == (Color.YELLOW, "Budget cut")
    assert account.last_meeting_on == D - dt.timedelta(days=12)
    # Only the shown facts moved (a new meeting): the account is rewritten, its health is not.
    health = (account.health_color, account.health_score, account.health_date)
    MeetingFactory(account=account, date=D)
    scoring.scores_recompute(as_of=D)
    account.refresh_from_db()
    assert account.last_meeting_on == D
    assert (account.health_color, account.health_score, account.health_date) == health


def test_a_full_run_stores_the_days_color_counts_once_per_team(tam):
    AccountFactory.create_batch(2, tam=tam, region="EMEA", arr=Decimal("1000"))
    red = AccountFactory(tam=None, region="APAC", arr=Decimal("500"))
    SentimentFactory(account=red, color=Color.RED, date=D)
    scoring.scores_recompute(as_of=D)
    scoring.scores_recompute(as_of=D)  # a re-run replaces the day's counts
    counts = sorted(
        HealthDailyCount.objects.filter(date=D).values_list("region", "tam", "health_color", "accounts", "arr")
    )
    # (Without a meeting, a plan or a sentiment, the two EMEA accounts score red too.)
    assert counts == [("APAC", None, "red", 1, Decimal("500")), ("EMEA", tam.pk, "red", 2, Decimal("2000"))]
    # Rescoring some accounts (a save, an import) leaves the day's counts to the next full run.
    scoring.accounts_rescore(account_ids=[red.pk], as_of=D + dt.timedelta(days=1))
    assert not HealthDailyCount.objects.filter(date=D + dt.timedelta(days=1)).exists()


def _make_accounts(n):
    for account in AccountFactory.create_batch(n, tam=None):
        MeetingFactory(account=account, date=D - dt.timedelta(days=3))
        TicketFactory(account=account, opened=D)
        SentimentFactory(account=account, date=D)


def test_recompute_query_count_does_not_grow_with_accounts(django_assert_num_queries):
    _make_accounts(10)
    scoring.scores_recompute(as_of=D - dt.timedelta(days=1))  # also exercises the update path
    # config, the chunk's ids, (savepoint in/out), the locked accounts (and which were scored for a
    # later date), meetings (the last held and the last recorded), tickets, plans, sentiments in
    # force (and the written reasons), the feeds' last syncs (confidence), overrides in force,
    # upsert snapshots, one
    # executemany of the changed accounts, the outbox's one insert (accounts.events); the day's
    # color counts (savepoint in/out, one GROUP BY, delete, one insert) and the tally folded
    # (its sums, delete, one insert); and after the run one check for pending changes before
    # the single delivery is enqueued; PostgreSQL also locks the counts table and the accounts
    with django_assert_num_queries(23 + 2 * (connection.vendor == "postgresql")) as small:
        scoring.scores_recompute(as_of=D)
    _make_accounts(190)
    with django_assert_num_queries(len(small.captured_queries)):
        assert scoring.scores_recompute(as_of=D) == 200
    assert HealthSnapshot.objects.filter(date=D).count() == 200


def test_recompute_handles_many_chunks():
    _make_accounts(7)
    assert scoring.scores_recompute(as_of=D, chunk_size=3) == 7
    assert HealthSnapshot.objects.filter(date=D).count() == 7


def test_sentiment_update_applies_at_once(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=40))
    scoring.scores_recompute(as_of=fixed_today)
    entry = services.sentiment_update(account=account, color=Color.RED, reason="Budget cut", by=tam)
    account.refresh_from_db()
    assert entry.date == fixed_today and entry.author == tam
    assert account.health_color == Color.RED
    assert account.health_date == fixed_today
    assert HealthSnapshot.objects.get(account=account, date=fixed_today).inputs["sentiment"] == "red"


def test_sentiment_change_needs_a_reason_and_saves_nothing_without_one(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=3))
    with pytest.raises(ValidationError):
        services.sentiment_update(account=account, color=Color.YELLOW, reason="  ", by=tam)
    assert SentimentEntry.objects.filter(account=account).count() == 1
    assert not HealthSnapshot.objects.exists()


def test_same_color_update_needs_no_reason_and_confirms_the_date(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=90))
    scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=80))
    services.sentiment_update(account=account, color=Color.GREEN, reason="", by=tam)
    account.refresh_from_db()
    assert account.health_date == fixed_today


def test_health_confirm_moves_the_date_without_changing_color(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.YELLOW, date=fixed_today - dt.timedelta(days=90))
    scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=80))
    account.refresh_from_db()
    assert account.health_color == Color.RED  # no meeting, no plan: 5 + 37.5 = 42.5
    entry = services.health_confirm(account=account, by=tam)
    account.refresh_from_db()
    assert entry.source == SentimentSource.CONFIRMATION and entry.color == Color.YELLOW
    assert (account.health_color, account.health_date) == (Color.RED, fixed_today)


def test_health_confirm_needs_a_sentiment(fixed_today, tam):
    account = AccountFactory(tam=tam)
    with pytest.raises(ValidationError):
        services.health_confirm(account=account, by=tam)
    assert not SentimentEntry.objects.exists()


# --- activity_log: a call or meeting and an optional sentiment, in one transaction ---------


def _log(account, tam, **kwargs):
    args = {
        "account": account,
        "date": D - dt.timedelta(days=2),
        "kind": MeetingKind.CADENCE,
        "status": MeetingStatus.HELD,
        "attendees": " Jo Park ",
        "summary": "Walked through the runner fleet.",
        "by": tam,
    }
    return services.activity_log(**{**args, **kwargs})


def test_activity_log_saves_the_meeting_and_sentiment_and_rescores_at_once(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=30))
    meeting = _log(account, tam, sentiment_color=Color.RED, sentiment_reason="Sponsor left")
    account.refresh_from_db()
    assert (meeting.date, meeting.logged_by, meeting.attendees) == (D - dt.timedelta(days=2), tam, "Jo Park")
    entry = account.sentiments.order_by("-created_at").first()
    # The sentiment is the TAM's read now: dated today, so it counts today, not "the next day".
    assert (entry.color, entry.date, entry.source, entry.author) == (Color.RED, D, SentimentSource.ACTIVITY, tam)
    snapshot = HealthSnapshot.objects.get(account=account, date=D)
    assert snapshot.inputs["sentiment"] == "red" and snapshot.inputs["last_held_meeting"] == "2026-11-22"
    assert (account.health_color, account.health_date, account.scored_on) == (Color.RED, D, D)


def test_activity_log_without_sentiment_still_rescores_engagement(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=5))
    _log(account, tam)
    assert account.sentiments.count() == 1
    snapshot = HealthSnapshot.objects.get(account=account, date=D)
    assert snapshot.measures["engagement"]["color"] == Color.GREEN
    assert snapshot.measures["engagement"]["detail"].startswith("2 days since last meeting")


def test_activity_log_rolls_back_the_meeting_when_the_sentiment_is_refused(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=5))
    with pytest.raises(ValidationError) as caught:
        _log(account, tam, sentiment_color=Color.RED, sentiment_reason="   ")
    # The meeting was saved before the sentiment was refused: the transaction undid it.
    assert "sentiment_reason" in caught.value.message_dict
    assert not Meeting.objects.exists()
    assert account.sentiments.count() == 1 and not HealthSnapshot.objects.exists()


def test_activity_log_refuses_a_future_date_and_saves_nothing(fixed_today, tam):
    account = AccountFactory(tam=tam)
    with pytest.raises(ValidationError) as caught:
        _log(account, tam, date=D + dt.timedelta(days=1), sentiment_color=Color.GREEN, sentiment_reason="Good")
    assert "date" in caught.value.message_dict
    assert not Meeting.objects.exists() and not SentimentEntry.objects.exists()


def test_activity_log_refuses_a_sentiment_reason_without_a_color(fixed_today, tam):
    account = AccountFactory(tam=tam)
    with pytest.raises(ValidationError) as caught:
        _log(account, tam, sentiment_reason="Feels shaky")
    assert "sentiment_color" in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_activity_log_refuses_an_unknown_kind_by_field(fixed_today, tam):
    account = AccountFactory(tam=tam)
    with pytest.raises(ValidationError) as caught:
        _log(account, tam, kind="party")
    assert "kind" in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_a_cancelled_call_is_logged_but_does_not_count_as_engagement(fixed_today, tam):
    account = AccountFactory(tam=tam)
    _log(account, tam, status=MeetingStatus.CANCELLED)
    snapshot = HealthSnapshot.objects.get(account=account, date=D)
    assert Meeting.objects.count() == 1
    assert snapshot.measures["engagement"]["detail"].startswith("No held meeting")


# --- Selectors of the TAM's pages -------------------------------------------------------


def test_my_accounts_are_the_tams_own_riskiest_first_unscored_first(tam, other_tam):
    low = AccountFactory(tam=tam, name="Low", health_score=Decimal("20"))
    high = AccountFactory(tam=tam, name="High", health_score=Decimal("90"))
    unscored = AccountFactory(tam=tam, name="Unscored")
    AccountFactory(tam=other_tam, name="Not mine", health_score=Decimal("1"))
    assert list(selectors.my_accounts(user=tam, today=D)) == [unscored, low, high]


def test_account_rows_gather_the_row_facts(tam):
    account = AccountFactory(tam=tam)
    MeetingFactory(account=account, date=D - dt.timedelta(days=12))
    MeetingFactory(account=account, date=D - dt.timedelta(days=3), status=MeetingStatus.CANCELLED)
    TicketFactory.create_batch(3, account=account, opened=D - dt.timedelta(days=29))
    TicketFactory(account=account, opened=D - dt.timedelta(days=30))  # outside the 30-day window
    SuccessPlanFactory(account=account, status=PlanStatus.DRAFT)
    SuccessPlanFactory(account=account, status=PlanStatus.ACTIVE)
    SentimentFactory(account=account, color=Color.YELLOW, date=D - dt.timedelta(days=1))
    scoring.accounts_rescore(account_ids=[account.pk], as_of=D)  # as every save does
    HealthSnapshot.objects.create(account=account, date=D - dt.timedelta(days=91), score=10, color="red")
    HealthSnapshot.objects.create(account=account, date=D - dt.timedelta(days=7), score=60, color="yellow")
    HealthSnapshot.objects.filter(account=account, date=D).update(score=80)
    [row] = selectors.my_accounts(user=tam, today=D)
    assert row.last_held == D - dt.timedelta(days=12)
    assert row.recent_tickets == 3
    assert row.plan_status == PlanStatus.ACTIVE
    assert row.sentiment_color == Color.YELLOW
    assert [(s.date, s.score) for s in row.trend] == [(D - dt.timedelta(days=7), 60), (D, 80)]


def test_history_lists_sentiment_and_overall_changes_with_who_and_why(tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=20), author=tam)
    SentimentFactory(account=account, color=Color.RED, date=D - dt.timedelta(days=2), author=tam, reason="Budget cut")
    scoring.scores_recompute(as_of=D - dt.timedelta(days=10))
    scoring.scores_recompute(as_of=D)
    snapshots = selectors.account_snapshots(account=account, today=D)
    history = history_module.account_history(account=account, snapshots=snapshots)
    described = [(h.date, h.what, h.old, h.new) for h in history]
    assert described == [
        (D, "Overall health", "green", "red"),
        (D - dt.timedelta(days=2), "TAM Sentiment", "green", "red"),
        (D - dt.timedelta(days=10), "Overall health", None, "green"),
        (D - dt.timedelta(days=20), "TAM Sentiment", None, "green"),
    ]
    assert history[0].why == "TAM Sentiment green → red" and history[0].who == "Healthscore (daily rescore)"
    assert history[1].why == "Budget cut" and history[1].who == (tam.get_full_name() or tam.username)


def test_health_confirm_ignores_a_future_dated_sentiment(fixed_today, tam):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=3))
    SentimentFactory(account=account, color=Color.RED, date=fixed_today + dt.timedelta(days=5))
    scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=1))
    entry = services.health_confirm(account=account, by=tam)
    account.refresh_from_db()
    assert entry.color == Color.GREEN
    assert HealthSnapshot.objects.get(account=account, date=fixed_today).inputs["sentiment"] == "green"


def test_history_does_not_invent_a_first_score_at_the_start_of_the_window(fixed_today):
    account = AccountFactory()
    for days_ago in (400, 200, 100):
        HealthSnapshot.objects.create(
            account=account, date=fixed_today - dt.timedelta(days=days_ago), color="green", score=100, measures={}
        )
    snapshots = selectors.account_snapshots(account=account, today=fixed_today)
    assert [s.date for s in snapshots] == [fixed_today - dt.timedelta(days=200), fixed_today - dt.timedelta(days=100)]
    history = history_module.account_history(account=account, snapshots=snapshots)
    assert not [item for item in history if item.what == "Overall health"]  # green all along


def test_history_reads_only_the_entries_it_can_show(fixed_today):
    account = AccountFactory()
    for i in range(6):
        SentimentFactory(account=account, color=["green", "red"][i % 2], date=fixed_today - dt.timedelta(days=10 - i))
    history = history_module.account_history(account=account, snapshots=[], limit=3)
    assert [(h.old, h.new) for h in history] == [("green", "red"), ("red", "green"), ("green", "red")]
    assert history[-1].date == fixed_today - dt.timedelta(days=7)


def test_a_sentiment_save_takes_the_same_queries_for_a_small_or_a_long_history(
    tam, fixed_today, django_assert_num_queries, django_assert_max_num_queries
):
    """A TAM's save: validate, insert, then the engine for one account (lock, five input reads,
    the override in force, snapshot upsert, one account update, the outbox row)
    and the CTA listener: 16 queries whether the account has a week or two months behind it;
    fewer without a change."""

    def account_with(days):
        account = AccountFactory(tam=tam)
        for n in range(days):
            day = fixed_today - dt.timedelta(days=n)
            MeetingFactory(account=account, date=day)
            TicketFactory(account=account, opened=day)
            SentimentFactory(account=account, color="green", date=day)
        scoring.scores_recompute(as_of=fixed_today, accounts=Account.objects.filter(pk=account.pk))
        return account

    small, large = account_with(3), account_with(60)
    for account in (small, large):
        with django_assert_num_queries(16):
            services.sentiment_update(account=account, color="red", reason="Budget frozen", by=tam)
    with django_assert_max_num_queries(16):
        services.sentiment_update(account=large, color="red", reason="Still frozen", by=tam)


def test_overlapping_runs_pause_the_collector_and_the_last_one_restores_it():
    import gc
    import threading

    assert gc.isenabled()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def run_a():
        with scoring._old_objects_frozen():
            a_in.set()
            b_in.wait(5)
        seen["after a"] = gc.isenabled()  # b still runs: still paused
        a_out.set()

    def run_b():
        a_in.wait(5)
        with scoring._old_objects_frozen():
            b_in.set()
            a_out.wait(5)
            seen["during b"] = gc.isenabled()

    threads = [threading.Thread(target=run_a), threading.Thread(target=run_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after a": False, "during b": False}
    assert gc.isenabled()


def test_a_subset_without_gaps_is_read_as_a_range_and_one_with_gaps_as_its_ids(monkeypatch):
    accounts = AccountFactory.create_batch(5)
    ids = sorted(a.pk for a in accounts)
    seen = []
    chunk_score = scoring.chunk_score

    def recording(*, which, **kwargs):
        seen.append(which)
        return chunk_score(which=which, **kwargs)

    monkeypatch.setattr(scoring, "chunk_score", recording)
    scoring.accounts_rescore(account_ids=ids, as_of=D)
    scoring.accounts_rescore(account_ids=[ids[0], ids[2], ids[4]], as_of=D)
    assert seen == [inputs.AccountSet(ids[0], ids[-1]), inputs.AccountSet(ids=(ids[0], ids[2], ids[4]))]


def test_a_rescore_of_given_ids_skips_missing_ones_counts_each_and_delivers_once(monkeypatch):
    from accounts import events

    accounts = AccountFactory.create_batch(4)
    gone = AccountFactory()
    gone_pk = gone.pk
    gone.delete()
    ids = [accounts[0].pk, gone_pk, accounts[2].pk, accounts[3].pk, 10**9]
    deliveries, ticks = [], []
    monkeypatch.setattr(events, "delivery_enqueue_on_commit", lambda: deliveries.append(1))
    monkeypatch.setattr(scoring, "RECOMPUTE_CHUNK", 2)
    done = scoring.accounts_rescore(account_ids=ids, as_of=D, progress=ticks.append)
    assert done == 3  # the three that exist
    assert sum(ticks) == len(ids) and len(ticks) == 3  # every given id, a chunk at a time
    assert deliveries == [1]  # the run's color changes (new scores), once after the last chunk
    scored = set(Account.objects.filter(scored_on=D).values_list("pk", flat=True))
    assert scored == {accounts[0].pk, accounts[2].pk, accounts[3].pk}


def test_a_run_leaves_objects_someone_else_froze_frozen():
    import gc

    def frozen(obj):  # the permanent generation is the one gc.get_objects() leaves out
        return not any(o is obj for o in gc.get_objects())

    # The freeze count is no witness: a frozen object that is freed leaves the count.
    marker = [[]]
    gc.freeze()  # as import_data does around its whole apply, rescore included
    try:
        assert frozen(marker)
        with scoring._old_objects_frozen():
            assert not gc.isenabled()
        assert frozen(marker) and gc.isenabled()
    finally:
        gc.unfreeze()
    assert not frozen(marker)


def test_a_snapshots_measures_text_is_the_json_of_its_measures_put_together_from_each_one():
    import json

    from accounts.scoring import writes

    measures = (
        rules.MeasureResult("engagement", "red", 10, Decimal(10), 'No "held" meeting — ever\n'),
        rules.MeasureResult("roi", None, 10, Decimal(0), "Not measured"),
        rules.MeasureResult("sentiment", "green", 75, Decimal(250) / Decimal(3), "Set to green on 2026-11-20"),
    )
    for chosen in (measures, measures[:1], ()):
        text = writes.measures_json(chosen)
        assert text == json.dumps({m.name: m.as_dict() for m in chosen})
        assert json.loads(text) == {m.name: m.as_dict() for m in chosen}


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [(10000, 100, "100"), (7750, 100, "77.5"), (5000, 90, "55.555556"), (0, 100, "0"), (6200, 100, "62")],
)
def test_the_unrounded_score_is_written_plainly_never_in_exponent_form(numerator, denominator, text):
    # Decimal.normalize() alone writes 100 as "1E+2": the snapshot's "why" showed that.
    assert record.exact(numerator, denominator) == text


def test_a_full_green_scorecard_stores_its_unrounded_score_as_100():
    account = AccountFactory(segment="enterprise")
    MeetingFactory(account=account, date=D - dt.timedelta(days=3))
    SuccessPlanFactory(account=account, status=PlanStatus.ACTIVE)
    SentimentFactory(account=account, color=Color.GREEN, date=D - dt.timedelta(days=1))
    scoring.scores_recompute(as_of=D, accounts=Account.objects.filter(pk=account.pk))
    snapshot = HealthSnapshot.objects.get(account=account, date=D)
    assert (snapshot.score, snapshot.inputs["score_unrounded"]) == (Decimal("100.0"), "100")


def _inputs(**changes):
    values = dict(
        account_id=1,
        segment="enterprise",
        arr=Decimal("120000.50"),
        last_held=D - dt.timedelta(days=45),
        tickets=7,
        active_plan=True,
        draft_plan=False,
        sentiment=Color.YELLOW,
        sentiment_date=D - dt.timedelta(days=2),
        reason='Said "maybe"\nthen left',
        meetings_refreshed=D - dt.timedelta(days=40),
        plan_touched=None,
        tickets_synced=D,
    )
    return inputs.ScoreInputs(**{**values, **changes})


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"last_held": None, "sentiment": None, "sentiment_date": None, "tickets_synced": None},
        {"segment": "commercial", "arr": Decimal("30000.00"), "tickets": 0, "draft_plan": True, "active_plan": False},
    ],
    ids=["typical", "nothing-known", "commercial"],
)
@pytest.mark.parametrize("override", [None, {"id": 3, "color": "red", "reason": 'A "quoted"\\ reason ✓', "by": "Ana"}])
def test_the_stored_record_is_exactly_json_dumps_of_what_produced_the_score(changes, override):
    row = _inputs(**changes)
    rules_ = rules.DEFAULT_RULES[row.segment]
    result = row.compute(rules_, D)
    confidence = row.confidence(result, rules_)
    text = record.record_json(row, result, confidence, override)
    stored = json.loads(text)
    # Byte for byte what json.dumps writes (SQLite compares the stored text on a re-run).
    assert json.dumps(stored) == text
    expected = {
        "segment": row.segment,
        "arr": str(row.arr),
        "last_held_meeting": row.last_held and row.last_held.isoformat(),
        "tickets_in_window": row.tickets,
        "active_plan": row.active_plan,
        "draft_plan": row.draft_plan,
        "sentiment": row.sentiment,
        "sentiment_date": row.sentiment_date and row.sentiment_date.isoformat(),
        "score_unrounded": record.exact(result.points_sum, result.present_weight),
        "confidence": confidence.percent,
        "confidence_reasons": list(confidence.reasons),
        "meetings_refreshed": row.meetings_refreshed.isoformat(),
        "plan_touched": None,
        "tickets_synced": row.tickets_synced and row.tickets_synced.isoformat(),
    }
    if override:
        expected["override"] = override
    assert stored == expected
    assert confidence.reasons  # the reasons list is exercised, not only empty


def test_a_record_without_a_confidence_stores_null_and_no_reasons():
    row = _inputs()
    text = record.record_json(row, row.compute(rules.DEFAULT_RULES[row.segment], D), None)
    assert json.dumps(json.loads(text)) == text
    assert (json.loads(text)["confidence"], json.loads(text)["confidence_reasons"]) == (None, [])
