"""The Scorecard quality page and the renewal outcome form: who may, what they see, bad input."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from accounts.tests.factories import AccountFactory
from quality.models import RenewalOutcome
from quality.tests.factories import RenewalOutcomeFactory, snapshot

pytestmark = pytest.mark.django_db

RENEWAL = dt.date(2026, 10, 1)
PERIOD = "?start=2026-09-01&end=2026-10-31"


def _history(n_yellow_churned: int = 1):
    """Renewals on RENEWAL, each with a snapshot 35 days before: green renewed, red downsell, and
    yellow churned accounts scoring 62.5 (red under a yellow threshold of 63)."""
    day = RENEWAL - dt.timedelta(days=35)
    rows = [("green", "renewed", 1000), ("red", "downsell", 500)] + [("yellow", "churned", 0)] * n_yellow_churned
    for color, outcome, arr in rows:
        account = AccountFactory()
        snapshot(account, day, color, sentiment=color)
        RenewalOutcomeFactory(account=account, date=RENEWAL, outcome=outcome, arr=Decimal(arr))


def _cell(html: str, table_id: str, horizon: int, series: str, css: str) -> str:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    row = re.search(rf'<tr class="series-{series}" data-horizon="{horizon}">(.*?)</tr>', table, re.S).group(1)
    return re.search(rf'<td class="num {css}">(.*?)</td>', row).group(1)


def test_the_page_is_for_managers_and_admins(client, tam, manager, admin_user):
    assert client.get("/quality/").status_code == 302  # to the login page
    client.force_login(tam)
    assert client.get("/quality/").status_code == 403
    for user in (manager, admin_user):
        client.force_login(user)
        assert client.get("/quality/").status_code == 200


def test_the_nav_links_to_the_page_for_managers_only(client, tam, manager):
    client.force_login(tam)
    assert "Scorecard quality" not in client.get("/accounts/").content.decode()
    client.force_login(manager)
    assert '<a href="/quality/"' in client.get("/accounts/").content.decode()


def test_the_page_shows_precision_and_recall_per_horizon(client, manager):
    _history()
    client.force_login(manager)
    html = client.get(f"/quality/{PERIOD}").content.decode()
    assert "<strong>3</strong> renewals from 2026-09-01 to 2026-10-31" in html
    # 35 days before: red downsell (caught), yellow churned (missed) -> precision 100 %, recall 50 %.
    assert _cell(html, "prediction-table", 30, "recorded", "precision") == "100.0 %"
    assert _cell(html, "prediction-table", 30, "recorded", "recall") == "50.0 %"
    # 60 and 90 days before there was no snapshot yet: nothing red, nothing scored.
    assert _cell(html, "prediction-table", 90, "recorded", "precision") == "n/a"
    assert html.count("<svg") >= 7  # prediction chart + per horizon a distribution and a churn chart


def test_a_draft_from_the_query_is_compared_with_the_recorded_figures(client, manager):
    _history()
    client.force_login(manager)
    html = client.get(f"/quality/{PERIOD}&segment=enterprise&yellow_min_score=63").content.decode()
    assert "Yellow min score 51 → <strong>63</strong>" in html
    assert _cell(html, "prediction-table", 30, "draft", "recall") == "100.0 %"
    assert _cell(html, "prediction-table", 30, "recorded", "recall") == "50.0 %"
    assert "The draft changes the color of 1 renewal." in html
    # The form keeps the draft and starts the other fields from the configuration in force.
    assert 'name="yellow_min_score" value="63"' in html
    assert 'name="green_min_score" value="76"' in html


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("&yellow_min_score=90", "green_min_score", "The green band must start above the yellow band"),
        ("&weight_sentiment=70", "weight_sentiment", "must add up to 100"),
        ("&green_min_score=abc", "green_min_score", "Enter a whole number."),
        ("&support_green_max=-1", "support_green_max", "greater than or equal to 0"),
    ],
)
def test_a_bad_draft_shows_field_errors_and_the_recorded_figures(client, manager, query, field, message):
    _history()
    client.force_login(manager)
    response = client.get(f"/quality/{PERIOD}&segment=enterprise{query}")
    assert response.status_code == 200
    html = response.content.decode()
    errors = html.split(f'id="{field}-errors"')[1].split("</ul>")[0]
    assert message in errors
    assert 'class="series-draft"' not in html
    assert _cell(html, "prediction-table", 30, "recorded", "recall") == "50.0 %"


@pytest.mark.parametrize(
    "query, field",
    [
        ("?start=2026-11-01&end=2026-10-01", "start"),
        ("?start=1990-01-01&end=2026-10-01", "start"),
        ("?end=nope", "end"),
    ],
)
def test_a_bad_period_shows_a_field_error(client, manager, query, field):
    client.force_login(manager)
    response = client.get(f"/quality/{query}")
    assert response.status_code == 200
    assert f'id="{field}-errors"' in response.content.decode()


def test_a_draft_with_another_support_window_is_refused_in_words(client, manager):
    _history()
    client.force_login(manager)
    html = client.get(f"/quality/{PERIOD}&segment=enterprise&support_window_days=14").content.decode()
    assert 'id="draft-blocked"' in html and "Support window days" in html
    assert 'class="series-draft"' not in html


def test_the_page_costs_the_same_queries_for_more_renewals(client, manager, django_assert_num_queries):
    client.force_login(manager)
    url = f"/quality/{PERIOD}&segment=enterprise&yellow_min_score=63"
    client.get(url)  # warm: the session, SQLite's JSON check
    for n in (1, 8):
        _history(n)
        # The session, the user, their roles, the configuration in force, one query for the
        # three horizons (with the draft) and the navigation's unread notifications.
        with django_assert_num_queries(6):
            assert client.get(url).status_code == 200


# --- The account page's panel and the form ---------------------------------------------------


def test_the_panel_lists_outcomes_and_offers_the_form_to_the_tam_and_managers(client, tam, other_tam, manager):
    account = AccountFactory(tam=tam, name="Acme")
    RenewalOutcomeFactory(account=account, date=dt.date(2025, 11, 1), outcome="expanded", arr=Decimal("150000"))
    url = f"/accounts/{account.external_id}/"
    for user, has_form in ((tam, True), (manager, True), (other_tam, False)):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "Renewal outcomes" in html and "2025-11-01" in html and "$150,000" in html
        assert ("Record a renewal outcome" in html) is has_form


def test_the_accounts_tam_and_a_manager_record_an_outcome(client, tam, manager, fixed_today):
    account = AccountFactory(tam=tam)
    url = f"/quality/accounts/{account.external_id}/outcomes/"
    client.force_login(tam)
    response = client.post(url, {"date": "2026-11-01", "outcome": "downsell", "arr": "90000"})
    assert response.status_code == 302 and response.url.endswith("#renewal-outcomes")
    client.force_login(manager)
    client.post(url, {"date": "2026-11-01", "outcome": "churned", "arr": "0"})  # corrects the same renewal
    [record] = RenewalOutcome.objects.all()
    assert (record.outcome, record.arr, record.recorded_by) == ("churned", 0, manager)
    assert [h.outcome for h in record.history.order_by("history_date")] == ["downsell", "churned"]
    assert [h.history_user for h in record.history.order_by("history_date")] == [tam, manager]


def test_another_tam_and_a_roleless_user_may_not_record(client, tam, other_tam, fixed_today):
    from accounts.tests.factories import UserFactory

    account = AccountFactory(tam=tam)
    url = f"/quality/accounts/{account.external_id}/outcomes/"
    for user in (other_tam, UserFactory()):
        client.force_login(user)
        assert client.post(url, {"date": "2026-11-01", "outcome": "renewed", "arr": "1"}).status_code == 403
    assert not RenewalOutcome.objects.exists()
    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"date": "2026-11-01", "outcome": "churned", "arr": "5"}, "arr", "must be 0 for a churned account"),
        ({"date": "2026-11-01", "outcome": "renewed", "arr": "0"}, "arr", "must be above 0"),
        ({"date": "2026-12-24", "outcome": "renewed", "arr": "5"}, "date", "once it happened"),
        ({"date": "2026-11-01", "outcome": "lost", "arr": "5"}, "outcome", "Select a valid choice"),
        ({"date": "", "outcome": "renewed", "arr": "-1"}, "arr", "greater than or equal to 0"),
    ],
)
def test_bad_outcomes_show_field_errors(client, tam, fixed_today, data, field, message):
    account = AccountFactory(tam=tam)
    client.force_login(tam)
    response = client.post(f"/quality/accounts/{account.external_id}/outcomes/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html.split(f'id="outcome-{field}-errors"')[1].split("</ul>")[0]
    assert not RenewalOutcome.objects.exists()


def test_the_admin_what_if_preview_links_to_the_backtest_under_the_same_draft(client, admin_user):
    """A draft previewed in Django admin opens Scorecard quality recomputed under it: the figures
    an admin reads there are those of the very values about to be applied."""
    from accounts.models import ScorecardConfig
    from accounts.tests.test_admin import config_form

    _history()
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    preview = client.post(
        f"/admin/accounts/scorecardconfig/{config.pk}/change/", config_form(config, yellow_min_score=63)
    )
    assert preview.status_code == 200
    link = re.search(r'<a href="([^"]+)">Backtest this draft against past renewals</a>', preview.content.decode())
    assert link and "segment=enterprise" in link.group(1) and "yellow_min_score=63" in link.group(1)
    html = client.get(link.group(1).replace("&amp;", "&") + "&start=2026-09-01&end=2026-10-31").content.decode()
    assert "Yellow min score 51 → <strong>63</strong>" in html
    assert _cell(html, "prediction-table", 30, "draft", "recall") == "100.0 %"
    assert ScorecardConfig.objects.get(pk=config.pk).yellow_min_score == 51  # nothing saved
