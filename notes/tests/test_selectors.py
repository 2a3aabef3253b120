"""Reads: the document's per-entry context, the signal inputs, and their query counts."""

import datetime as dt

import pytest

from accounts.models import Account, MeetingKind, MeetingStatus, ScorecardConfig, TicketStatus
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, TicketFactory, UserFactory
from healthscore import permissions
from notes import health_signals, selectors, services
from notes.models import FeatureRequestStatus
from notes.tests.factories import (
    ChampionChangeFactory,
    FeatureRequestFactory,
    NoteEntryFactory,
    ProductReleaseFactory,
    SignalDataFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


def note(account, by, day, **kwargs):
    kwargs.setdefault("sections", services.NoteSections(questions_answers="Discussed the roadmap"))
    return services.note_create(account=account, by=by, date=day, **kwargs)


def test_each_entry_shows_the_items_carried_into_it_as_they_stood_then(tam, fixed_today):
    account = AccountFactory(tam=tam)
    first = note(
        account,
        tam,
        dt.date(2026, 11, 2),
        new_items=[services.NewActionItem("Docs", "TAM"), services.NewActionItem("Upgrade plan", "Ops")],
    )
    docs, plan = first.action_items.order_by("pk")
    second = note(account, tam, dt.date(2026, 11, 9), done_items=[docs.pk])
    third = note(account, tam, dt.date(2026, 11, 16))
    views = {v.entry.pk: v for v in selectors.entry_views(account, list(selectors.entries_for_document(account)))}
    assert [(c.item.text, c.done_here) for c in views[second.pk].carried] == [("Docs", True), ("Upgrade plan", False)]
    assert [(c.item.text, c.done_here) for c in views[third.pk].carried] == [("Upgrade plan", False)]
    assert views[first.pk].carried == [] and [i.text for i in views[first.pk].new_items] == ["Docs", "Upgrade plan"]


def test_document_lists_entries_newest_first(tam, fixed_today):
    account = AccountFactory(tam=tam)
    for day in (2, 9, 16):
        note(account, tam, dt.date(2026, 11, day))
    assert [e.meeting.date.day for e in selectors.entries_for_document(account)] == [16, 9, 2]


def test_tickets_listed_are_those_open_as_of_the_meeting_date(tam):
    account = AccountFactory(tam=tam)
    entry = NoteEntryFactory(account=account, meeting__date=dt.date(2026, 11, 10))
    TicketFactory(account=account, external_id="OPEN", opened=dt.date(2026, 11, 1))
    TicketFactory(account=account, external_id="ON-THE-DAY", opened=dt.date(2026, 11, 10))
    TicketFactory(account=account, external_id="LATER", opened=dt.date(2026, 11, 11))
    TicketFactory(
        account=account,
        external_id="CLOSED-AFTER",
        opened=dt.date(2026, 11, 1),
        status=TicketStatus.CLOSED,
        closed=dt.date(2026, 11, 12),
    )
    TicketFactory(
        account=account,
        external_id="CLOSED-ON-THE-DAY",
        opened=dt.date(2026, 11, 1),
        status=TicketStatus.SOLVED,
        closed=dt.date(2026, 11, 10),
    )
    TicketFactory(
        account=account, external_id="SOLVED-NO-DATE", opened=dt.date(2026, 11, 1), status=TicketStatus.SOLVED
    )
    TicketFactory(external_id="OTHER-ACCOUNT", opened=dt.date(2026, 11, 1))
    [view] = selectors.entry_views(account, [entry])
    assert sorted(t.external_id for t in view.tickets) == ["CLOSED-AFTER", "ON-THE-DAY", "OPEN"]
    assert sorted(t.external_id for t in selectors.open_tickets(account, dt.date(2026, 11, 10))) == [
        "CLOSED-AFTER",
        "ON-THE-DAY",
        "OPEN",
    ]


def test_entry_views_take_two_queries_for_any_number_of_entries(tam, django_assert_num_queries):
    account = AccountFactory(tam=tam)
    entries = [NoteEntryFactory(account=account, meeting__date=dt.date(2026, 11, d)) for d in range(1, 11)]
    for entry in entries:
        TicketFactory(account=account, opened=entry.meeting.date)
    with django_assert_num_queries(2):
        views = selectors.entry_views(account, list(entries))
    assert len(views) == 10


def test_readable_accounts_are_the_team_for_tams_and_all_for_managers(tam, other_tam, manager):
    sal = UserFactory(username="sal")
    own = AccountFactory(tam=tam)
    sold = AccountFactory(tam=other_tam, sal=sal)
    AccountFactory(tam=other_tam)
    assert set(Account.objects.filter(permissions.notes_readable_q(tam))) == {own}
    assert set(Account.objects.filter(permissions.notes_readable_q(sal))) == {sold}
    assert Account.objects.filter(permissions.notes_readable_q(manager)).count() == 3


def test_signal_inputs_are_gathered_from_the_data(tam):
    account = AccountFactory(tam=tam)
    SignalDataFactory(
        account=account,
        deployment="self_managed",
        current_version="15.9",
        licences_purchased=200,
        licences_used=60,
        product_stages=["create"],
    )
    ProductReleaseFactory(major=16, minor=11)
    ProductReleaseFactory(major=17, minor=6)
    FeatureRequestFactory.create_batch(3, account=account, important=True)
    FeatureRequestFactory(account=account, important=False)
    FeatureRequestFactory(account=account, important=True, status=FeatureRequestStatus.DELIVERED)
    for days in (1, 10, 29):  # the latest 30-day month
        TicketFactory(account=account, opened=TODAY - dt.timedelta(days=days))
    TicketFactory(account=account, opened=TODAY - dt.timedelta(days=30))  # the month before
    TicketFactory(account=account, opened=TODAY - dt.timedelta(days=90))  # too old
    MeetingFactory(account=account, date=TODAY - dt.timedelta(days=40), kind=MeetingKind.CADENCE)
    MeetingFactory(account=account, date=TODAY - dt.timedelta(days=3), kind=MeetingKind.EBR)  # not a cadence call
    MeetingFactory(account=account, date=TODAY - dt.timedelta(days=5), status=MeetingStatus.NO_SHOW)
    MeetingFactory(account=account, date=TODAY - dt.timedelta(days=89), status=MeetingStatus.CANCELLED)
    MeetingFactory(account=account, date=TODAY - dt.timedelta(days=90), status=MeetingStatus.CANCELLED)  # too old
    ChampionChangeFactory(account=account, person="Jane Doe", date=TODAY - dt.timedelta(days=20))
    signals = {s.name: s for s in selectors.account_signals(account, TODAY)}
    assert signals["utilization"].data == "60 of 200 licences used (30 %); 1 stage in use: create"
    assert signals["feature_requests"].data == "3 open important feature requests"
    assert signals["support"].data.endswith("0, 1, 3; trend up")
    assert signals["cadence"].data.startswith(
        "2 cancelled or no-show cadence calls in the last 90 days; 40 days since the last held one on 2026-10-15"
    )
    assert signals["upgrade"].data == "Runs 15.9; latest release 17.6"
    assert signals["champion"].data == "Jane Doe (Champion): left the company on 2026-11-04"
    assert all(s.level == health_signals.FLAG for s in signals.values() if s.name != "support")


def test_support_signal_uses_the_segment_configuration(tam):
    ScorecardConfig.objects.filter(segment="enterprise").update(support_green_max=0, support_yellow_max=1)
    account = AccountFactory(tam=tam)
    TicketFactory.create_batch(2, account=account, opened=TODAY)
    signal = next(s for s in selectors.account_signals(account, TODAY) if s.name == "support")
    assert signal.level == health_signals.FLAG


def test_signals_take_a_fixed_number_of_queries_for_any_number_of_accounts(django_assert_num_queries):
    def make(n):
        for account in AccountFactory.create_batch(n, tam=None):
            TicketFactory(account=account, opened=TODAY)
            FeatureRequestFactory(account=account)
            ChampionChangeFactory(account=account, date=TODAY)
            MeetingFactory(account=account, date=TODAY)

    make(2)
    # accounts with their counts, champion changes, latest release, scorecard rules
    with django_assert_num_queries(4):
        selectors.signals_for_accounts(Account.objects.all(), TODAY)
    make(20)
    with django_assert_num_queries(4):
        assert len(selectors.signals_for_accounts(Account.objects.all(), TODAY)) == 22


def test_latest_release_is_the_highest_version_not_the_newest_row():
    ProductReleaseFactory(major=17, minor=6, released_on=dt.date(2026, 11, 19))
    ProductReleaseFactory(major=16, minor=11, released_on=dt.date(2026, 11, 20))  # a late patch line
    assert selectors.latest_release().version == "17.6"


def test_carried_items_past_their_due_date_are_marked_overdue(tam, fixed_today):
    account = AccountFactory(tam=tam)
    note(
        account,
        tam,
        dt.date(2026, 11, 2),
        new_items=[
            services.NewActionItem("Late", "TAM", dt.date(2026, 11, 8)),
            services.NewActionItem("On time", "TAM", dt.date(2026, 11, 9)),
        ],
    )
    second = note(account, tam, dt.date(2026, 11, 9))
    [view] = selectors.entry_views(account, [second])
    assert [(c.item.text, c.overdue) for c in view.carried] == [("Late", True), ("On time", False)]


def test_did_health_change_compares_with_the_sentiment_in_force_not_a_future_one(tam, fixed_today):
    """Behaviour change (one rule for "the sentiment in force"): a future-dated entry, which an
    import may bring, is not yet the TAM's sentiment, so a note is compared with today's."""
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color="yellow", date=fixed_today - dt.timedelta(days=3))
    SentimentFactory(account=account, color="red", date=fixed_today + dt.timedelta(days=5))
    assert selectors.current_sentiment(account, fixed_today) == "yellow"
