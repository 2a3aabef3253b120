"""Access rules of the dashboard app's URLs, checked by healthscore/tests/test_access_matrix.py:
managers and admins only."""

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
]
