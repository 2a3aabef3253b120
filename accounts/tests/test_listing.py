"""Every account list's search, filters and sort (accounts.listing), and the pages that use it:
Accounts, My accounts, the header's search, the list's CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.http import QueryDict

from accounts import list_csv, listing
from accounts.models import Account
from accounts.tests.factories import AccountFactory, UserFactory
from triage.models import TriageRecord, TriageStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def accounts(fixed_today, tam, other_tam):
    """Five accounts that differ in every filtered and sorted column."""

    def make(name, ext, **fields):
        return AccountFactory(name=name, external_id=ext, **fields)

    return {
        "acme": make(
            "Acme Corp", "CRM-ACME", tam=tam, health_color="red", health_score=Decimal("20.0"), arr=500_000,
            renewal_date=fixed_today + dt.timedelta(days=20), health_date=fixed_today, region="EMEA",
            health_confidence=40,
        ),
        "globex": make(
            "Globex", "CRM-GLBX", tam=tam, health_color="yellow", health_score=Decimal("55.0"), arr=90_000,
            renewal_date=fixed_today + dt.timedelta(days=120), health_date=fixed_today - dt.timedelta(days=400),
            region="APAC", public_sector=True, health_confidence=90,
        ),
        "initech": make(
            "Initech", "CRM-INIT", tam=other_tam, health_color="green", health_score=Decimal("90.0"), arr=30_000,
            renewal_date=None, health_date=fixed_today, segment="commercial", region="EMEA",
            health_confidence=100,
        ),
        "umbrella": make(
            "Umbrella", "CRM-UMBR", tam=None, health_color=None, health_score=None, arr=10_000,
            renewal_date=fixed_today + dt.timedelta(days=60), health_date=None, region="LATAM",
        ),
        "acme_labs": make(
            "Acme Labs", "CRM-ALAB", tam=other_tam, health_color="green", health_score=Decimal("90.0"), arr=30_000,
            renewal_date=fixed_today - dt.timedelta(days=3), health_date=fixed_today, region="EMEA",
            health_confidence=75,
        ),
    }  # fmt: skip


def names(qs):
    return sorted(a.name for a in qs)


def filtered(**filters):
    return Account.objects.filter(listing.AccountFilters(**filters).q(TODAY))


# --- The condition ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Acme Corp", "Acme Labs", "Globex", "Initech", "Umbrella"]),
        ({"search": "acme"}, ["Acme Corp", "Acme Labs"]),
        ({"search": "crm-glbx"}, ["Globex"]),  # the CRM id, any case
        ({"search": "  init  "}, ["Initech"]),
        ({"colors": ("red", "yellow")}, ["Acme Corp", "Globex"]),  # several colors at once
        ({"colors": ("none",)}, ["Umbrella"]),
        ({"colors": ("green", "none")}, ["Acme Labs", "Initech", "Umbrella"]),
        ({"segment": "commercial"}, ["Initech"]),
        ({"region": "EMEA", "colors": ("green",)}, ["Acme Labs", "Initech"]),
        ({"public_sector": True}, ["Globex"]),
        ({"stale": True}, ["Globex", "Umbrella"]),
        ({"renewal_within": 30}, ["Acme Corp"]),  # a renewal 3 days ago is not upcoming
        ({"renewal_within": 90}, ["Acme Corp", "Umbrella"]),
        ({"renewal_within": 180}, ["Acme Corp", "Globex", "Umbrella"]),
        ({"tam": 0}, ["Umbrella"]),
        ({"search": "acme", "colors": ("green",)}, ["Acme Labs"]),
        # Confidence below N %: strictly below; an unscored account has none and never matches.
        ({"confidence_below": 40}, []),
        ({"confidence_below": 41}, ["Acme Corp"]),
        ({"confidence_below": 100}, ["Acme Corp", "Acme Labs", "Globex"]),
    ],
)
def test_each_filter_selects_the_matching_accounts(accounts, filters, expected):
    assert names(filtered(**filters)) == expected


def test_the_tam_filter(accounts, tam):
    assert names(filtered(tam=tam.pk)) == ["Acme Corp", "Globex"]


def test_the_open_triage_flag_that_triage_registers(accounts, tam):
    TriageRecord.objects.create(
        account=accounts["globex"], status=TriageStatus.OPEN, origin="manual", risk="HS::Yellow", region="APAC",
        opened_on=TODAY,
    )  # fmt: skip
    assert names(filtered(flags=(("open_triage", True),))) == ["Globex"]
    assert "Globex" not in names(filtered(flags=(("open_triage", False),)))


def test_the_same_condition_through_a_related_model(accounts):
    record = TriageRecord.objects.create(
        account=accounts["acme"], status=TriageStatus.OPEN, origin="manual", risk="HS::Red", region="EMEA",
        opened_on=TODAY,
    )  # fmt: skip
    q = listing.AccountFilters(search="acme", colors=("red",), renewal_within=30).q(TODAY, "account__")
    assert list(TriageRecord.objects.filter(q)) == [record]


# --- The sort --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", ["Acme Corp", "Globex", "Initech", "Acme Labs", "Umbrella"]),  # unscored last, ties by pk
        ("-score", ["Initech", "Acme Labs", "Globex", "Acme Corp", "Umbrella"]),
        ("-arr", ["Acme Corp", "Globex", "Initech", "Acme Labs", "Umbrella"]),
        ("renewal", ["Acme Labs", "Acme Corp", "Umbrella", "Globex", "Initech"]),  # no date last
        ("health_date", ["Globex", "Acme Corp", "Initech", "Acme Labs", "Umbrella"]),
        ("name", ["Acme Corp", "Acme Labs", "Globex", "Initech", "Umbrella"]),
        ("confidence", ["Acme Corp", "Acme Labs", "Globex", "Initech", "Umbrella"]),  # lowest first, none last
        ("-confidence", ["Initech", "Globex", "Acme Labs", "Acme Corp", "Umbrella"]),
    ],
)
def test_every_sort_has_missing_values_last_and_a_stable_tiebreak(accounts, sort, expected):
    order = listing.sort_order(sort)
    assert order[-1] == "pk"
    assert [a.name for a in Account.objects.order_by(*order)] == expected


def test_days_since_last_meeting_sorts_on_the_engines_read_model(accounts, client, tam, fixed_today):
    Account.objects.filter(pk=accounts["globex"].pk).update(last_meeting_on=fixed_today - dt.timedelta(days=90))
    Account.objects.filter(pk=accounts["acme"].pk).update(last_meeting_on=fixed_today - dt.timedelta(days=5))
    Account.objects.filter(pk=accounts["initech"].pk).update(last_meeting_on=fixed_today - dt.timedelta(days=40))
    most_days_first = [a.name for a in Account.objects.order_by(*listing.sort_order("last_meeting"))]
    assert most_days_first[:3] == ["Globex", "Initech", "Acme Corp"]  # never met: last
    client.force_login(tam)
    page = client.get("/accounts/?sort=last_meeting").content.decode()
    assert page.index(">Globex<") < page.index(">Initech<") < page.index(">Acme Corp<")
    assert "90 days ago" in page


def test_an_unknown_sort_gives_the_lists_default():
    assert listing.sort_order("nonsense", default=("name", "pk")) == ("name", "pk")
    assert listing.sort_order("") == ("pk",)


# --- The form that reads the address ---------------------------------------------------------


def test_the_form_turns_the_address_into_filters(accounts, tam):
    params = QueryDict(
        f"q=acme&color=red&color=none&segment=enterprise&region=EMEA&tam={tam.pk}&stale=no&renewal=90"
        "&public_sector=no&open_triage=yes&confidence_below=50&sort=-arr"
    )
    form = listing.account_list_form(params)
    assert form.is_valid(), form.errors
    assert form.filters() == listing.AccountFilters(
        search="acme", colors=("red", "none"), segment="enterprise", region="EMEA", tam=tam.pk, stale=False,
        renewal_within=90, public_sector=False, confidence_below=50, flags=(("open_triage", True),),
    )  # fmt: skip
    assert form.sort_key == "-arr"


def test_bad_values_are_named_and_not_applied(accounts):
    form = listing.account_list_form(QueryDict("color=purple&renewal=7&tam=99999&sort=drop+table&region=EMEA"))
    assert set(form.errors) == {"color", "renewal", "tam", "sort"}
    assert form.filters() == listing.AccountFilters(region="EMEA")
    assert form.sort_key == ""
    assert "color:" in form.error_text()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("101", "Ensure this value is less than or equal to 100."),
        ("half", "Enter a whole number."),
    ],
)
def test_a_bad_confidence_is_named_on_its_field_and_not_applied(client, tam, accounts, value, message):
    form = listing.account_list_form(QueryDict(f"confidence_below={value}&region=EMEA"))
    assert form.errors == {"confidence_below": [message]}
    assert form.filters() == listing.AccountFilters(region="EMEA")
    client.force_login(tam)
    response = client.get(f"/accounts/?confidence_below={value}")
    assert response.status_code == 200 and message in response.content.decode()
    assert rows(response.content.decode()) == ["Acme Corp", "Acme Labs", "Globex", "Initech", "Umbrella"]


def test_a_search_longer_than_the_limit_is_refused():
    form = listing.account_list_form(QueryDict(f"q={'x' * 101}"))
    assert "q" in form.errors and form.filters().search == ""


# --- The pages -------------------------------------------------------------------------------


def rows(html: str) -> list[str]:
    return [a for a in ("Acme Corp", "Acme Labs", "Globex", "Initech", "Umbrella") if f">{a}</a>" in html]


def test_account_list_searches_filters_and_sorts_from_the_address(client, tam, accounts):
    client.force_login(tam)
    html = client.get("/accounts/?q=acme&color=green&color=red&sort=-arr").content.decode()
    assert rows(html) == ["Acme Corp", "Acme Labs"]
    assert html.index(">Acme Corp<") < html.index(">Acme Labs<")
    # The form shows what the address says: the view can be bookmarked and reloaded.
    assert 'value="acme"' in html and 'value="red" checked' in html.replace('id="id_color_0" ', "")


def test_account_list_shows_bad_filters_on_their_field_not_a_500(client, tam, accounts):
    client.force_login(tam)
    response = client.get("/accounts/?color=purple&renewal=7&sort=evil")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice. purple is not one of the available choices." in html
    assert rows(html) == ["Acme Corp", "Acme Labs", "Globex", "Initech", "Umbrella"]


def test_a_nul_byte_in_a_filter_is_a_404(client, tam, accounts):
    client.force_login(tam)
    assert client.get("/accounts/?q=a%00b").status_code == 404
    assert client.get("/accounts/export.csv?color=red%00").status_code == 404


def test_color_chips_are_links_that_filter_and_count_the_other_filters(client, tam, accounts):
    client.force_login(tam)
    html = client.get("/accounts/?region=EMEA&color=red").content.decode()
    # Counts under the other filters (EMEA), whatever color is chosen: 1 red, 2 green.
    assert 'href="?region=EMEA&amp;color=green"' in html
    assert '<span class="chip chip-green">Green</span> <strong>2</strong>' in html
    assert '<span class="chip chip-red">Red</span> <strong>1</strong>' in html


def test_pagination_keeps_every_filter(client, tam, fixed_today):
    AccountFactory.create_batch(55, health_color="red", health_score=Decimal("10.0"))
    client.force_login(tam)
    html = client.get("/accounts/?color=red&color=yellow&sort=-arr").content.decode()
    assert "?color=red&amp;color=yellow&amp;sort=-arr&amp;page=2" in html


def test_sort_headers_link_to_the_other_direction_and_keep_the_filters(client, tam, accounts):
    client.force_login(tam)
    html = client.get("/accounts/?q=acme&sort=-arr&page=1").content.decode()
    assert 'href="?q=acme&amp;sort=arr"' in html  # ARR: the other way, the page dropped
    assert 'href="?q=acme&amp;sort=score"' in html


@pytest.mark.parametrize("size", [3, 30])
def test_account_list_reads_a_fixed_number_of_queries(client, tam, fixed_today, size, django_assert_num_queries):
    AccountFactory.create_batch(size, renewal_date=fixed_today, health_confidence=30)
    client.force_login(tam)
    # session, user, roles, the TAM filter's choices, the count, the page with its TAMs, the
    # counts per color, and the navigation's two counts
    with django_assert_num_queries(9):
        client.get("/accounts/?q=account&color=green&color=none&sort=renewal&renewal=30&open_triage=no")
    with django_assert_num_queries(9):
        response = client.get("/accounts/?confidence_below=50&sort=confidence")
    assert response.content.decode().count('<td class="num" data-label="Confidence">30 %</td>') == size


def test_my_accounts_filters_and_sorts_and_has_no_tam_filter(client, tam, accounts):
    client.force_login(tam)
    html = client.get("/my/?sort=-score").content.decode()
    assert html.index(">Globex<") < html.index(">Acme Corp<")
    assert 'name="tam"' not in html
    html = client.get("/my/?color=red").content.decode()
    assert ">Acme Corp<" in html and ">Globex<" not in html
    # The chips still count every account of the TAM, and filter by their color.
    assert 'href="/my/?color=yellow"' in html
    html = client.get("/my/?q=nothing-like-this").content.decode()
    assert "None of your accounts match the search and filters." in html


@pytest.mark.parametrize("size", [2, 20])
def test_my_accounts_with_filters_reads_a_fixed_number_of_queries(
    client, tam, fixed_today, size, django_assert_num_queries
):
    AccountFactory.create_batch(size, tam=tam, renewal_date=fixed_today, health_confidence=30)
    client.force_login(tam)
    # session, user, roles, the count and the page's ids, the rows, the trends, the summary,
    # the navigation's two counts
    with django_assert_num_queries(10):
        client.get("/my/?q=account&stale=yes&sort=renewal")
    with django_assert_num_queries(10):
        response = client.get("/my/?confidence_below=50&sort=-confidence")
    assert response.content.decode().count("30 % fresh") == size


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # the BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_list_csv_uses_the_same_filters_and_sort(client, tam, accounts):
    client.force_login(tam)
    response = client.get("/accounts/export.csv?q=acme&sort=-arr")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    exported = csv_rows(response)
    assert exported[0] == list(list_csv.CSV_HEADER)
    assert [r[1] for r in exported[1:]] == ["Acme Corp", "Acme Labs"]
    assert exported[1][6] == "2026-12-14"  # the renewal date
    assert exported[1][exported[0].index("Confidence")] == "40"
    mine = csv_rows(client.get("/accounts/export.csv?mine=1"))
    assert [r[1] for r in mine[1:]] == ["Acme Corp", "Globex"]


@pytest.mark.parametrize("size", [10, 120])
def test_the_list_csv_reads_a_fixed_number_of_queries(client, tam, fixed_today, size, django_assert_num_queries):
    AccountFactory.create_batch(size, tam=tam, renewal_date=fixed_today, health_score="42.0", arr="1234.5")
    client.force_login(tam)
    # session, user, roles; the TAM filter's choices; the rows in order, one query streamed
    # (csv_download.raw_rows), however many accounts
    with django_assert_num_queries(5):
        exported = csv_rows(client.get("/accounts/export.csv?mine=1&sort=renewal"))
    assert len(exported) == size + 1
    assert {(r[5], r[6], r[9]) for r in exported[1:]} == {("1234.50", "2026-11-24", "42.0")}


def test_the_list_csv_refuses_bad_filters_in_one_line(client, tam, accounts):
    client.force_login(tam)
    response = client.get("/accounts/export.csv?color=purple")
    assert response.status_code == 400
    assert response.content.decode().startswith("Invalid filters, nothing exported. color: Select a valid choice.")


def test_the_list_csv_needs_a_role(client, accounts):
    client.force_login(UserFactory(username="norole"))
    assert client.get("/accounts/export.csv").status_code == 403


# --- The header's search ---------------------------------------------------------------------


def test_header_search_lists_matches_by_name_or_crm_id(client, tam, accounts):
    client.force_login(tam)
    html = client.get("/search/?q=acme").content.decode()
    assert rows(html) == ["Acme Corp", "Acme Labs"]
    assert 'id="global-search-q"' in html  # the box is on every page


def test_header_search_opens_a_single_match_or_an_exact_crm_id(client, tam, accounts):
    client.force_login(tam)
    response = client.get("/search/?q=glob")
    assert response.status_code == 302 and response["Location"] == "/accounts/CRM-GLBX/"
    response = client.get("/search/?q=crm-acme")
    assert response["Location"] == "/accounts/CRM-ACME/"


def test_header_search_shows_only_accounts_the_user_may_open(client, accounts):
    # A SAL without a Healthscore role may open their own account only.
    sal = UserFactory(username="sal-no-role")
    accounts["acme_labs"].sal = sal
    accounts["acme_labs"].save()
    client.force_login(sal)
    response = client.get("/search/?q=acme")
    assert response["Location"] == "/accounts/CRM-ALAB/"
    html = client.get("/search/?q=globex").content.decode()
    assert "No account you may open matches" in html and "CRM-GLBX" not in html


def test_header_search_with_nothing_typed_or_too_much(client, tam, accounts):
    client.force_login(tam)
    assert client.get("/search/").status_code == 200
    response = client.get(f"/search/?q={'a' * 101}")
    assert response.status_code == 200 and "Ensure this value has at most 100 characters" in response.content.decode()
