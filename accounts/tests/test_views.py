"""The first UI: login, the account list and the scorecard page."""

import datetime as dt

import pytest
from django.test import Client

from accounts import services
from accounts.models import Account, Color, PlanStatus, SentimentSource
from accounts.scoring import services as scoring
from accounts.tests.factories import (
    AccountFactory,
    MeetingFactory,
    SentimentFactory,
    SuccessPlanFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_login_page_and_redirect_for_anonymous(client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and response.url == "/login/?next=/accounts/"
    assert b"csrfmiddlewaretoken" in client.get("/login/").content


def test_login_with_a_bad_password_shows_an_error(client, tam):
    response = client.post("/login/", {"username": "tam", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_account_list_shows_color_score_and_date(client, tam, fixed_today):
    account = AccountFactory(tam=tam, name="Acme Corp")
    SentimentFactory(account=account, color=Color.RED, date=fixed_today)
    scoring.scores_recompute(as_of=fixed_today)
    client.force_login(tam)
    html = client.get("/accounts/").content.decode()
    assert "Acme Corp" in html and 'chip-red">Red<' in html and "2026-11-24" in html


def test_account_list_query_count_is_fixed(client, tam, django_assert_num_queries):
    AccountFactory.create_batch(3)
    client.force_login(tam)
    # session, user, roles, the TAM filter's choices, the count, the page, the counts per
    # color, and the navigation's counts
    with django_assert_num_queries(9) as few:
        client.get("/accounts/")
    AccountFactory.create_batch(30)
    with django_assert_num_queries(len(few)):
        client.get("/accounts/")


def test_account_page_explains_every_measure(client, tam, fixed_today):
    account = AccountFactory(tam=tam, segment="commercial", arr=30000)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=95))
    SentimentFactory(account=account, date=fixed_today)
    client.force_login(tam)
    html = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "95 days since last meeting" in html
    assert "ROI: not measured for Commercial accounts under $50,000 ARR, so its 10 % is shared" in html
    assert "11.11 %" in html


def test_unknown_account_is_404(client, tam):
    client.force_login(tam)
    assert client.get("/accounts/NOPE/").status_code == 404


# --- Home and My accounts ---------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_my_accounts_shows_the_tams_accounts_riskiest_first_with_their_facts(client, tam, other_tam, fixed_today):
    risky = AccountFactory(tam=tam, name="Risky Co", renewal_date=dt.date(2027, 3, 1))
    MeetingFactory(account=risky, date=fixed_today - dt.timedelta(days=45))
    TicketFactory.create_batch(7, account=risky, opened=fixed_today - dt.timedelta(days=3))
    SuccessPlanFactory(account=risky, status=PlanStatus.DRAFT)
    SentimentFactory(account=risky, color=Color.RED, date=fixed_today - dt.timedelta(days=60))
    healthy = AccountFactory(tam=tam, name="Healthy Co")
    SentimentFactory(account=healthy, color=Color.GREEN, date=fixed_today)
    AccountFactory(tam=other_tam, name="Someone Else's")
    for weeks_ago in (8, 4, 0):
        scoring.scores_recompute(as_of=fixed_today - dt.timedelta(weeks=weeks_ago))
    client.force_login(tam)
    html = client.get("/my/").content.decode()
    assert "Someone Else" not in html
    assert html.index("Risky Co") < html.index("Healthy Co")
    row = html[html.index('id="acct-' + risky.external_id) :]
    row = row[: row.index("</tbody>")]
    assert 'chip-red">Red<' in row and "45 days ago" in row and ">7<" in row and "Draft" in row
    assert "2027-03-01" in row and '<svg class="sparkline"' in row and "<polyline" in row
    # Enterprise health confirmed 60 days ago: older than a month, so stale.
    assert "Stale" in row
    assert "Stale" not in html[html.index('id="acct-' + healthy.external_id) :]


def test_my_accounts_makes_the_same_number_of_queries_for_5_or_60_accounts_50_a_page(
    client, tam, fixed_today, django_assert_num_queries
):
    def make(n):
        for account in AccountFactory.create_batch(n, tam=tam):
            MeetingFactory(account=account)
            TicketFactory(account=account, opened=fixed_today)
            SuccessPlanFactory(account=account)
            SentimentFactory(account=account, date=fixed_today)
        scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=7))
        scoring.scores_recompute(as_of=fixed_today)

    client.force_login(tam)
    make(5)
    # session, user, roles, the count and the page's ids (bare columns), the page's accounts
    # with every row fact, the 90-day trends, the summary's counts (all the TAM's accounts,
    # whatever the filters), and the navigation's unread-notification and open-CTA counts
    with django_assert_num_queries(10):
        assert client.get("/my/").status_code == 200
    make(55)
    with django_assert_num_queries(10):
        html = client.get("/my/").content.decode()
    assert html.count('class="account-row') == 50
    assert "Page 1 of 2" in html
    second = client.get("/my/?page=2").content.decode()
    assert second.count('class="account-row') == 10


