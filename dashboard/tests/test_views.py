"""The risk dashboard page and its CSV export: access, filters, content, query counts."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, HealthChange, HealthDailyCount, HealthSnapshot
from accounts.tests.factories import AccountFactory, MeetingFactory
from dashboard.tests.world import portfolio, reasons, scored_account, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fixed_today, tam, other_tam):
    return portfolio(fixed_today, tam=tam, other_tam=other_tam)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def export(client, query=""):
    response = client.get(f"/dashboard/export.csv{query}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(body)))


def listed_names(html: str, world) -> list[str]:
    return [a.name for a in world.values() if f">{a.name}</a>" in html]


def test_dashboard_shows_totals_at_risk_and_stale(manager_client, world):
    html = manager_client.get("/dashboard/").content.decode()
    assert "4 accounts match the filters" in html
    assert "$650k ARR" in html  # all accounts
    assert "$500k" in html  # ARR at risk
    assert "77 % of ARR" in html
    assert 'Stale health scores</p>\n      <p class="stat-value">2<' in html


def test_dashboard_is_refused_to_tams_and_people_without_a_role(client, tam, world):
    client.force_login(tam)
    assert client.get("/dashboard/").status_code == 403
    response = client.get("/dashboard/export.csv")
    assert response.status_code == 403 and b"Red Ent APAC" not in response.content


def test_nav_shows_the_dashboard_link_to_managers_only(client, manager, tam):
    client.force_login(tam)
    assert "Risk dashboard" not in client.get("/accounts/").content.decode()
    client.force_login(manager)
    assert '<a href="/dashboard/"' in client.get("/accounts/").content.decode()


def test_filters_apply_to_the_list_totals_and_breakdowns(manager_client, world):
    html = manager_client.get("/dashboard/?region=EMEA&color=yellow").content.decode()
    assert listed_names(html, world) == ["Yellow Com EMEA"]
    assert "1 account match the filters" in html
    assert '<option value="EMEA" selected>' in html
    assert ">APAC</a>" not in html  # the region breakdown has only EMEA now


def test_public_sector_and_stale_filters(manager_client, world):
    html = manager_client.get("/dashboard/?public_sector=yes").content.decode()
    assert listed_names(html, world) == ["Yellow Com EMEA"]
    html = manager_client.get("/dashboard/?stale=yes").content.decode()
    assert sorted(listed_names(html, world)) == ["Green Ent EMEA", "Unscored Com APAC"]


def test_tam_filter_and_no_tam(manager_client, world, other_tam):
    html = manager_client.get(f"/dashboard/?tam={other_tam.pk}").content.decode()
    assert listed_names(html, world) == ["Red Ent APAC"]
    html = manager_client.get("/dashboard/?tam=none").content.decode()
    assert listed_names(html, world) == ["Unscored Com APAC"]


def test_a_bad_filter_value_is_shown_next_to_its_field_and_not_applied(manager_client, world):
    html = manager_client.get("/dashboard/?color=purple&region=APAC").content.decode()
    assert "Select a valid choice. purple is not one of the available choices." in html
    assert sorted(listed_names(html, world)) == ["Red Ent APAC", "Unscored Com APAC"]


def test_every_filter_has_a_label(manager_client, world):
    html = manager_client.get("/dashboard/").content.decode()
    for field in ("q", "region", "segment", "tam", "public_sector", "stale", "renewal", "open_triage", "sort"):
        assert f'<label for="id_{field}">' in html
    # The colors are checkboxes (several at once) in a fieldset named by its legend.
    assert "<legend>Color</legend>" in html and html.count('name="color"') == 4


def test_list_shows_reasons_and_stale_badge(manager_client, world, fixed_today):
    red = world["red"]  # the TAM's latest reason, as the engine words it on the account (the read model)
    red_measures = HealthSnapshot.objects.get(account=red, date=red.scored_on).measures
    Account.objects.filter(pk=red.pk).update(
        sentiment_reason="Evaluating a competitor", health_reasons=reasons(red_measures, "Evaluating a competitor")
    )
    html = manager_client.get("/dashboard/").content.decode()
    assert "<li>Support red: 20 tickets opened in the last 30 days" in html
    assert "TAM Sentiment red: “Evaluating a competitor”" in html
    assert '<span class="badge">Stale</span>' in html


def test_list_is_paginated_and_keeps_the_filters(manager_client, fixed_today):
    for n in range(55):
        scored_account(name=f"Acct {n:02}", color="red", score="10.0", arr=1000 + n, scored_on=None, health_date=None)
    page1 = manager_client.get("/dashboard/?color=red").content.decode()
    assert "Page 1 of 2" in page1 and "color=red&amp;page=2" in page1
    page2 = manager_client.get("/dashboard/?color=red&page=2").content.decode()
    assert page2.count('class="chip chip-red">Red</span> <span class="score-small">') == 5


def test_chart_has_text_labels_and_a_table(manager_client, world, fixed_today):
    HealthDailyCount.objects.create(
        date=fixed_today - dt.timedelta(weeks=1),
        region="APAC",
        segment="enterprise",
        accounts=1,
        arr=1,
        health_color="yellow",
    )
    html = manager_client.get("/dashboard/").content.decode()
    assert '<svg class="color-chart"' in html and 'role="img"' in html
    assert "Show the chart as a table" in html
    assert "Nov 17 (2026-11-17): 1 yellow (100 %)" in html  # the bar segment's text title
    assert "Now (2026-11-24)" in html


def test_recent_changes_are_listed(manager_client, world, fixed_today):
    HealthChange.objects.create(
        account=world["red"], as_of=fixed_today - dt.timedelta(days=6), old_color="green", new_color="red"
    )
    html = manager_client.get("/dashboard/").content.decode()
    assert "1 account changed color since 2026-11-17: 1 green → red." in html


def test_csv_export_has_headers_and_every_filtered_row(manager_client, world):
    response, rows = export(manager_client, "?region=APAC")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="risk-dashboard-2026-11-24.csv"'
    assert response.streaming
    assert rows[0] == [
        "External id",
        "Name",
        "Segment",
        "Region",
        "Public sector",
        "ARR",
        "Renewal date",
        "TAM",
        "Color",
        "Score",
        "Health score date",
        "Stale",
        "Reasons",
        "Confidence",
        "Confidence reasons",
        "Computed color",
        "Override until",
        "Override by",
        "Override reason",
    ]
    assert [r[1] for r in rows[1:]] == ["Red Ent APAC", "Unscored Com APAC"]
    assert rows[1][0] == world["red"].external_id


def test_csv_export_covers_all_pages(manager_client, fixed_today):
    for n in range(60):
        scored_account(name=f"Acct {n:02}", color="green", score="90.0", arr=n, scored_on=None, health_date=None)
    _, rows = export(manager_client)
    assert len(rows) == 61


def test_csv_export_never_contains_meeting_summaries(manager_client, world, fixed_today):
    MeetingFactory(account=world["red"], date=fixed_today, summary="SECRET: customer may churn to X")
    _, rows = export(manager_client)
    assert "SECRET" not in repr(rows)


def test_csv_export_refuses_bad_filters(manager_client, world):
    response = manager_client.get("/dashboard/export.csv?stale=maybe")
    assert response.status_code == 400
    assert b"stale: Select a valid choice." in response.content


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(ctx)


def _accounts_with_history(n: int, today: dt.date) -> None:
    for i in range(n):
        account = AccountFactory(
            health_color="red",
            health_score="10.0",
            scored_on=today,
            health_date=today,
            sentiment_reason=f"reason {i}",
            health_reasons=f"Support red: 20 tickets\nTAM Sentiment red: “reason {i}”",
            health_confidence=30,
        )
        snapshot(account, today, "red")
        HealthChange.objects.create(account=account, as_of=today, old_color="green", new_color="red")
        HealthDailyCount.objects.create(
            date=today - dt.timedelta(days=7),
            region="EMEA",
            segment="enterprise",
            accounts=1,
            arr=1,
            health_color="green",
        )


# session, user, roles; TAM choices; totals and breakdowns (the tally, the stale accounts, the
# ARR at risk renewing within 90 days, the TAMs' names; they also count for the paginator); the
# page's ids, then its rows; the weekly history (the daily counts); 2 for the recent changes (the
# outbox's week, the shown accounts); the navigation's unread-notification count.
DASHBOARD_QUERIES = 14


@pytest.mark.parametrize("accounts", [10, 120])
def test_dashboard_query_count_is_fixed(manager_client, fixed_today, django_assert_num_queries, accounts):
    _accounts_with_history(accounts, fixed_today)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = manager_client.get("/dashboard/")
    assert response.content.decode().count(": “reason ") == min(accounts, 50)  # one page of reasons


# session, user, roles; TAM choices (the filter form); the rows in order, one query streamed
# (csv_download.raw_rows), however many accounts.
EXPORT_QUERIES = 5


@pytest.mark.parametrize("accounts", [10, 120])
def test_export_query_count_is_fixed(manager_client, fixed_today, django_assert_num_queries, accounts):
    _accounts_with_history(accounts, fixed_today)
    with django_assert_num_queries(EXPORT_QUERIES):
        _, rows = export(manager_client)
    assert len(rows) == accounts + 1


@pytest.mark.parametrize(
    "query", ["", "?region=EMEA&color=red&stale=no&public_sector=no", "?confidence_below=50&sort=confidence"]
)
def test_dashboard_and_export_query_counts_do_not_grow_with_accounts(manager_client, fixed_today, query):
    _accounts_with_history(10, fixed_today)
    few = (_queries(manager_client, f"/dashboard/{query}"), _queries(manager_client, f"/dashboard/export.csv{query}"))
    _accounts_with_history(110, fixed_today)
    many = (_queries(manager_client, f"/dashboard/{query}"), _queries(manager_client, f"/dashboard/export.csv{query}"))
    assert few == many


# --- Confidence ------------------------------------------------------------------------------


def test_the_list_filters_and_sorts_by_confidence_and_says_why(manager_client, world):
    for key, percent in (("red", 25), ("yellow", 90), ("green", 60)):
        Account.objects.filter(pk=world[key].pk).update(health_confidence=percent)
    Account.objects.filter(pk=world["red"].pk).update(confidence_reasons="sentiment not confirmed for 4 months")
    html = manager_client.get("/dashboard/?confidence_below=80&sort=confidence").content.decode()
    assert sorted(listed_names(html, world)) == ["Green Ent EMEA", "Red Ent APAC"]
    assert html.index(">Red Ent APAC<") < html.index(">Green Ent EMEA<")
    assert "2 accounts match the filters" in html  # the totals apply it too
    assert "Confidence 25 %: sentiment not confirmed for 4 months" in html
    _, rows = export(manager_client, "?confidence_below=80&sort=-confidence")
    percent, why = rows[0].index("Confidence"), rows[0].index("Confidence reasons")
    assert [(r[1], r[percent], r[why]) for r in rows[1:]] == [
        ("Green Ent EMEA", "60", ""),
        ("Red Ent APAC", "25", "sentiment not confirmed for 4 months"),
    ]


def test_a_bad_confidence_shows_on_its_field_and_refuses_the_export(manager_client, world):
    response = manager_client.get("/dashboard/?confidence_below=-5")
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert manager_client.get("/dashboard/export.csv?confidence_below=x").status_code == 400
