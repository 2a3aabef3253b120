"""The risk dashboard's reads: totals, filters, breakdowns, reasons, the weekly chart, recent changes."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Account, HealthChange, HealthSnapshot
from accounts.scoring import services
from dashboard import selectors
from dashboard.selectors import UNSCORED, DashboardFilters
from dashboard.tests.world import measures, portfolio, scored_account, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fixed_today, tam, other_tam):
    return portfolio(fixed_today, tam=tam, other_tam=other_tam)


def names(qs):
    return sorted(a.name for a in qs)


def filtered(today, **filters):
    return selectors.dashboard_accounts(DashboardFilters(**filters), today)


def summary(today, **filters):
    return selectors.dashboard_summary(DashboardFilters(**filters), today)


def listed(today, **filters):
    """The list rows, as the dashboard reads them: ordered ids, then the rows of those ids."""
    ids = list(selectors.dashboard_order(filtered(today, **filters)).values_list("pk", flat=True))
    return selectors.dashboard_rows(ids, today)


def test_totals_count_accounts_and_arr_per_color(world, fixed_today):
    totals = summary(fixed_today).totals
    assert totals.accounts == 4
    assert totals.arr == Decimal("650000")
    assert [(c.color, c.count, c.arr) for c in totals.colors] == [
        ("red", 1, Decimal("300000")),
        ("yellow", 1, Decimal("200000")),
        ("green", 1, Decimal("100000")),
        (UNSCORED, 1, Decimal("50000")),
    ]


def test_arr_at_risk_is_yellow_plus_red(world, fixed_today):
    assert summary(fixed_today).totals.arr_at_risk == Decimal("500000")


def test_stale_count_uses_the_segment_freshness_rule(world, fixed_today):
    # Green (Enterprise, a month and a day old) and Unscored (never set) are stale; Yellow
    # (Commercial, exactly a quarter) and Red (Enterprise, exactly a month) are current.
    assert summary(fixed_today).totals.stale == 2


def test_totals_of_no_accounts_are_zero(db, fixed_today):
    totals = summary(fixed_today).totals
    assert (totals.accounts, totals.arr, totals.arr_at_risk, totals.stale) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Green Ent EMEA", "Red Ent APAC", "Unscored Com APAC", "Yellow Com EMEA"]),
        ({"region": "EMEA"}, ["Green Ent EMEA", "Yellow Com EMEA"]),
        ({"segment": "commercial"}, ["Unscored Com APAC", "Yellow Com EMEA"]),
        ({"colors": ("red",)}, ["Red Ent APAC"]),
        ({"colors": (UNSCORED,)}, ["Unscored Com APAC"]),
        ({"public_sector": True}, ["Yellow Com EMEA"]),
        ({"public_sector": False}, ["Green Ent EMEA", "Red Ent APAC", "Unscored Com APAC"]),
        ({"stale": True}, ["Green Ent EMEA", "Unscored Com APAC"]),
        ({"stale": False}, ["Red Ent APAC", "Yellow Com EMEA"]),
        ({"tam": 0}, ["Unscored Com APAC"]),
        ({"region": "EMEA", "colors": ("yellow",)}, ["Yellow Com EMEA"]),
        ({"region": "APAC", "colors": ("green",)}, []),
    ],
)
def test_each_filter_selects_the_matching_accounts(world, fixed_today, filters, expected):
    assert names(filtered(fixed_today, **filters)) == expected


def test_tam_filter_selects_that_tams_accounts(world, fixed_today, tam, other_tam):
    assert names(filtered(fixed_today, tam=tam.pk)) == ["Green Ent EMEA", "Yellow Com EMEA"]
    assert names(filtered(fixed_today, tam=other_tam.pk)) == ["Red Ent APAC"]


def test_totals_respect_the_filters(world, fixed_today):
    totals = summary(fixed_today, region="EMEA").totals
    assert (totals.accounts, totals.arr, totals.arr_at_risk, totals.stale) == (2, 300000, 200000, 1)


def test_breakdown_by_region(world, fixed_today):
    rows = summary(fixed_today).by_region
    assert [(r.key, r.accounts, r.arr, r.arr_at_risk) for r in rows] == [
        ("APAC", 2, 350000, 300000),
        ("EMEA", 2, 300000, 200000),
    ]
    apac = rows[0]
    assert (apac.color("red").count, apac.color("red").arr, apac.color(UNSCORED).count) == (1, 300000, 1)


def test_breakdown_by_segment_uses_the_segment_names(world, fixed_today):
    rows = summary(fixed_today).by_segment
    assert [(r.label, r.accounts, r.color("green").count, r.color("yellow").count) for r in rows] == [
        ("Commercial", 2, 0, 1),
        ("Enterprise", 2, 1, 0),
    ]


def test_breakdown_by_tam_has_a_row_for_accounts_without_tam(world, fixed_today, tam, other_tam):
    tam.first_name, tam.last_name = "Ana", "Silva"
    tam.save()
    other_tam.first_name, other_tam.last_name = "Ben", "Okafor"
    other_tam.save()
    rows = summary(fixed_today).by_tam
    assert [(r.key, r.label, r.accounts, r.arr_at_risk, r.stale) for r in rows] == [
        (str(tam.pk), "Ana Silva", 2, 200000, 1),
        (str(other_tam.pk), "Ben Okafor", 1, 300000, 0),
        (selectors.NO_TAM, "No TAM", 1, 0, 1),
    ]


def test_breakdown_respects_the_filters(world, fixed_today):
    rows = summary(fixed_today, colors=("red",)).by_region
    assert [(r.key, r.accounts) for r in rows] == [("APAC", 1)]


def test_list_is_riskiest_first_with_unscored_last(world, fixed_today):
    twin_red = scored_account(
        name="Bigger Red", color="red", score="12.5", arr=900_000, scored_on=fixed_today, health_date=fixed_today
    )
    assert [a.name for a in listed(fixed_today)] == [
        twin_red.name,  # same score as Red Ent APAC, larger ARR first
        "Red Ent APAC",
        "Yellow Com EMEA",
        "Green Ent EMEA",
        "Unscored Com APAC",
    ]


def test_list_rows_carry_the_reasons_in_plain_words(world, fixed_today):
    rows = {a.name: a for a in listed(fixed_today)}
    assert rows["Red Ent APAC"].reasons == [
        "ROI red: No success plan",
        "Support red: 20 tickets opened in the last 30 days (green up to 5, yellow up to 15)",
        "TAM Sentiment red: Set to red on 2026-11-24",
    ]
    assert rows["Yellow Com EMEA"].reasons == [
        "Engagement yellow: 45 days since last meeting on 2026-10-10 (green up to 30 days, yellow up to 60)",
        "TAM Sentiment yellow: Set to yellow on 2026-11-20",
    ]
    assert rows["Green Ent EMEA"].reasons == []
    assert rows["Unscored Com APAC"].reasons == []
    assert (rows["Green Ent EMEA"].is_stale, rows["Red Ent APAC"].is_stale) == (True, False)


def test_the_list_reads_the_reasons_kept_on_the_account_not_a_snapshot(world, fixed_today):
    red = world["red"]
    Account.objects.filter(pk=red.pk).update(
        health_reasons="ROI red: No success plan\nTAM Sentiment red: “Evaluating a competitor”",
        confidence_reasons="no ticket sync on record",
    )
    HealthSnapshot.objects.filter(account=red).delete()
    [row] = listed(fixed_today, colors=("red",))
    assert row.reasons == ["ROI red: No success plan", "TAM Sentiment red: “Evaluating a competitor”"]
    assert row.unfresh == ["no ticket sync on record"]
    [_, csv_row] = selectors.dashboard_csv_rows(filtered(fixed_today, colors=("red",)), fixed_today)
    assert (csv_row[12], csv_row[14]) == (
        "ROI red: No success plan; TAM Sentiment red: “Evaluating a competitor”",
        "no ticket sync on record",
    )


def test_week_end_dates_are_the_last_twelve_weeks_ending_today(fixed_today):
    dates = selectors.week_end_dates(fixed_today)
    assert len(dates) == 12
    assert (dates[0], dates[-2], dates[-1]) == (dt.date(2026, 9, 8), dt.date(2026, 11, 17), fixed_today)


def colors_on(day, colors: dict) -> None:
    """Store the day's color counts as that day's full run did, with these accounts' colors."""
    for account, color in colors.items():
        Account.objects.filter(pk=account.pk).update(health_color=color)
    services.daily_counts_store(as_of=day)


