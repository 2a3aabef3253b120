"""An installation upgrading past accounts 0017 (why each account has its color moves onto the
account) keeps every row, words each scored account's reasons from its scored_on snapshot as the
dashboard did until then, and keeps the tally's triggers (no rebuild of the accounts table)."""

import datetime as dt
from decimal import Decimal

import pytest

from healthscore.tests.migrations import latest, migrate

BEFORE = [("accounts", "0016_health_overrides")]
AFTER = [("accounts", "0017_health_reasons")]
D = dt.date(2026, 11, 24)
RED = {
    "engagement": {"color": "green", "detail": "5 days since last meeting"},
    "roi": {"color": "red", "detail": "No success plan"},
    "support": {"color": "yellow", "detail": "9 tickets opened"},
    "sentiment": {"color": "red", "detail": "Set to red on 2026-11-20"},
}

FIRST_TWO = "ROI red: No success plan\nSupport yellow: 9 tickets opened"


@pytest.mark.django_db(transaction=True)
def test_the_reasons_move_onto_the_account_from_its_scored_on_snapshot():
    leaves = latest()
    try:
        old = migrate(BEFORE)
        Account = old.get_model("accounts", "Account")
        Snapshot = old.get_model("accounts", "HealthSnapshot")

        def account(key, **fields):
            return Account.objects.create(
                external_id=key, name=key, segment="enterprise", region="EMEA", arr=Decimal("1000"), **fields
            )

        red = account("RED", health_color="red", scored_on=D)
        Snapshot.objects.create(
            account=red,
            date=D,
            color="red",
            measures=RED,
            inputs={"confidence_reasons": ["no ticket sync on record", "success plan not touched for 100 days"]},
        )
        Snapshot.objects.create(account=red, date=D - dt.timedelta(days=7), color="green", measures={})
        said = account("SAID", health_color="red", scored_on=D, sentiment_reason="Sponsor left\nBudget cut")
        Snapshot.objects.create(account=said, date=D, color="red", measures=RED, inputs={})
        account("NEW")  # never scored
        rows_before = sorted(Account.objects.values_list("pk", "external_id", "health_color", "scored_on"))
        tally_before = sorted(
            old.get_model("accounts", "HealthTally").objects.values_list("health_color", "accounts"), key=repr
        )

        new = migrate(AFTER)
        Account = new.get_model("accounts", "Account")
        assert sorted(Account.objects.values_list("pk", "external_id", "health_color", "scored_on")) == rows_before
        assert {a.external_id: (a.health_reasons, a.confidence_reasons) for a in Account.objects.all()} == {
            "RED": (
                f"{FIRST_TWO}\nTAM Sentiment red: Set to red on 2026-11-20",
                "no ticket sync on record\nsuccess plan not touched for 100 days",
            ),
            "SAID": (
                f"{FIRST_TWO}\nTAM Sentiment red: “Sponsor left Budget cut”",
                "",
            ),
            "NEW": (None, None),
        }
        # The tally's triggers survived: a new account is counted by the database itself.
        Account.objects.create(
            external_id="C", name="C", segment="enterprise", region="EMEA", arr=Decimal("5"), health_color="yellow"
        )
        tally_after = sorted(
            new.get_model("accounts", "HealthTally").objects.values_list("health_color", "accounts"), key=repr
        )
        assert len(tally_after) == len(tally_before) + 1 and ("yellow", 1) in tally_after
    finally:
        migrate(leaves)


def test_the_migration_words_reasons_as_the_rule_does():
    """The migration keeps its own copy of the wording (so a later change of the rule does not
    change what it writes); today both say the same."""
    import importlib

    from accounts.scoring import rules

    step = importlib.import_module("accounts.migrations.0017_health_reasons")
    for written in (None, "", "Sponsor left\nBudget cut"):
        for sentiment in (None, "green", "yellow", "red"):
            measures = {**RED, "sentiment": {"color": sentiment, "detail": "Set"}}
            triples = [(name, m["color"], m["detail"]) for name, m in measures.items()]
            assert step._reasons(measures, written) == rules.reasons_text(rules.health_reasons(triples, written))
