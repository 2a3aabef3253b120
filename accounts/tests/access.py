"""Access rules of the accounts app's URLs, checked by healthscore/tests/test_access_matrix.py.

One Rule per URL name: how to build its URL from the fixture world, the method, and the
expected status for each role. Apps keep their own file; the matrix test collects them all
and fails when a URL pattern has no rule.
"""

from healthscore.access import ALLOWED, FORBIDDEN, LOGIN, Rule

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

RULES += [
    Rule(
        "dashboard",
        lambda w: "/dashboard/",
        anonymous=LOGIN,
        tam=FORBIDDEN,
        manager=ALLOWED,
        admin=ALLOWED,
        no_role=FORBIDDEN,
    ),
    Rule(
        "dashboard_export",
        lambda w: "/dashboard/export.csv",
        anonymous=LOGIN,
        tam=FORBIDDEN,
        manager=ALLOWED,
        admin=ALLOWED,
        no_role=FORBIDDEN,
    ),
]