def test_my_accounts_for_a_user_without_accounts_says_so(client, manager):
    client.force_login(manager)
    assert "No accounts assigned to you yet" in client.get("/my/").content.decode()


# --- Sentiment from My accounts (inline, htmx) -------------------------------------------


@pytest.fixture
def scored(tam, fixed_today):
    account = AccountFactory(tam=tam, name="Scored Co")
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=3))
    SuccessPlanFactory(account=account)
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=10))
    scoring.scores_recompute(as_of=fixed_today)
    account.refresh_from_db()
    return account


def test_inline_sentiment_returns_the_updated_row_without_a_page(client, tam, scored):
    assert scored.health_score == 100
    client.force_login(tam)
    response = client.post(
        f"/accounts/{scored.external_id}/sentiment/",
        {"color": "red", "reason": "Sponsor left", "origin": "list"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tbody id="acct-{scored.external_id}"') and "<html" not in html
    assert 'chip-red">Red<' in html and ">25.0<" in html and "✓ Saved" in html
    assert 'id="my-summary" aria-label="Summary" hx-swap-oob="true"' in html
    entry = scored.sentiments.latest("created_at")
    assert (entry.color, entry.reason, entry.source) == ("red", "Sponsor left", SentimentSource.ACCOUNT_LIST)
    scored.refresh_from_db()
    assert scored.health_color == Color.RED


def test_inline_sentiment_change_without_reason_shows_the_error_in_the_row_and_saves_nothing(client, tam, scored):
    client.force_login(tam)
    response = client.post(
        f"/accounts/{scored.external_id}/sentiment/", {"color": "yellow", "reason": " ", "origin": "list"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Say why the sentiment changes." in html and 'aria-invalid="true"' in html
    assert '<details class="inline-update" open>' in html
    assert scored.sentiments.count() == 1
    scored.refresh_from_db()
    assert scored.health_color == Color.GREEN


def test_inline_sentiment_without_javascript_redirects_back_to_the_row(client, tam, scored):
    client.force_login(tam)
    response = client.post(
        f"/accounts/{scored.external_id}/sentiment/", {"color": "yellow", "reason": "Reorg", "origin": "list"}
    )
    assert response.status_code == 302 and response.url == f"/my/#acct-{scored.external_id}"
    page = client.get(response.url).content.decode()
    assert "Scored Co: sentiment set to Yellow, score 62.5." in page


def test_inline_sentiment_error_without_javascript_rerenders_my_accounts_with_the_row_open(client, tam, scored):
    client.force_login(tam)
    response = client.post(f"/accounts/{scored.external_id}/sentiment/", {"reason": "x", "origin": "list"})
    html = response.content.decode()
    assert response.status_code == 422 and "<h1>My accounts</h1>" in html
    assert "Choose green, yellow or red." in html and '<details class="inline-update" open>' in html
    assert scored.sentiments.count() == 1


def test_inline_confirm_moves_the_health_date(client, tam, fixed_today):
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=50))
    scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=50))
    client.force_login(tam)
    response = client.post(f"/accounts/{account.external_id}/confirm/", {"origin": "list"}, **HTMX)
    assert response.status_code == 200 and "health confirmed as current" in response.content.decode()
    account.refresh_from_db()
    assert account.health_date == fixed_today
    assert account.sentiments.latest("created_at").source == SentimentSource.CONFIRMATION


