"""Access rules of the accounts app's URLs, checked by healthscore/tests/test_access_matrix.py.

One Rule per URL name: how to build its URL from the fixture world, the method, and the
expected status for each role. Apps keep their own file; the matrix test collects them all
and fails when a URL pattern has no rule.
"""

from healthscore.tests.access import ALLOWED, FORBIDDEN, LOGIN, Rule

RULES = [
    Rule("home", lambda w: "/", anonymous=LOGIN, tam=302, manager=302, admin=302, no_role=302),
    Rule(
        "account_list",
        lambda w: "/accounts/",
        anonymous=LOGIN,
        tam=ALLOWED,
        manager=ALLOWED,
        admin=ALLOWED,
        no_role=FORBIDDEN,
    ),
    Rule(
        "account_detail",
        lambda w: f"/accounts/{w.other_account.external_id}/",
        anonymous=LOGIN,
        tam=ALLOWED,
        manager=ALLOWED,
        admin=ALLOWED,
        no_role=FORBIDDEN,
    ),
]

# --- The TAM's pages and writes --------------------------------------------------------


def _health_state(account):
    """Everything a refused health write must leave alone."""

    def read(w):
        account.refresh_from_db()
        return (
            list(account.sentiments.values_list("pk", flat=True)),
            list(account.meetings.values_list("pk", flat=True)),
            list(account.snapshots.values_list("pk", flat=True)),
            (account.health_color, account.health_score, account.health_date),
        )

    return read


def _other(w):
    return _health_state(w.other_account)(w)


def _own(w):
    return _health_state(w.own_account)(w)


def _sentiment_data(w):
    return {"color": "red", "reason": "Champion left", "origin": "account"}


def _activity_data(w):
    return {
        "date": "2020-01-02",
        "kind": "cadence",
        "status": "held",
        "attendees": "Jo",
        "summary": "Talked",
        "sentiment_color": "yellow",
        "sentiment_reason": "Adoption stalled",
    }


def _confirm_setup(account):
    """Confirming needs a sentiment to confirm: give the account one first."""
    from accounts.tests.factories import SentimentFactory

    if not account.sentiments.exists():
        SentimentFactory(account=account)
    return account.external_id


# Writes are checked twice: on another TAM's account (a TAM is refused, nothing changes) and on
# the TAM's own account (a TAM may, a manager may not, nothing changes when refused).
WRITES = [
    ("account_sentiment", "sentiment", _sentiment_data),
    ("account_health_confirm", "confirm", lambda w: {"origin": "account"}),
    ("account_activity", "activity", _activity_data),
]

RULES += [
    # The preview before saving a sentiment: read-only, for whoever may change the account.
    Rule(
        "account_sentiment_preview",
        lambda w: f"/accounts/{w.other_account.external_id}/preview/?source=sentiment&color=red",
        anonymous=LOGIN,
        tam=FORBIDDEN,
        manager=FORBIDDEN,
        admin=ALLOWED,
        no_role=FORBIDDEN,
    ),
    Rule("my_accounts", lambda w: "/my/", anonymous=LOGIN, tam=ALLOWED, manager=ALLOWED, admin=ALLOWED),
    Rule("account_list_export", lambda w: "/accounts/export.csv?q=acme", anonymous=LOGIN, no_role=FORBIDDEN),
    # The header's search: anyone signed in (it lists only the accounts the user may open; a
    # user without a role finds their own account team's).
    Rule("account_search", lambda w: "/search/?q=zzz-no-match", anonymous=LOGIN, no_role=ALLOWED),
]
for name, path, data in WRITES:
    RULES += [
        Rule(
            name,
            lambda w, path=path: f"/accounts/{_confirm_setup(w.other_account)}/{path}/",
            method="post",
            data=data,
            unchanged=_other,
            anonymous=LOGIN,
            tam=FORBIDDEN,
            manager=FORBIDDEN,
            admin=302,
            no_role=FORBIDDEN,
        ),
        Rule(
            name,
            lambda w, path=path: f"/accounts/{_confirm_setup(w.own_account)}/{path}/",
            method="post",
            data=data,
            unchanged=_own,
            anonymous=LOGIN,
            tam=302,
            manager=FORBIDDEN,
            admin=302,
            no_role=FORBIDDEN,
        ),
    ]


# --- Overrides of the overall color ------------------------------------------------------


def _override_data(w):
    import datetime as dt

    from healthscore import clock

    return {
        "color": "red",
        "reason": "Champion left",
        "expires_on": (clock.today() + dt.timedelta(days=10)).isoformat(),
    }


def _overrides_of(account):
    def read(w):
        return list(account.overrides.values_list("pk", "status"))

    return read


def _requested(account):
    """A pending request by the account's TAM, to approve (the URL of the decision on it)."""
    import datetime as dt

    from accounts.models import HealthOverride
    from healthscore import clock

    today = clock.today()
    request = HealthOverride.objects.create(
        account=account,
        color="yellow",
        reason="Budget cut",
        starts_on=today,
        expires_on=today + dt.timedelta(days=5),
        requested_by=account.tam,
    )
    return f"/accounts/{account.external_id}/override/{request.pk}/approve/"


RULES += [
    # Managers and admins set overrides on any account; a TAM only requests, on their own.
    Rule(
        "account_override",
        lambda w: f"/accounts/{w.other_account.external_id}/override/",
        method="post",
        data=_override_data,
        unchanged=lambda w: _overrides_of(w.other_account)(w),
        anonymous=LOGIN,
        tam=FORBIDDEN,
        manager=302,
        admin=302,
        no_role=FORBIDDEN,
    ),
    Rule(
        "account_override",
        lambda w: f"/accounts/{w.own_account.external_id}/override/",
        method="post",
        data=_override_data,
        unchanged=lambda w: _overrides_of(w.own_account)(w),
        anonymous=LOGIN,
        tam=302,
        manager=302,
        admin=302,
        no_role=FORBIDDEN,
    ),
    # Approving (rejecting, cancelling) is a manager's: not even the account's own TAM.
    Rule(
        "account_override_decide",
        lambda w: _requested(w.own_account),
        method="post",
        data=lambda w: {},
        unchanged=lambda w: _overrides_of(w.own_account)(w),
        anonymous=LOGIN,
        tam=FORBIDDEN,
        manager=302,
        admin=302,
        no_role=FORBIDDEN,
    ),
]
