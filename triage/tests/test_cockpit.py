"""The cockpit: filters, priority order, what each card shows, presets, bulk actions with
their errors shown in place."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Color
from accounts.tests.factories import AccountFactory
from triage import services
from triage.models import Cta, CtaKind, CtaState
from triage.tests.factories import CtaFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def cta(tam, *, name, color=Color.YELLOW, arr=100000, kind=CtaKind.MISSED_CADENCE, opened=dt.date(2026, 11, 20)):
    account = AccountFactory(tam=tam, name=name, health_color=color, arr=Decimal(arr))
    return CtaFactory(account=account, kind=kind, opened_on=opened, detail=f"{name} detail")


def order_on_page(page: str, names) -> list[str]:
    return sorted(names, key=lambda name: page.index(f"{name} detail"))


# --- Services -----------------------------------------------------------------------------


def test_bulk_snooze_snoozes_all_of_them(tam, fixed_today):
    chosen = [cta(tam, name="A"), cta(tam, name="B", kind=CtaKind.DECIDE_TRIAGE)]
    services.ctas_snooze(ctas=chosen, by=tam, until=dt.date(2026, 12, 1))
    assert set(Cta.objects.values_list("state", "snoozed_until")) == {(CtaState.SNOOZED, dt.date(2026, 12, 1))}


def test_bulk_done_changes_nothing_when_one_cannot_be_done(tam, fixed_today):
    ok = cta(tam, name="A")
    decide = cta(tam, name="B", kind=CtaKind.DECIDE_TRIAGE)
    with pytest.raises(services.BulkErrors) as error:
        services.ctas_done(ctas=[ok, decide], by=tam)
    assert list(error.value.by_cta) == [decide.pk]
    assert "open a triage record, or dismiss" in error.value.by_cta[decide.pk]
    assert set(Cta.objects.values_list("state", flat=True)) == {CtaState.OPEN}


def test_bulk_snooze_checks_the_date_and_needs_a_choice(tam, fixed_today):
    one = cta(tam, name="A")
    with pytest.raises(ValidationError, match="after today"):
        services.ctas_snooze(ctas=[one], by=tam, until=fixed_today)
    with pytest.raises(ValidationError, match="at least one"):
        services.ctas_snooze(ctas=[], by=tam, until=dt.date(2026, 12, 1))


# --- The page -----------------------------------------------------------------------------


def test_priority_is_red_before_yellow_then_arr_then_age(client, tam, fixed_today):
    cta(tam, name="Yellow big", color=Color.YELLOW, arr=900000)
    cta(tam, name="Red small", color=Color.RED, arr=10000)
    cta(tam, name="Red big", color=Color.RED, arr=500000)
    cta(tam, name="Red big older", color=Color.RED, arr=500000, opened=dt.date(2026, 11, 1))
    cta(tam, name="Green", color=Color.GREEN, arr=999999)
    client.force_login(tam)
    page = html(client.get("/triage/"))
    assert order_on_page(page, ["Green", "Red small", "Yellow big", "Red big", "Red big older"]) == [
        "Red big older",
        "Red big",
        "Red small",
        "Yellow big",
        "Green",
    ]
    oldest = html(client.get("/triage/?sort=oldest"))
    assert order_on_page(oldest, ["Red big older", "Red big"]) == ["Red big older", "Red big"]


def test_each_card_shows_arr_color_and_how_long_it_has_been_open(client, tam, fixed_today):
    cta(tam, name="Acme", color=Color.RED, arr=120000, opened=dt.date(2026, 11, 10))
    client.force_login(tam)
    page = html(client.get("/triage/"))
    assert "ARR $120,000" in page and 'chip-red">Red' in page and "open 14 days" in page


def test_filter_by_kind_and_account_keeps_the_filters_in_the_tabs(client, tam, fixed_today):
    cadence = cta(tam, name="Acme", kind=CtaKind.MISSED_CADENCE)
    cta(tam, name="Globex", kind=CtaKind.UPDATE_HEALTH)
    CtaFactory(account=cadence.account, kind=CtaKind.UPDATE_HEALTH, detail="Acme health detail")
    client.force_login(tam)
    page = html(client.get("/triage/?kind=update_health"))
    assert "Globex detail" in page and "Acme health detail" in page and "Acme detail" not in page
    page = html(client.get(f"/triage/?kind=update_health&account={cadence.account.external_id}"))
    assert "Acme health detail" in page and "Globex detail" not in page
    assert f"?state=snoozed&amp;kind=update_health&amp;account={cadence.account.external_id}" in page
    assert 'aria-current="page">Open <span class="muted">(1)</span>' in page


def test_unknown_filters_are_ignored_not_errors(client, tam, fixed_today):
    cta(tam, name="Acme")
    client.force_login(tam)
    response = client.get("/triage/?kind=nope&account=zz&tam=x&sort=zzz&state=bad&page=-3")
    assert response.status_code == 200 and "Acme detail" in html(response)
    # A NUL anywhere in the address is refused before any lookup (healthscore's NUL guard).
    assert client.get("/triage/?account=%00x&tam=%00").status_code == 404


def test_snooze_presets_on_a_card(client, tam, fixed_today):
    one = cta(tam, name="Acme")
    client.force_login(tam)
    response = client.post(f"/triage/ctas/{one.pk}/snooze/", {"preset": "quarter", "next": "/triage/"})
    assert response.status_code == 302
    assert Cta.objects.get(pk=one.pk).snoozed_until == dt.date(2027, 1, 1)


def test_a_failed_card_action_shows_the_error_on_its_card_in_the_cockpit(client, tam, fixed_today):
    one = cta(tam, name="Acme", kind=CtaKind.DECIDE_TRIAGE)
    client.force_login(tam)
    response = client.post(f"/triage/ctas/{one.pk}/dismiss/", {"reason": " ", "next": "/triage/?kind=decide_triage"})
    page = html(response)
    assert response.status_code == 400 and "<h1>Cockpit</h1>" in page
    card = page[page.index(f'id="cta-{one.pk}"') :]
    assert "Say why no triage is needed." in card[: card.index("</li>")]
    assert 'value="decide_triage" selected' in page


def test_bulk_snooze_with_a_preset(client, tam, fixed_today):
    chosen = [cta(tam, name="A"), cta(tam, name="B")]
    left = cta(tam, name="C")
    client.force_login(tam)
    response = client.post(
        "/triage/ctas/bulk/",
        {"cta": [c.pk for c in chosen], "action": "snooze", "preset": "week", "next": "/triage/?sort=arr"},
    )
    assert response.status_code == 302 and response.url == "/triage/?sort=arr"
    assert "Snoozed 2 CTAs until 2026-12-01." in html(client.get(response.url))
    assert Cta.objects.get(pk=left.pk).state == CtaState.OPEN
    assert {c.snoozed_until for c in Cta.objects.filter(pk__in=[c.pk for c in chosen])} == {dt.date(2026, 12, 1)}


def test_bulk_done_shows_each_refusal_on_its_card_and_changes_nothing(client, tam, fixed_today):
    ok = cta(tam, name="Acme")
    decide = cta(tam, name="Globex", kind=CtaKind.DECIDE_TRIAGE)
    client.force_login(tam)
    response = client.post("/triage/ctas/bulk/", {"cta": [ok.pk, decide.pk], "action": "done", "next": "/triage/"})
    page = html(response)
    assert response.status_code == 400 and "Nothing was changed." in page
    card = page[page.index(f'id="cta-{decide.pk}"') :]
    assert "open a triage record, or dismiss" in card[: card.index("</li>")]
    assert set(Cta.objects.values_list("state", flat=True)) == {CtaState.OPEN}


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "done"}, "Choose at least one CTA."),
        ({"action": "snooze", "cta": "1"}, "Choose the date the CTA comes back."),
        ({"action": "snooze", "cta": "x"}, "Choose CTAs from the list."),
        ({"action": "explode", "cta": "1"}, "Select a valid choice."),
        ({"action": "done", "cta": "999999"}, "no longer exist"),
    ],
)
def test_bulk_bad_input_is_a_clear_error(client, tam, fixed_today, data, message):
    one = cta(tam, name="Acme")
    data = {**data, "cta": str(one.pk) if data.get("cta") == "1" else data.get("cta", [])}
    client.force_login(tam)
    response = client.post("/triage/ctas/bulk/", data)
    assert response.status_code == 400 and message in html(response)
    assert Cta.objects.get(pk=one.pk).state == CtaState.OPEN


def test_bulk_on_another_tams_cta_is_forbidden_and_changes_nothing(client, tam, other_tam, fixed_today):
    mine, theirs = cta(tam, name="Mine"), cta(other_tam, name="Theirs")
    client.force_login(tam)
    response = client.post("/triage/ctas/bulk/", {"cta": [mine.pk, theirs.pk], "action": "snooze", "preset": "week"})
    assert response.status_code == 403
    assert set(Cta.objects.values_list("state", flat=True)) == {CtaState.OPEN}


def test_a_manager_has_no_bulk_bar_and_cannot_bulk(client, manager, tam, fixed_today):
    one = cta(tam, name="Acme")
    client.force_login(manager)
    assert 'id="bulk"' not in html(client.get("/triage/"))
    assert client.post("/triage/ctas/bulk/", {"cta": [one.pk], "action": "done"}).status_code == 403


def test_bulk_is_post_only_and_needs_a_login(client, tam):
    assert client.post("/triage/ctas/bulk/").status_code == 302  # to the login page
    client.force_login(tam)
    assert client.get("/triage/ctas/bulk/").status_code == 405
