"""Renewals (the page, its CSV, who sees what) and the dashboard's ARR renewing in 90 days at risk."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from dashboard.selectors import renewals
from dashboard.tests.world import scored_account, snapshot
from triage.models import TriageRecord, TriageStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(fixed_today, tam, other_tam):
    """Accounts renewing at known distances; yellow Globex was green 30 days ago."""

    def make(name, color, score, arr, days, tam_user, ext):
        return scored_account(
            name=name, external_id=ext, color=color, score=score, arr=arr, scored_on=fixed_today,
            health_date=fixed_today, tam=tam_user,
            renewal_date=None if days is None else fixed_today + dt.timedelta(days=days),
        )  # fmt: skip

    accounts = {
        "acme": make("Acme Corp", "red", "20.0", 500_000, 10, tam, "R-ACME"),
        "globex": make("Globex", "yellow", "55.0", 200_000, 60, tam, "R-GLBX"),
        "initech": make("Initech", "green", "90.0", 80_000, 150, tam, "R-INIT"),
        "later": make("Later Inc", "red", "10.0", 70_000, 400, tam, "R-LATE"),
        "none": make("No Date", "red", "10.0", 70_000, None, tam, "R-NONE"),
        "theirs": make("Theirs", "yellow", "50.0", 40_000, 20, other_tam, "R-THRS"),
    }
    snapshot(accounts["globex"], fixed_today - dt.timedelta(days=30), "green")
    snapshot(accounts["acme"], fixed_today - dt.timedelta(days=32), "red")  # the job skipped day 30
    TriageRecord.objects.create(
        account=accounts["acme"], status=TriageStatus.OPEN, origin="manual", risk="HS::Red", region="EMEA",
        opened_on=fixed_today,
    )  # fmt: skip
    return accounts


def listed(html: str) -> list[str]:
    names = ("Acme Corp", "Globex", "Initech", "Later Inc", "No Date", "Theirs")
    found = [(html.index(f">{n}</a>"), n) for n in names if f">{n}</a>" in html]
    return [n for _, n in sorted(found)]


def test_a_tam_sees_their_accounts_renewing_in_90_days_riskiest_first(client, tam, book):
    client.force_login(tam)
    html = client.get("/dashboard/renewals/").content.decode()
    assert listed(html) == ["Acme Corp", "Globex"]
    assert 'aria-current="page">Renewals</a>' in html


def test_the_window_is_in_the_address(client, tam, book):
    client.force_login(tam)
    assert listed(client.get("/dashboard/renewals/?within=30").content.decode()) == ["Acme Corp"]
    assert listed(client.get("/dashboard/renewals/?within=180").content.decode()) == ["Acme Corp", "Globex", "Initech"]


def test_a_bad_window_says_so_and_shows_90_days(client, tam, book):
    client.force_login(tam)
    response = client.get("/dashboard/renewals/?within=7")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice. 7 is not one of the available choices." in html
    assert listed(html) == ["Acme Corp", "Globex"]


def test_a_manager_sees_every_account_and_filters_like_every_list(client, manager, tam, book):
    client.force_login(manager)
    assert listed(client.get("/dashboard/renewals/").content.decode()) == ["Acme Corp", "Theirs", "Globex"]
    html = client.get("/dashboard/renewals/?color=yellow&sort=-arr").content.decode()
    assert listed(html) == ["Globex", "Theirs"]
    assert listed(client.get("/dashboard/renewals/?open_triage=yes").content.decode()) == ["Acme Corp"]


def test_renewals_need_a_role(client, book):
    client.force_login(UserFactory(username="norole"))
    assert client.get("/dashboard/renewals/").status_code == 403
    assert client.get("/dashboard/renewals/export.csv").status_code == 403


def test_rows_carry_the_trend_open_triage_and_days_to_renewal(book, fixed_today):
    ids = [book["acme"].pk, book["globex"].pk, book["initech"].pk]
    acme, globex, initech = renewals.renewal_rows(ids, fixed_today)
    assert (globex.trend.color, globex.trend.score, globex.trend.change) == ("green", Decimal("90.0"), Decimal("-35.0"))
    assert (acme.trend.color, acme.trend.change, acme.open_triage, acme.renews_in) == ("red", Decimal("0.0"), True, 10)
    assert (initech.trend.score, initech.trend.change, initech.open_triage) == (None, None, False)


def test_the_page_shows_the_trend(client, tam, book):
    client.force_login(tam)
    html = client.get("/dashboard/renewals/").content.decode()
    assert 'class="trend trend-down">-35.0<' in html
    assert "in 10 days" in html


@pytest.mark.parametrize("size", [2, 20])
def test_renewals_read_a_fixed_number_of_queries(client, manager, fixed_today, size, django_assert_num_queries):
    for n in range(size):
        account = scored_account(
            name=f"Renews {n}", color="yellow", score="50.0", arr=1000 + n, scored_on=fixed_today,
            health_date=fixed_today, renewal_date=fixed_today + dt.timedelta(days=n),
        )  # fmt: skip
        snapshot(account, fixed_today - dt.timedelta(days=30), "green")
    client.force_login(manager)
    # session, user, roles, the TAM choices, the totals, the page's ids, its rows, its trends,
    # and the navigation's unread-notification count (a manager has no CTA count)
    with django_assert_num_queries(9):
        client.get("/dashboard/renewals/?within=30&color=yellow")


def test_the_csv_uses_the_same_window_filters_and_scope(client, tam, book):
    client.force_login(tam)
    response = client.get("/dashboard/renewals/export.csv?within=180&sort=renewal")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list(renewals.CSV_HEADER)
    assert [r[1] for r in rows[1:]] == ["Acme Corp", "Globex", "Initech"]
    assert rows[2][4:10] == ["2027-01-23", "60", "Yellow", "55.0", "Green", "-35.0"]
    assert rows[1][12] == "yes" and rows[2][12] == "no"  # open triage


def test_the_csv_refuses_bad_filters(client, tam, book):
    client.force_login(tam)
    response = client.get("/dashboard/renewals/export.csv?within=5")
    assert response.status_code == 400 and "within:" in response.content.decode()


# --- The dashboard ----------------------------------------------------------------------------


def test_dashboard_shows_arr_renewing_in_90_days_at_risk(client, manager, book):
    client.force_login(manager)
    html = client.get("/dashboard/").content.decode()
    # Red Acme 500k (10 days) + yellow Globex 200k (60 days) + yellow Theirs 40k (20 days).
    assert "ARR renewing in 90 days at risk" in html
    assert "$740k" in html
    # The same filters as the rest of the dashboard.
    html = client.get("/dashboard/?color=yellow").content.decode()
    assert "$240k" in html


def test_dashboard_lists_the_renewal_date(client, manager, book):
    client.force_login(manager)
    html = client.get("/dashboard/?sort=renewal").content.decode()
    assert "2026-12-04" in html
    assert html.index(">Acme Corp<") < html.index(">Theirs<") < html.index(">Globex<")
