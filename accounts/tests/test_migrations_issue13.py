"""An installation upgrading past issue 13 (accounts 0014-0016: scorecard versions, confidence,
overrides) keeps every row, records its configuration in force as version 1, and keeps the
tally's triggers (SQLite would drop them if a migration rebuilt the accounts table)."""

import datetime as dt
from decimal import Decimal

import pytest

from healthscore.tests.migrations import latest, migrate

BEFORE = [("accounts", "0013_renewal_date_index")]
AFTER = [("accounts", "0016_health_overrides")]
D = dt.date(2026, 11, 24)


@pytest.mark.django_db(transaction=True)
def test_issue_13_migrations_keep_the_rows_and_version_the_configuration_in_force():
    leaves = latest()
    try:
        old = migrate(BEFORE)
        Account = old.get_model("accounts", "Account")
        Config = old.get_model("accounts", "ScorecardConfig")
        Snapshot = old.get_model("accounts", "HealthSnapshot")
        # An earlier transactional test may have flushed the configurations the data migrations
        # made: the installation here has both segments configured, Enterprise changed by an admin.
        for segment in ("enterprise", "commercial"):
            Config.objects.get_or_create(segment=segment)
        Config.objects.filter(segment="enterprise").update(green_min_score=80, weight_sentiment=70, weight_support=10)
        a = Account.objects.create(
            external_id="A", name="A", segment="enterprise", region="EMEA", arr=Decimal("1000"), health_color="red"
        )
        Account.objects.create(
            external_id="B", name="B", segment="commercial", region="APAC", arr=Decimal("50"), health_color="green"
        )
        Snapshot.objects.create(account=a, date=D, color="red", score=Decimal("20.0"))
        accounts_before = sorted(Account.objects.values_list("pk", "external_id", "health_color", "arr"))
        configs_before = sorted(Config.objects.values_list("segment", "green_min_score", "weight_sentiment"))
        tally_before = sorted(old.get_model("accounts", "HealthTally").objects.values_list("health_color", "accounts"))

        new = migrate(AFTER)
        Account = new.get_model("accounts", "Account")
        Config = new.get_model("accounts", "ScorecardConfig")
        assert sorted(Account.objects.values_list("pk", "external_id", "health_color", "arr")) == accounts_before
        assert sorted(Config.objects.values_list("segment", "green_min_score", "weight_sentiment")) == configs_before
        # Version 1 is the configuration in force, one per configured segment.
        Version = new.get_model("accounts", "ScorecardVersion")
        versions = {v.segment: v for v in Version.objects.all()}
        assert set(versions) == {"enterprise", "commercial"}
        assert {v.number for v in versions.values()} == {1}
        assert versions["enterprise"].values["green_min_score"] == 80
        assert versions["enterprise"].values["weight_sentiment"] == 70
        # Stored snapshots predate versions; no override is in force, so the computed color is
        # the stored one; confidence waits for the next scoring run.
        assert new.get_model("accounts", "HealthSnapshot").objects.get().config_version_id is None
        assert sorted(
            Account.objects.values_list("external_id", "health_confidence", "computed_color", "override_until")
        ) == [
            ("A", None, "red", None),
            ("B", None, "green", None),
        ]
        # The tally's triggers survived: a new account is counted by the database itself.
        Tally = new.get_model("accounts", "HealthTally")
        Account.objects.create(
            external_id="C", name="C", segment="enterprise", region="EMEA", arr=Decimal("5"), health_color="red"
        )
        tally_after = sorted(Tally.objects.values_list("health_color", "accounts"))
        assert len(tally_after) == len(tally_before) + 1 and ("red", 1) in tally_after
    finally:
        migrate(leaves)
    # Back on the current schema: the engine names version 1 as the rules in force, and the
    # triggers still keep the tally (the way back and forth rebuilt no accounts table).
    from accounts.models import Account as CurrentAccount
    from accounts.models import HealthTally
    from accounts.scoring import inputs

    assert inputs.rules_by_segment().versions["enterprise"] is not None
    HealthTally.objects.all().delete()
    CurrentAccount.objects.create(
        external_id="D", name="D", segment="commercial", region="APAC", arr=Decimal("7"), health_color="yellow"
    )
    assert list(HealthTally.objects.values_list("health_color", "accounts", "arr")) == [("yellow", 1, Decimal("7"))]