# --- The account page --------------------------------------------------------------------


def test_account_page_sentiment_form_updates_and_returns_to_the_page(client, tam, scored):
    client.force_login(tam)
    response = client.post(
        f"/accounts/{scored.external_id}/sentiment/", {"color": "yellow", "reason": "Reorg", "origin": "account"}
    )
    assert response.status_code == 302 and response.url == f"/accounts/{scored.external_id}/"
    html = client.get(response.url).content.decode()
    assert "sentiment set to Yellow" in html and "Reorg" in html
    assert scored.sentiments.latest("created_at").source == SentimentSource.SCORECARD


def test_account_page_sentiment_error_is_shown_next_to_the_field_and_nothing_is_saved(client, tam, scored):
    client.force_login(tam)
    response = client.post(f"/accounts/{scored.external_id}/sentiment/", {"color": "red", "origin": "account"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_reason_error"' in html and "Say why the sentiment changes." in html
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in html
    assert scored.sentiments.count() == 1


def test_confirm_without_any_sentiment_explains_why_and_saves_nothing(client, tam):
    account = AccountFactory(tam=tam)
    client.force_login(tam)
    response = client.post(f"/accounts/{account.external_id}/confirm/", {"origin": "account"})
    assert response.status_code == 422
    assert "Set a TAM sentiment before confirming" in response.content.decode()
    assert not account.sentiments.exists()


def test_log_activity_with_a_sentiment_change_shows_on_the_account_page(client, tam, scored, fixed_today):
    client.force_login(tam)
    response = client.post(
        f"/accounts/{scored.external_id}/activity/",
        {
            "date": "2026-11-23",
            "kind": "ebr",
            "status": "held",
            "attendees": "CTO, platform lead",
            "summary": "Renewal at risk: budget freeze.",
            "sentiment_color": "red",
            "sentiment_reason": "Budget freeze",
        },
    )
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "Logged the ebr of 2026-11-23 and set the sentiment to Red. Score now 25.0." in html
    assert "Renewal at risk: budget freeze." in html and "CTO, platform lead" in html
    assert "Budget freeze" in html and "via Logged activity" in html
    meeting = scored.meetings.get(kind="ebr")
    assert meeting.logged_by == tam


def test_log_activity_with_bad_input_shows_field_errors_and_saves_nothing(client, tam, scored):
    client.force_login(tam)
    response = client.post(
        f"/accounts/{scored.external_id}/activity/",
        {"date": "2026-12-01", "kind": "cadence", "status": "held", "sentiment_color": "red"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "An activity can&#x27;t be logged for a future date." in html and 'id="id_date_error"' in html
    assert scored.meetings.count() == 1 and scored.sentiments.count() == 1
    # A valid date, but a color change without a reason: still nothing saved, error at the reason.
    response = client.post(
        f"/accounts/{scored.external_id}/activity/",
        {"date": "2026-11-20", "kind": "cadence", "status": "held", "sentiment_color": "red"},
    )
    assert response.status_code == 422 and 'id="id_sentiment_reason_error"' in response.content.decode()
    assert scored.meetings.count() == 1 and scored.sentiments.count() == 1


def test_account_page_shows_measures_chart_history_meetings_tickets_and_plan(client, tam, scored, fixed_today):
    TicketFactory(account=scored, subject="Runner timeouts", opened=fixed_today - dt.timedelta(days=2))
    services.sentiment_update(account=scored, color=Color.YELLOW, reason="Champion moving roles", by=tam)
    client.force_login(tam)
    html = client.get(f"/accounts/{scored.external_id}/").content.decode()
    assert "Effective weight" in html and "75.00 %" in html and "3 days since last meeting" in html
    assert '<svg class="score-chart"' in html and "Overall score over time" in html
    assert "Champion moving roles" in html and "History of changes" in html
    assert "Runner timeouts" in html and "1</strong> opened in the last 30 days" in html
    assert "Active" in html
    assert "Update TAM sentiment" in html and "Log an activity" in html and "Confirm health is current" in html


def test_another_tam_reads_the_page_without_forms_or_meeting_summaries(client, tam, other_tam, scored):
    scored.meetings.update(summary="Confidential: layoffs planned")
    client.force_login(other_tam)
    html = client.get(f"/accounts/{scored.external_id}/").content.decode()
    assert "Read only" in html
    assert "Log an activity" not in html and 'name="color"' not in html and "Confirm health" not in html
    assert "Confidential" not in html and "Summary visible to the account team and managers." in html


def test_managers_and_the_tam_read_meeting_summaries(client, tam, manager, scored):
    scored.meetings.update(summary="Confidential: layoffs planned")
    for user in (tam, manager):
        client.force_login(user)
        assert "Confidential: layoffs planned" in client.get(f"/accounts/{scored.external_id}/").content.decode()


def test_account_page_query_count_does_not_grow_with_history(client, tam, fixed_today, django_assert_num_queries):
    def account_with(n):
        account = AccountFactory(tam=tam)
        for i in range(n):
            MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=i + 1))
            TicketFactory(account=account, opened=fixed_today - dt.timedelta(days=i))
            SentimentFactory(account=account, color=["green", "red"][i % 2], date=fixed_today - dt.timedelta(days=i))
            scoring.scores_recompute(
                as_of=fixed_today - dt.timedelta(days=i), accounts=Account.objects.filter(pk=account.pk)
            )
        return account

    small, big = account_with(2), account_with(12)
    client.force_login(tam)
    counts = []
    for account in (small, big):
        # 33: the scorecard read includes the feeds' last syncs (confidence; the meetings recorded
        # come with the last held meeting),
        # the override panel reads the account's overrides once, and the quality app's Renewal
        # outcomes panel the account's outcomes (one query).
        with django_assert_num_queries(33) as captured:
            client.get(f"/accounts/{account.external_id}/")
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_writes_need_the_csrf_token(tam, scored):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(tam)
    for path, data in [
        ("sentiment", {"color": "red", "reason": "x"}),
        ("confirm", {}),
        ("activity", {"date": "2026-11-20", "kind": "cadence", "status": "held"}),
    ]:
        assert csrf_client.post(f"/accounts/{scored.external_id}/{path}/", data).status_code == 403
    assert scored.sentiments.count() == 1 and scored.meetings.count() == 1


def test_every_form_on_the_tam_pages_carries_a_csrf_token(client, tam, scored):
    client.force_login(tam)
    for url in ("/my/", f"/accounts/{scored.external_id}/"):
        html = client.get(url).content.decode()
        # The GET forms (the header's search, a list's filters) change nothing and carry none.
        assert html.count('method="post"') == html.count("csrfmiddlewaretoken")


def test_writes_are_post_only(client, tam, scored):
    client.force_login(tam)
    assert client.get(f"/accounts/{scored.external_id}/sentiment/").status_code == 405


def test_a_score_of_zero_is_shown_as_zero_not_as_missing(client, tam, fixed_today):
    account = AccountFactory(tam=tam, name="Zero Co")
    SentimentFactory(account=account, color=Color.RED, date=fixed_today)
    TicketFactory.create_batch(16, account=account, opened=fixed_today)
    scoring.scores_recompute(as_of=fixed_today)
    account.refresh_from_db()
    assert account.health_score == 0
    client.force_login(tam)
    assert 'class="row-score">0.0<' in client.get("/my/").content.decode()
    assert 'class="score">0.0<' in client.get(f"/accounts/{account.external_id}/").content.decode()
    assert ">0.0</td>" in client.get("/accounts/").content.decode()


def test_account_list_shows_accounts_without_a_tam(client, manager):
    AccountFactory(name="Orphan Inc", tam=None)
    client.force_login(manager)
    html = client.get("/accounts/").content.decode()
    assert "Orphan Inc" in html


@pytest.mark.parametrize("role,target", [("tam", "/my/"), ("manager", "/dashboard/"), ("admin_user", "/dashboard/")])
def test_home_sends_each_role_to_its_page(client, request, role, target):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/").url == target


def test_the_account_page_and_its_forms_are_private(client, tam, fixed_today, settings):
    """The page shows meeting summaries to the account team: never cached, and an error report
    of its forms carries no summary."""
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, date=fixed_today)
    client.force_login(tam)
    page = client.get(f"/accounts/{account.external_id}/")
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    refused = client.post(f"/accounts/{account.external_id}/activity/", {"date": "2030-01-01", "summary": "x"})
    assert refused.status_code == 422 and "no-store" in refused["Cache-Control"]
    assert "no-store" in client.post(f"/accounts/{account.external_id}/confirm/", {})["Cache-Control"]


def test_an_error_while_logging_an_activity_mails_the_admins_no_summary(
    client, tam, fixed_today, settings, monkeypatch
):
    from django.core import mail

    settings.ADMINS = [("Ops", "ops@example.com")]
    account = AccountFactory(tam=tam)
    client.force_login(tam)
    client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scoring, "account_rescore", broken)
    data = {"date": "2026-11-20", "kind": "cadence", "status": "held", "summary": "okapi-secret-plans"}
    assert client.post(f"/accounts/{account.external_id}/activity/", data).status_code == 500
    assert mail.outbox, "Django mails the admins on a 500"
    assert all("okapi-secret-plans" not in m.body for m in mail.outbox)


