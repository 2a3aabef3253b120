"""Admins edit the scorecard configuration; bad values are refused with field errors."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Account, DataFeed, FeedSync, HealthSnapshot, ScorecardConfig
from accounts.scoring import inputs
from accounts.scoring import services as scoring
from accounts.tests.factories import (
    AccountFactory,
    MeetingFactory,
    SentimentFactory,
    SuccessPlanFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def config_form(config, **changes):
    data = {f.name: getattr(config, f.name) for f in ScorecardConfig._meta.fields if f.editable and f.name != "id"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    return {**data, **changes}


def test_admin_refuses_weights_not_adding_up_to_100(client, admin_user):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    url = f"/admin/accounts/scorecardconfig/{config.pk}/change/"
    response = client.post(url, config_form(config, weight_sentiment=80, engagement_yellow_days=20))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The four weights must add up to 100 (they add up to 105)." in html
    assert "Must be more than the green limit." in html
    config.refresh_from_db()
    assert (config.weight_sentiment, config.engagement_yellow_days) == (75, 60)


def test_admin_saves_valid_weights(client, admin_user):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="commercial")
    url = f"/admin/accounts/scorecardconfig/{config.pk}/change/"
    values = config_form(config, weight_sentiment=70, weight_support=10)
    assert client.post(url, values).status_code == 200  # the preview first: nothing saved yet
    config.refresh_from_db()
    assert (config.weight_sentiment, config.weight_support) == (75, 5)
    response = client.post(url, {**values, "_whatif_apply": "1", "_whatif_base_version": 1})
    assert response.status_code == 302
    config.refresh_from_db()
    assert (config.weight_sentiment, config.weight_support) == (70, 10)


@pytest.mark.parametrize(
    "path",
    [
        "account",
        "meeting",
        "supportticket",
        "successplan",
        "sentimententry",
        "healthsnapshot",
        "scorecardconfig",
        "healthoverride",
        "scoringrun",
    ],
)
def test_admin_lists_load_with_search(client, admin_user, path):
    client.force_login(admin_user)
    assert client.get(f"/admin/accounts/{path}/?q=acme").status_code == 200


# --- Every admin edit of a scorecard input rescores at once -----------------------------------


@pytest.fixture
def scored(db, fixed_today):
    """An Enterprise account scored green: a recent meeting, an active plan, green sentiment."""
    account = AccountFactory(segment="enterprise", arr=100_000)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=3))
    SuccessPlanFactory(account=account, status="active")
    SentimentFactory(account=account, color="green", date=fixed_today)
    scoring.scores_recompute(as_of=fixed_today)
    account.refresh_from_db()
    assert account.health_color == "green"
    return account


def fresh_color(account, today):
    return inputs.account_scorecard(account, today).color


def test_an_admin_sentiment_entry_rescores_the_account(client, admin_user, scored, fixed_today):
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/sentimententry/add/",
        {"account": scored.pk, "color": "red", "reason": "Exec sponsor left", "date": fixed_today, "source": "admin"},
    )
    assert response.status_code == 302
    scored.refresh_from_db()
    assert scored.health_color == "red" == fresh_color(scored, fixed_today)


def test_deleting_a_sentiment_entry_in_admin_rescores(client, admin_user, scored, fixed_today):
    entry = SentimentFactory(account=scored, color="red", date=fixed_today, reason="mistake")
    scoring.scores_recompute(as_of=fixed_today)
    client.force_login(admin_user)
    response = client.post(f"/admin/accounts/sentimententry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    scored.refresh_from_db()
    assert scored.health_color == "green" == fresh_color(scored, fixed_today)


def test_bulk_deleting_meetings_in_admin_rescores(client, admin_user, scored, fixed_today):
    client.force_login(admin_user)
    ids = list(scored.meetings.values_list("pk", flat=True))
    response = client.post(
        "/admin/accounts/meeting/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    scored.refresh_from_db()
    # No held meeting: Engagement red (10 %), the rest green: 90, still green, but the snapshot moved.
    assert scored.health_score == inputs.account_scorecard(scored, fixed_today).score_rounded
    assert HealthSnapshot.objects.get(account=scored, date=fixed_today).measures["engagement"]["color"] == "red"


def test_editing_a_plan_in_admin_rescores(client, admin_user, scored, fixed_today):
    plan = scored.success_plans.get()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/successplan/{plan.pk}/change/",
        {"account": scored.pk, "external_id": "", "status": "closed", "title": "Closed"},
    )
    assert response.status_code == 302
    snapshot = HealthSnapshot.objects.get(account=scored, date=fixed_today)
    assert snapshot.measures["roi"]["color"] == "red"


def test_adding_a_ticket_in_admin_rescores(client, admin_user, scored, fixed_today):
    client.force_login(admin_user)
    for _n in range(16):
        TicketFactory(account=scored, opened=fixed_today)
    response = client.post(
        "/admin/accounts/supportticket/add/",
        {
            "account": scored.pk,
            "external_id": "ZD-ADMIN",
            "opened": fixed_today,
            "severity": "normal",
            "status": "open",
        },
    )
    assert response.status_code == 302
    snapshot = HealthSnapshot.objects.get(account=scored, date=fixed_today)
    assert snapshot.measures["support"]["color"] == "red"


def test_saving_a_configuration_rescores_its_segment_at_once(client, admin_user, scored, fixed_today):
    """Engagement 3 days old stays green; with yellow sentiment the score is 10+10+5 green and
    75 yellow = 62.5. A yellow band from 60 and green from 62 makes it green; from 63, yellow."""
    SentimentFactory(account=scored, color="yellow", date=fixed_today, reason="slower")
    scoring.scores_recompute(as_of=fixed_today)
    scored.refresh_from_db()
    assert (scored.health_color, scored.health_score) == ("yellow", Decimal("62.5"))
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    url = f"/admin/accounts/scorecardconfig/{config.pk}/change/"
    values = config_form(config, green_min_score=62, yellow_min_score=40)
    assert client.post(url, {**values, "_whatif_apply": "1", "_whatif_base_version": 1}).status_code == 302
    scored.refresh_from_db()
    assert scored.health_color == "green"


def test_a_score_exactly_on_a_configured_threshold_takes_the_upper_band(fixed_today):
    """Exact arithmetic. A Commercial account at 30,000 ARR has no ROI measure, so the weights
    are shared over 90; all three measures yellow score exactly 50, which decimal division made
    49.999… (red). With the yellow band configured to start at 50 it must be yellow."""
    ScorecardConfig.objects.filter(segment="commercial").update(yellow_min_score=50)
    account = AccountFactory(segment="commercial", arr=30_000)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=100))  # yellow: 91-120 days
    for _n in range(8):  # yellow: 6-15 tickets
        TicketFactory(account=account, opened=fixed_today)
    SentimentFactory(account=account, color="yellow", date=fixed_today)
    scoring.scores_recompute(as_of=fixed_today)
    account.refresh_from_db()
    assert (account.health_score, account.health_color) == (Decimal("50.0"), "yellow")


def test_the_confidence_ages_are_edited_in_admin_and_apply_at_once(client, admin_user, scored, fixed_today):
    """Ticket sync 5 days old: fresh under the default 7 days, stale under 3 (support's 5 % lost)."""
    FeedSync.objects.create(
        feed=DataFeed.TICKETS, synced_at=dt.datetime.combine(fixed_today - dt.timedelta(days=5), dt.time(tzinfo=dt.UTC))
    )
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    url = f"/admin/accounts/scorecardconfig/{config.pk}/change/"
    html = client.get(url).content.decode()
    assert "Confidence: how old data may be and still count as fresh" in html
    assert "Support counts as fresh when tickets were imported (the ticket sync) within this many days." in html
    apply = {"_whatif_apply": "1"}
    assert client.post(url, {**config_form(config), **apply, "_whatif_base_version": 1}).status_code == 302
    before = Account.objects.get(pk=scored.pk).health_confidence
    # Saving goes through the what-if preview first (a confidence age moves no color), then Apply.
    preview = client.post(url, config_form(config, confidence_ticket_days=3))
    assert preview.status_code == 200 and "Preview: what this change" in preview.content.decode()
    assert Account.objects.get(pk=scored.pk).health_confidence == before
    changed = {**config_form(config, confidence_ticket_days=3), **apply, "_whatif_base_version": 2}
    assert client.post(url, changed).status_code == 302
    assert Account.objects.get(pk=scored.pk).health_confidence == before - 5
    assert client.post(url, config_form(config, confidence_ticket_days="")).status_code == 200  # required
