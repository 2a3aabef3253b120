"""Triage records and the cockpit read the account lists' search, filters and sort (through each
record's or CTA's account), keep them in the address, and export them as CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from accounts.models import Color
from accounts.tests.factories import AccountFactory
from triage.models import CtaState
from triage.tests.factories import CtaFactory, TriageRecordFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def records(tam, other_tam, fixed_today):
    def record(name, ext, color, score, arr, days, owner_tam):
        account = AccountFactory(
            name=name, external_id=ext, tam=owner_tam, health_color=color, health_score=Decimal(score), arr=arr,
            renewal_date=fixed_today + dt.timedelta(days=days),
        )  # fmt: skip
        return TriageRecordFactory(account=account)

    return {
        "acme": record("Acme Corp", "T-ACME", Color.RED, "20.0", 500_000, 100, tam),
        "globex": record("Globex", "T-GLBX", Color.YELLOW, "55.0", 90_000, 20, tam),
        "initech": record("Initech", "T-INIT", Color.RED, "15.0", 30_000, 300, other_tam),
    }


def order(page: str, names=("Acme Corp", "Globex", "Initech")) -> list[str]:
    return [n for _, n in sorted((page.index(f">{n}</a>"), n) for n in names if f">{n}</a>" in page)]


def test_records_search_filter_and_sort_from_the_address(client, tam, records):
    client.force_login(tam)
    assert order(html(client.get("/triage/records/"))) == ["Initech", "Acme Corp", "Globex"]
    assert order(html(client.get("/triage/records/?q=acme"))) == ["Acme Corp"]
    assert order(html(client.get("/triage/records/?color=yellow"))) == ["Globex"]
    assert order(html(client.get("/triage/records/?sort=renewal"))) == ["Globex", "Acme Corp", "Initech"]
    assert order(html(client.get("/triage/records/?sort=-arr&renewal=180"))) == ["Acme Corp", "Globex"]
    page = html(client.get("/triage/records/?mine=1&color=red"))
    assert order(page) == ["Acme Corp"]
    # The tabs keep the filters; "has open triage" is not offered here.
    assert 'href="?mine=1&amp;color=red&amp;status=closed"' in page
    assert 'name="open_triage"' not in page


def test_records_bad_filters_show_on_their_field(client, tam, records):
    client.force_login(tam)
    response = client.get("/triage/records/?color=blue&sort=nope")
    assert response.status_code == 200 and "Select a valid choice. blue" in html(response)
    assert order(html(response)) == ["Initech", "Acme Corp", "Globex"]


def test_records_csv_has_the_same_filters(client, tam, records):
    client.force_login(tam)
    response = client.get("/triage/records/export.csv?sort=-arr&color=red")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["External id", "Account", "Color", "Score"]
    assert [r[1] for r in rows[1:]] == ["Acme Corp", "Initech"]
    assert client.get("/triage/records/export.csv?color=blue").status_code == 400


@pytest.mark.parametrize("size", [3, 30])
def test_the_record_list_with_filters_reads_a_fixed_number_of_queries(
    client, tam, fixed_today, size, django_assert_num_queries
):
    for _ in range(size):
        TriageRecordFactory(account=AccountFactory(tam=tam, health_color=Color.RED, renewal_date=fixed_today))
    client.force_login(tam)
    # session, user, roles, the TAM choices, the count, the page with accounts and owners, and
    # the navigation's two counts
    with django_assert_num_queries(8):
        assert client.get("/triage/records/?q=account&color=red&sort=renewal&renewal=30").status_code == 200


# --- The cockpit ------------------------------------------------------------------------------


@pytest.fixture
def ctas(records):
    return {key: CtaFactory(account=record.account) for key, record in records.items()}


def test_the_cockpit_searches_filters_and_sorts_by_account(client, tam, ctas):
    client.force_login(tam)
    assert order(html(client.get("/triage/"))) == ["Acme Corp", "Globex"]
    assert order(html(client.get("/triage/?q=glob"))) == ["Globex"]
    assert order(html(client.get("/triage/?color=yellow&color=red&sort=renewal"))) == ["Globex", "Acme Corp"]
    page = html(client.get("/triage/?color=yellow"))
    assert order(page) == ["Globex"]
    # The tab counts and links follow the same filters.
    assert 'href="?state=snoozed&amp;color=yellow"' in page
    assert 'Open <span class="muted">(1)</span>' in page


def test_the_cockpit_sorts_by_score(client, tam, ctas):
    client.force_login(tam)
    page = html(client.get("/triage/?sort=score"))
    assert order(page) == ["Acme Corp", "Globex"]
    assert "sorted by score, lowest first" in page


@pytest.mark.parametrize("size", [3, 30])
def test_the_cockpit_with_filters_reads_a_fixed_number_of_queries(
    client, tam, fixed_today, size, django_assert_num_queries
):
    for _ in range(size):
        CtaFactory(account=AccountFactory(tam=tam, health_color=Color.YELLOW), state=CtaState.OPEN)
    client.force_login(tam)
    # session, user, roles, the tab's count, its page, the tab counts, the account choices, and
    # the navigation's two counts: the same at 3 and at 30 CTAs
    with django_assert_num_queries(9):
        assert client.get("/triage/?q=account&color=yellow&stale=yes&sort=renewal").status_code == 200