def test_weekly_colors_read_the_counts_stored_on_each_week_end_and_end_with_current_health(world, fixed_today):
    week = dt.timedelta(weeks=1)
    green, yellow, red, unscored = world["green"], world["yellow"], world["red"], world["unscored"]
    now = {a: a.health_color for a in world.values()}
    colors_on(fixed_today - 11 * week, {green: None, yellow: None, red: None, unscored: None})
    colors_on(fixed_today - 3 * week, {green: "green", yellow: "green", red: "yellow"})
    colors_on(fixed_today - 2 * week, {green: "green", yellow: "yellow", red: "yellow"})
    colors_on(fixed_today - week, {green: "yellow", yellow: "yellow", red: "green"})
    colors_on(fixed_today - dt.timedelta(days=10), {red: "red"})  # mid-week: not a week-end date
    colors_on(fixed_today - week, {green: "yellow", yellow: "yellow", red: "green"})  # a re-run replaces
    for account, color in now.items():
        Account.objects.filter(pk=account.pk).update(health_color=color)
    totals = summary(fixed_today).totals
    weeks = selectors.dashboard_weekly_colors(DashboardFilters(), fixed_today, totals)
    assert [w.end for w in weeks] == selectors.week_end_dates(fixed_today)
    by_end = {w.end: w.counts for w in weeks}
    assert by_end[fixed_today - 11 * week] == {UNSCORED: 4}
    assert by_end[fixed_today - 10 * week] == {}
    assert by_end[fixed_today - 3 * week] == {"green": 2, "yellow": 1, UNSCORED: 1}
    assert by_end[fixed_today - 2 * week] == {"green": 1, "yellow": 2, UNSCORED: 1}
    assert by_end[fixed_today - week] == {"green": 1, "yellow": 2, UNSCORED: 1}
    assert weeks[-1].current and weeks[-1].counts == {"red": 1, "yellow": 1, "green": 1, UNSCORED: 1}
    assert weeks[-3].share("yellow") == pytest.approx(50)


