"""The account page's history: newest first within a day, with times; repeated confirmations
folded; the system's rescoring named as such."""

import datetime as dt

import pytest

from accounts import history, selectors, services
from accounts.models import Color, SentimentEntry, SentimentSource
from accounts.scoring import services as scoring
from accounts.tests.factories import SentimentFactory, healthy_account
from healthscore import clock

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def page_history(account, today):
    return history.account_history(account=account, snapshots=selectors.account_snapshots(account=account, today=today))


def test_two_updates_on_one_day_show_newest_first_with_their_times(tam, fixed_today):
    account = healthy_account(today=fixed_today - dt.timedelta(days=1), tam=tam)
    late = SentimentFactory(account=account, color=Color.RED, date=fixed_today, author=tam, reason="Late")
    early = SentimentFactory(account=account, color=Color.YELLOW, date=fixed_today, author=tam, reason="Early")
    SentimentEntry.objects.filter(pk=late.pk).update(created_at=at(fixed_today, 15))
    SentimentEntry.objects.filter(pk=early.pk).update(created_at=at(fixed_today, 9))
    items = [item for item in page_history(account, fixed_today) if item.what == "TAM Sentiment"]
    assert [(item.why, item.at) for item in items[:2]] == [("Late", at(fixed_today, 15)), ("Early", at(fixed_today, 9))]


def test_repeated_confirmations_of_one_day_collapse_into_one_line_with_a_count(tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    for _ in range(3):
        services.health_confirm(account=account, by=tam)
    items = page_history(account, fixed_today)
    confirmations = [item for item in items if item.is_confirmation]
    assert len(confirmations) == 1 and confirmations[0].count == 3


def test_confirmations_on_different_days_stay_apart(tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    for days_ago in (0, 1):
        SentimentFactory(
            account=account,
            color=Color.GREEN,
            date=fixed_today - dt.timedelta(days=days_ago),
            source=SentimentSource.CONFIRMATION,
            reason="Confirmed health is current",
        )
    assert [item.count for item in page_history(account, fixed_today) if item.is_confirmation] == [1, 1]


def test_the_daily_rescore_reads_as_the_system(tam, fixed_today):
    account = healthy_account(today=fixed_today - dt.timedelta(days=40), tam=tam)
    scoring.scores_recompute(as_of=fixed_today)  # no meeting for 43 days: Engagement drops
    overall = [item for item in page_history(account, fixed_today) if item.what == "Overall health"]
    assert overall[0].who == "Healthscore (daily rescore)"


def test_a_rescore_after_a_tams_update_says_so_and_sits_above_it(tam, client):
    # The real clock: the times recorded must fall on the day they are about.
    fixed_today = clock.today()
    account = healthy_account(today=fixed_today, tam=tam)
    services.sentiment_update(account=account, color=Color.RED, reason="Champion left", by=tam)
    items = page_history(account, fixed_today)
    assert (items[0].what, items[0].who) == ("Overall health", "Healthscore (rescored at once after the update below)")
    assert (items[1].what, items[1].why) == ("TAM Sentiment", "Champion left")
    assert items[0].at is not None and items[1].at is not None
    client.force_login(tam)
    page = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "by Healthscore (rescored at once after the update below)" in page and " UTC</time>" in page


def test_a_backdated_entry_shows_its_day_without_a_time(tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    item = next(item for item in page_history(account, fixed_today) if item.what == "TAM Sentiment")
    assert item.at is None  # recorded today about yesterday
