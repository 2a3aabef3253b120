"""Access rules of the dashboard app's URLs, checked by healthscore/tests/test_access_matrix.py:
the dashboard for managers and admins only; Renewals for every role (a TAM sees their own)."""

from healthscore.tests.access import ALLOWED, FORBIDDEN, LOGIN, Rule

RULES = [
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
    Rule("renewals", lambda w: "/dashboard/renewals/?within=30", anonymous=LOGIN, no_role=FORBIDDEN),
    Rule("renewals_export", lambda w: "/dashboard/renewals/export.csv", anonymous=LOGIN, no_role=FORBIDDEN),
]