def test_weekly_colors_follow_the_filters_with_each_accounts_team_of_that_day(world, fixed_today):
    one_week_ago = fixed_today - dt.timedelta(weeks=1)
    colors_on(one_week_ago, dict.fromkeys(world.values(), "green"))
    # Moved to EMEA since: last week it counted in APAC.
    for account in world.values():
        Account.objects.filter(pk=account.pk).update(health_color=account.health_color)
    Account.objects.filter(pk=world["red"].pk).update(region="EMEA")
    emea = DashboardFilters(region="EMEA")
    totals = summary(fixed_today, region="EMEA").totals
    weeks = selectors.dashboard_weekly_colors(emea, fixed_today, totals)
    assert weeks[-2].counts == {"green": 2}
    assert weeks[-1].counts == {"green": 1, "yellow": 1, "red": 1}


def test_weekly_colors_read_a_fixed_number_of_rows_whatever_the_accounts(world, fixed_today, django_assert_num_queries):
    colors_on(fixed_today - dt.timedelta(weeks=1), {})
    totals = summary(fixed_today).totals
    with django_assert_num_queries(1):
        selectors.dashboard_weekly_colors(DashboardFilters(colors=("green",)), fixed_today, totals)


def test_weekly_colors_with_a_search_count_the_matching_accounts_snapshots(world, fixed_today):
    # The daily counts keep no names: a search (or renewal window, or open triage) makes the
    # past bars count the snapshots of the accounts it finds.
    one_week_ago = fixed_today - dt.timedelta(weeks=1)
    snapshot(world["red"], one_week_ago, "yellow")
    snapshot(world["green"], one_week_ago, "green")
    filters = DashboardFilters(search="red ent")
    totals = summary(fixed_today, search="red ent").totals
    weeks = selectors.dashboard_weekly_colors(filters, fixed_today, totals)
    assert weeks[-2].counts == {"yellow": 1}
    assert weeks[-1].counts == {"red": 1}


