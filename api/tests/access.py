"""Access rules of the api app's URLs, checked by healthscore/tests/test_access_matrix.py (the
browser session; api/tests/test_views.py checks the same with tokens). Without a session or a
token the API answers 401; the pages answer with the login redirect."""

from healthscore.tests.access import ALLOWED, FORBIDDEN, LOGIN, Rule

UNAUTHENTICATED = 401
JSON = {"content_type": "application/json"}


def _account(path=""):
    return lambda w: f"/api/v1/accounts/{w.other_account.external_id}/{path}"


def _sentiments(w):
    return list(w.other_account.sentiments.values_list("pk", flat=True))


READS = [
    Rule("api_accounts", lambda w: "/api/v1/accounts/", anonymous=UNAUTHENTICATED),
    Rule("api_account", _account(), anonymous=UNAUTHENTICATED),
    Rule("api_account_scorecard", _account("scorecard/"), anonymous=UNAUTHENTICATED),
    Rule("api_account_history", _account("history/"), anonymous=UNAUTHENTICATED),
    Rule("api_account_triage", _account("triage/"), anonymous=UNAUTHENTICATED),
    Rule("api_account_ctas", _account("ctas/"), anonymous=UNAUTHENTICATED),
    Rule("api_dashboard", lambda w: "/api/v1/dashboard/", anonymous=UNAUTHENTICATED, tam=FORBIDDEN),
    Rule("api_account_renewal_outcomes", _account("renewal-outcomes/"), anonymous=UNAUTHENTICATED),
]

WRITES = [
    Rule(
        "api_account_sentiment",
        _account("sentiment/"),
        method="post",
        data=lambda w: {"color": "red", "reason": "Champion left"},
        extra=JSON,
        anonymous=UNAUTHENTICATED,
        tam=FORBIDDEN,  # another TAM's account
        manager=FORBIDDEN,
        admin=201,
        unchanged=_sentiments,
    ),
    Rule(
        "api_account_renewal_outcomes",
        _account("renewal-outcomes/"),
        method="post",
        data=lambda w: {"date": "2025-06-30", "outcome": "churned", "arr": 0},
        extra=JSON,
        anonymous=UNAUTHENTICATED,
        tam=FORBIDDEN,  # another TAM's account
        manager=201,
        admin=201,
        unchanged=lambda w: list(w.other_account.renewal_outcomes.values_list("pk", flat=True)),
    ),
    Rule(
        "api_bulk",
        lambda w: "/api/v1/bulk/",
        method="post",
        data=lambda w: {"tickets": [{"id": "ZD-X", "account": w.other_account.external_id, "opened": "2026-11-01"}]},
        extra=JSON,
        anonymous=UNAUTHENTICATED,
        tam=FORBIDDEN,
        manager=FORBIDDEN,
        unchanged=lambda w: list(w.other_account.tickets.values_list("pk", flat=True)),
    ),
]

# The API's description holds no data: public.
DOCS = [
    Rule(name, lambda w, p=path: p, anonymous=ALLOWED, no_role=ALLOWED)
    for name, path in [("api_schema", "/api/schema/"), ("api_docs", "/api/docs/"), ("api_redoc", "/api/redoc/")]
]

PAGES = [
    Rule("api_tokens", lambda w: "/api/tokens/", anonymous=LOGIN),
    Rule(
        "api_token_revoke",
        lambda w: "/api/tokens/999999/revoke/",
        method="post",
        anonymous=LOGIN,
        tam=404,  # not theirs (nobody's): its existence is not told
        manager=404,
        admin=404,
    ),
]

EXPORTS = [
    Rule("export_accounts", lambda w: "/api/exports/accounts.csv"),
    Rule("export_scorecards", lambda w: "/api/exports/scorecards.json"),
    Rule("export_history", lambda w: f"/api/exports/accounts/{w.other_account.external_id}/history.csv"),
]

RULES = [*READS, *WRITES, *DOCS, *PAGES, *EXPORTS]
