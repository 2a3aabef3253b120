"""The color-change outbox: written in the change's transaction, handed to each consumer once."""

import pytest

from accounts import events
from accounts import services as account_services
from accounts.models import Color, HealthChange

pytestmark = pytest.mark.django_db


def change_color(account, color, by=None):
    """The TAM sets the sentiment: the account is rescored in the same transaction."""
    account_services.sentiment_update(account=account, color=color, reason=f"Now {color}", by=by or account.tam)
    account.refresh_from_db()


def test_a_color_change_writes_an_outbox_row_in_its_transaction(account_in):
    account = account_in(Color.GREEN)
    change_color(account, Color.YELLOW)
    change = HealthChange.objects.get(account=account, new_color=Color.YELLOW)
    assert (change.old_color, change.processed_at) == (Color.GREEN, None)


def test_each_news_change_is_handed_to_every_consumer_once(account_in, monkeypatch, fixed_today):
    seen = []
    monkeypatch.setattr(
        events, "_consumers", [lambda changes, *, today: seen.extend((c.new_color, today) for c in changes)]
    )
    account = account_in(Color.GREEN)
    change_color(account, Color.RED)
    assert events.outbox_drain(today=fixed_today) == 1
    assert events.outbox_drain(today=fixed_today) == 0  # processed: not handed over again
    assert seen == [(Color.RED, fixed_today)]


def test_a_change_the_account_moved_on_from_reaches_no_consumer(account_in, monkeypatch, fixed_today):
    seen = []
    monkeypatch.setattr(events, "_consumers", [lambda changes, *, today: seen.extend(c.new_color for c in changes)])
    account = account_in(Color.GREEN)
    change_color(account, Color.RED)
    change_color(account, Color.GREEN)  # moved on before the drain: only the change back is current
    assert events.outbox_drain(today=fixed_today) == 2 and seen == [Color.GREEN]
    assert not HealthChange.objects.filter(processed_at__isnull=True).exists()


def test_the_apps_register_their_consumers_and_drain_wrappers():
    names = [f"{fn.__module__}.{fn.__name__}" for fn in events._consumers]
    # integrations after triage: the GitLab issue takes the label triage just gave the record.
    assert names == [
        "notifications.services.notifications_for_changes",
        "triage.jobs.triage_run.triage_for_changes",
        "integrations.services.gitlab_mark_for_changes",
    ]
    assert [fn.__module__ for fn in events._drain_wrappers] == ["notifications.services"]