def change(account, day, old, new):
    return HealthChange.objects.create(account=account, as_of=day, old_color=old or "", new_color=new or "")


def test_recent_changes_compare_current_color_with_a_week_ago(world, fixed_today):
    day = dt.timedelta(days=1)
    green, yellow, red = world["green"], world["yellow"], world["red"]
    # Green: yellow a week ago, green since 3 days ago.
    change(green, fixed_today - 3 * day, "yellow", "green")
    # Red: green a week ago, red, yellow, then red again today: it moved on the latest day.
    change(red, fixed_today - 5 * day, "green", "red")
    change(red, fixed_today - 2 * day, "red", "yellow")
    change(red, fixed_today, "yellow", "red")
    # Yellow: yellow a week ago and now: no change (a wobble in between does not count).
    change(yellow, fixed_today - 4 * day, "yellow", "red")
    change(yellow, fixed_today - 3 * day, "red", "yellow")
    # Before the window: not compared.
    change(world["unscored"], fixed_today - 7 * day, "green", None)
    changes = selectors.dashboard_recent_changes(DashboardFilters(), fixed_today)
    assert changes.since == dt.date(2026, 11, 17)
    assert changes.total == 2
    assert sorted(changes.summary) == [("green", "red", 1), ("yellow", "green", 1)]
    assert [(m.account.name, m.old, m.new, m.changed_on) for m in changes.moves] == [
        ("Red Ent APAC", "green", "red", fixed_today),  # worst new color first
        ("Green Ent EMEA", "yellow", "green", dt.date(2026, 11, 21)),
    ]


def test_recent_changes_include_losing_a_score_and_respect_filters(world, fixed_today):
    change(world["unscored"], fixed_today - dt.timedelta(days=6), "green", None)
    change(world["red"], fixed_today - dt.timedelta(days=1), "yellow", "red")
    changes = selectors.dashboard_recent_changes(DashboardFilters(), fixed_today)
    assert sorted(changes.summary) == [("green", UNSCORED, 1), ("yellow", "red", 1)]
    assert [m.account.name for m in changes.moves] == ["Red Ent APAC", "Unscored Com APAC"]
    only_apac_red = selectors.dashboard_recent_changes(DashboardFilters(colors=("red",)), fixed_today)
    assert [m.account.name for m in only_apac_red.moves] == ["Red Ent APAC"]


def test_recent_changes_list_is_capped_but_the_total_is_not(db, fixed_today):
    for n in range(4):
        account = scored_account(
            name=f"Moved {n}", color="red", score="10.0", arr=1000 * n, scored_on=fixed_today, health_date=fixed_today
        )
        change(account, fixed_today, "green", "red")
    changes = selectors.dashboard_recent_changes(DashboardFilters(), fixed_today, limit=2)
    assert changes.total == 4
    assert [m.account.name for m in changes.moves] == ["Moved 3", "Moved 2"]


def test_tam_choices_include_tam_group_and_current_owners(world, tam, other_tam, manager):
    owner = world["green"].tam
    choices = dict(selectors.dashboard_tam_choices())
    assert tam.pk in choices and other_tam.pk in choices and owner.pk in choices
    assert manager.pk not in choices


def test_tam_choices_follow_reassigned_and_deleted_accounts(db, tam, manager):
    """The owners come from the tally the database keeps: a user outside the TAM group is a
    choice while they own an account, and not once it moved to someone else or was deleted."""
    from accounts.tests.factories import AccountFactory, UserFactory

    owner, successor = UserFactory(username="owner"), UserFactory(username="successor")
    first, second = AccountFactory(tam=owner), AccountFactory(tam=owner)
    assert {owner.pk, tam.pk} <= set(dict(selectors.dashboard_tam_choices()))
    Account.objects.filter(pk=first.pk).update(tam=successor)
    choices = dict(selectors.dashboard_tam_choices())
    assert owner.pk in choices and successor.pk in choices
    second.delete()
    choices = dict(selectors.dashboard_tam_choices())
    assert owner.pk not in choices and successor.pk in choices
    assert manager.pk not in choices


