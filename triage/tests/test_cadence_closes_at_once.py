"""A "Missed cadence call" CTA closes at once, in the logging transaction, whichever way the held
cadence call arrives: the account page's activity log, a meeting note, the import."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts import services as account_services
from accounts.models import MeetingKind, MeetingStatus
from accounts.tests.factories import AccountFactory, MeetingFactory
from notes import services as note_services
from triage import services
from triage.jobs import ctas
from triage.models import Cta, CtaKind, CtaState

pytestmark = pytest.mark.django_db


@pytest.fixture
def missed(tam, fixed_today):
    """A TAM's account whose last cadence call is 45 days old: its Missed cadence call CTA is open."""
    account = AccountFactory(tam=tam, external_id="0015f00000ABC")
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=45), kind=MeetingKind.CADENCE)
    ctas.ctas_cadence_open(as_of=fixed_today)
    assert Cta.objects.get(account=account, kind=CtaKind.MISSED_CADENCE).state == CtaState.OPEN
    return account


def cadence_cta(account) -> Cta:
    return Cta.objects.get(account=account, kind=CtaKind.MISSED_CADENCE)


def log(account, **kwargs):
    values = {"date": dt.date(2026, 11, 23), "kind": MeetingKind.CADENCE, "status": MeetingStatus.HELD}
    return account_services.activity_log(account=account, by=account.tam, **{**values, **kwargs})


def test_logging_a_held_cadence_call_closes_the_cta_at_once(missed, fixed_today):
    log(missed)
    cta = cadence_cta(missed)
    assert (cta.state, cta.resolved_on, cta.resolved_by, cta.resolution) == (
        CtaState.DONE,
        fixed_today,
        None,
        "A cadence call was held",
    )


def test_a_snoozed_cta_closes_too(missed, fixed_today):
    services.cta_snooze(cta=cadence_cta(missed), by=missed.tam, until=fixed_today + dt.timedelta(days=7))
    log(missed)
    assert (cadence_cta(missed).state, cadence_cta(missed).snoozed_until) == (CtaState.DONE, None)


@pytest.mark.parametrize(
    "kind,status", [(MeetingKind.CADENCE, MeetingStatus.CANCELLED), (MeetingKind.EBR, MeetingStatus.HELD)]
)
def test_a_cancelled_call_or_another_kind_of_meeting_leaves_it_open(missed, kind, status):
    log(missed, kind=kind, status=status)
    assert cadence_cta(missed).state == CtaState.OPEN


def test_a_call_too_old_to_keep_the_cadence_leaves_it_open(missed, fixed_today):
    log(missed, date=fixed_today - dt.timedelta(days=40))
    assert cadence_cta(missed).state == CtaState.OPEN


def test_an_activity_that_fails_to_save_closes_nothing(missed):
    with pytest.raises(ValidationError):
        log(missed, sentiment_reason="Happier", sentiment_color="")
    with pytest.raises(ValidationError):
        log(missed, sentiment_color="red", sentiment_reason="")  # first sentiment needs a reason
    assert cadence_cta(missed).state == CtaState.OPEN


def test_a_meeting_note_closes_it_at_once(missed, fixed_today):
    note_services.note_create(
        account=missed,
        by=missed.tam,
        date=fixed_today,
        sections=note_services.NoteSections(product_feedback="Wants better runners"),
    )
    assert cadence_cta(missed).state == CtaState.DONE


def test_an_imported_held_call_closes_it_at_once(missed, fixed_today, tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({"meetings": [{"account": missed.external_id, "date": fixed_today.isoformat()}]}))
    call_command("import_data", str(path), verbosity=0)
    assert cadence_cta(missed).state == CtaState.DONE


def test_other_accounts_ctas_stay_open(missed, tam, fixed_today):
    other = AccountFactory(tam=tam)
    ctas.ctas_cadence_open(as_of=fixed_today)
    log(missed)
    assert cadence_cta(other).state == CtaState.OPEN
