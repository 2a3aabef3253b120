"""An installation upgrading past accounts 0018 loses only the snapshots' redundant index on the
account (the unique (account, date) index serves those lookups): every snapshot stays, and
migrating back brings the index again."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from healthscore.tests.migrations import latest, migrate

BEFORE = [("accounts", "0017_health_reasons")]
AFTER = [("accounts", "0018_snapshot_account_index")]
D = dt.date(2026, 11, 24)
TABLE = "accounts_healthsnapshot"


def indexes():
    """Each index and unique constraint of the snapshot table as (its columns, unique)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    kept = [i for i in found.values() if (i["index"] or i["unique"]) and not i["primary_key"]]
    return sorted((tuple(i["columns"]), i["unique"]) for i in kept)


@pytest.mark.django_db(transaction=True)
def test_the_account_index_goes_and_comes_back_and_every_snapshot_stays():
    leaves = latest()
    try:
        old = migrate(BEFORE)
        Account = old.get_model("accounts", "Account")
        Snapshot = old.get_model("accounts", "HealthSnapshot")
        for key in ("A", "B"):
            account = Account.objects.create(
                external_id=key, name=key, segment="enterprise", region="EMEA", arr=Decimal("1000")
            )
            for weeks in range(3):
                Snapshot.objects.create(
                    account=account, date=D - dt.timedelta(weeks=weeks), color="green", measures={"k": weeks}
                )
        rows = sorted(Snapshot.objects.values_list("pk", "account_id", "date", "color", "measures"))
        before = indexes()
        assert (("account_id",), False) in before
        assert (("account_id", "date"), True) in before

        new = migrate(AFTER)
        after = indexes()
        assert after == [i for i in before if i != (("account_id",), False)]
        Snapshot = new.get_model("accounts", "HealthSnapshot")
        assert sorted(Snapshot.objects.values_list("pk", "account_id", "date", "color", "measures")) == rows
        account_a = new.get_model("accounts", "Account").objects.get(external_id="A")
        assert Snapshot.objects.filter(account=account_a).count() == 3

        migrate(BEFORE)
        assert indexes() == before
    finally:
        migrate(leaves)
