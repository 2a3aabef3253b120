"""Access rules of the quality app's URLs, checked by healthscore/tests/test_access_matrix.py:
the page is for managers and admins; the account's TAM, managers and admins record outcomes
(the world's `other_account` is another TAM's)."""

from healthscore.tests.access import FORBIDDEN, Rule


def _outcomes(w):
    return list(w.other_account.renewal_outcomes.values_list("pk", "outcome"))


RULES = [
    Rule("quality:page", lambda w: "/quality/", tam=FORBIDDEN),
    Rule(
        "quality:outcome_record",
        lambda w: f"/quality/accounts/{w.other_account.external_id}/outcomes/",
        method="post",
        data=lambda w: {"date": "2025-06-30", "outcome": "renewed", "arr": "1000"},
        tam=FORBIDDEN,
        manager=302,
        admin=302,
        unchanged=_outcomes,
    ),
]