def test_csv_rows_have_the_header_and_one_row_per_account(world, fixed_today, other_tam):
    rows = list(selectors.dashboard_csv_rows(filtered(fixed_today), fixed_today))
    assert rows[0] == selectors.CSV_HEADER
    assert [r[1] for r in rows[1:]] == ["Red Ent APAC", "Yellow Com EMEA", "Green Ent EMEA", "Unscored Com APAC"]
    red = rows[1]
    tam_name = other_tam.get_full_name()
    assert red[2:12] == ("Enterprise", "APAC", "no", "300000.00", "", tam_name, "Red", "12.5", "2026-10-24", "no")
    assert red[12].startswith("ROI red: No success plan; Support red: 20 tickets")
    assert rows[4][8:12] == ("Unscored", "", "", "yes")


def test_csv_cells_cannot_start_a_spreadsheet_formula(db, fixed_today):
    scored_account(name="=HYPERLINK(1)", color="green", score="90.0", arr=1, scored_on=None, health_date=None)
    [_, row] = list(selectors.dashboard_csv_rows(filtered(fixed_today), fixed_today))
    assert row[1] == "'=HYPERLINK(1)"


def test_csv_reasons_are_the_list_reasons_whatever_the_measures(world, fixed_today):
    """The CSV reads each measure's color and detail from the database, the list decodes the
    snapshot: both give the same sentence, a missing (null) sentiment included."""
    scored_account(
        name="No sentiment",
        color="yellow",
        score="60.0",
        arr=10,
        scored_on=fixed_today,
        health_date=fixed_today,
        sentiment_reason="Sponsor left",
        snapshot_measures=measures(
            sentiment=(None, "No TAM sentiment recorded yet"),
            engagement=("red", "No held meeting on record"),
        ),
    )
    _, *rows = selectors.dashboard_csv_rows(filtered(fixed_today), fixed_today)
    csv_reasons = {row[1]: row[12] for row in rows}
    list_reasons = {account.name: "; ".join(account.reasons) for account in listed(fixed_today)}
    assert csv_reasons == list_reasons
    assert csv_reasons["No sentiment"] == (
        "Engagement red: No held meeting on record; TAM Sentiment not set: “Sponsor left”"
    )
    assert csv_reasons["Green Ent EMEA"] == ""


def test_the_list_and_the_csv_say_what_the_engine_scored(db, fixed_today):
    """End to end: the engine words an account's scorecard onto it; the list and the CSV show it."""
    from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, TicketFactory

    account = AccountFactory(name="Scored", segment="enterprise")
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=40))
    TicketFactory.create_batch(7, account=account, opened=fixed_today - dt.timedelta(days=3))
    SentimentFactory(account=account, date=fixed_today, color="red", reason="Sponsor left\nBudget cut")
    services.scores_recompute(as_of=fixed_today)
    [row] = listed(fixed_today)
    assert [reason.split(":")[0] for reason in row.reasons] == [
        "Engagement yellow",
        "ROI red",
        "Support yellow",
        "TAM Sentiment red",
    ]
    assert "7 tickets opened in the last 30 days" in row.reasons[2]
    assert row.reasons[-1] == "TAM Sentiment red: “Sponsor left Budget cut”"
    assert row.unfresh  # the fixture's data is old: the confidence says why
    [_, csv_row] = selectors.dashboard_csv_rows(filtered(fixed_today), fixed_today)
    assert csv_row[selectors.CSV_HEADER.index("Reasons")] == "; ".join(row.reasons)
    assert csv_row[selectors.CSV_HEADER.index("Confidence reasons")] == "; ".join(row.unfresh)