def test_the_account_team_reads_its_account_without_a_role(client):
    """A SAL/AE or SA is emailed about the account; the link must open, for them only."""
    sal = UserFactory(username="sal-no-role")
    account = AccountFactory(sal=sal)
    other = AccountFactory()
    client.force_login(sal)
    assert client.get(f"/accounts/{account.external_id}/").status_code == 200
    assert client.get(f"/accounts/{other.external_id}/").status_code == 403
    assert client.get("/accounts/").status_code == 403  # the lists still need a role


def test_account_page_shows_the_sentiment_in_force_not_a_future_one(client, tam, fixed_today):
    """Behaviour change (one rule for "the sentiment in force"): the page named a future-dated
    entry as the current sentiment although the score used today's."""
    account = AccountFactory(tam=tam)
    SentimentFactory(account=account, color=Color.YELLOW, date=fixed_today, reason="Slow rollout")
    SentimentFactory(account=account, color=Color.RED, date=fixed_today + dt.timedelta(days=5), reason="Later")
    client.force_login(tam)
    html = client.get(f"/accounts/{account.external_id}/").content.decode()
    current = html.split('class="current-sentiment"', 1)[1].split("</p>", 1)[0]
    assert 'chip-yellow">Yellow<' in current and "Slow rollout" in current and "Later" not in current


def test_a_missing_color_is_called_unscored_everywhere(client, tam):
    """Behaviour change (one name for a missing color): the chip said "No score", the dashboard
    "Unscored" and the emails "not scored"; all now say Unscored."""
    account = AccountFactory(tam=tam, name="Never scored")
    client.force_login(tam)
    html = client.get("/accounts/").content.decode()
    row = html.split("Never scored", 1)[1].split("</tr>", 1)[0]
    assert 'chip-none">Unscored<' in row
    assert account.health_color is None
