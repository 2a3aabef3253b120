"""A first import of many accounts sets the accounts', snapshots' and outbox's non-unique
indexes aside for its transaction and builds them again at its end, with the tally's triggers
on SQLite and the foreign keys from and to those tables on PostgreSQL
(accounts.import_sections.accounts_load, healthscore.loads.sqlite_load and postgres_load): the
schema comes back exactly, the tally equals a fresh count, a failure rolls everything back, an
import into a table that already holds many accounts keeps its indexes, and on PostgreSQL a
reader holding the tables makes the import keep them rather than wait."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts import import_sections
from accounts.models import Account, HealthChange, HealthSnapshot, Meeting
from accounts.tests.factories import AccountFactory
from accounts.tests.test_tally import fresh_count, tally
from healthscore import loads
from imports import document

pytestmark = pytest.mark.django_db


def schema() -> list[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' UNION ALL "
                "SELECT 'key', conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' UNION ALL SELECT 'trigger', tgname, tgrelid::regclass::text, "
                "pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
            )
        return cursor.fetchall()


def lock_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        return cursor.fetchone()[0]


def set_aside(statements: list[str]) -> list[str]:
    """The statements that dropped an index, a trigger or a foreign key."""
    return [sql for sql in statements if sql.startswith("DROP ") or " DROP CONSTRAINT " in sql]


def export(n: int, first: int = 0) -> dict:
    ids = [f"0015f{i:08d}" for i in range(first, first + n)]
    return {
        "accounts": [
            {
                "id": pk,
                "name": f"Account {pk}",
                "segment": "enterprise" if i % 2 else "commercial",
                "arr": 60000 + i,
                "region": ["US-EAST", "EMEA", "APAC"][i % 3],
                "public_sector": i % 5 == 0,
                "tam": f"tam{i % 3}@example.com",
            }
            for i, pk in enumerate(ids)
        ],
        "meetings": [{"account": pk, "date": "2026-11-02"} for pk in ids[::2]],
        "sentiments": [
            {"account": pk, "color": "red", "date": "2026-11-20", "reason": "Churn risk"} for pk in ids[::3]
        ],
    }


def imported(doc: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        document.document_apply(document.document_parse(doc))
    return [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def load_from_4(monkeypatch):
    monkeypatch.setattr(import_sections, "LOAD_FROM", 4)


def test_a_first_import_rebuilds_the_same_schema_and_an_exact_tally(load_from_4, fixed_today):
    before = schema()
    statements = imported(export(12))
    dropped = set_aside(statements)
    # The accounts' health indexes, the snapshots' and the outbox's; unique ones stay.
    assert any("account_riskiest_first" in sql for sql in dropped)
    assert any("snapshot_date_color_account" in sql for sql in dropped)
    assert any("health_change_pending" in sql for sql in dropped)
    assert not any("one_snapshot_per_account_per_day" in sql for sql in dropped)
    if connection.vendor == "sqlite":
        assert any('"accounts_tally_update"' in sql for sql in dropped)  # the tally's triggers
    else:
        # The foreign keys that point at the accounts (meetings, sentiment, ...); not the
        # accounts' own keys to the users (that would lock the users' table for every page).
        # The tally's triggers work per statement and stay.
        assert any(sql.startswith("ALTER TABLE accounts_meeting DROP CONSTRAINT") for sql in dropped)
        assert any(sql.startswith("ALTER TABLE accounts_sentimententry DROP CONSTRAINT") for sql in dropped)
        assert not any(sql.startswith("ALTER TABLE accounts_account DROP CONSTRAINT") for sql in dropped)
        assert not any("tally" in sql for sql in dropped)
        # Put back, each key checked over its whole table.
        added = [sql for sql in statements if " ADD CONSTRAINT " in sql]
        assert len(added) == sum(" DROP CONSTRAINT " in sql for sql in dropped)
    assert schema() == before
    assert tally() == fresh_count()
    assert Account.objects.count() == 12
    assert Account.objects.filter(health_color__isnull=True).count() == 0
    assert HealthSnapshot.objects.filter(date=fixed_today).count() == 12
    assert HealthChange.objects.count() == 12  # each account's first color
    assert set(Account.objects.filter(sentiment_color="red").values_list("health_color", flat=True)) == {"red"}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchall() == [("ok",)]
    # The indexes and triggers are back at work: a later write moves the tally.
    account = Account.objects.filter(health_color="red").first()
    Account.objects.filter(pk=account.pk).update(health_color="green")
    assert tally() == fresh_count()


def test_a_failed_first_import_leaves_the_schema_and_the_data_as_they_were(load_from_4, fixed_today, monkeypatch):
    AccountFactory()
    before, accounts = schema(), list(Account.objects.values_list("pk", flat=True))

    def fail(**kwargs):
        raise RuntimeError("the rescore failed")

    monkeypatch.setattr(document, "accounts_rescore", fail)
    with pytest.raises(RuntimeError, match="the rescore failed"):
        imported(export(12))
    assert schema() == before
    assert list(Account.objects.values_list("pk", flat=True)) == accounts
    assert tally() == fresh_count()


def test_an_import_into_a_table_holding_many_accounts_keeps_its_indexes(load_from_4, fixed_today):
    imported(export(5))
    statements = imported(export(8, first=100))  # 8 accounts into a table of 5: more than half
    assert set_aside(statements) == []
    assert tally() == fresh_count()


def test_a_small_import_counts_nothing_and_drops_nothing(fixed_today):
    statements = imported(export(3))
    assert [sql for sql in statements if sql.startswith(("DROP ", "ALTER ", "SELECT COUNT(*) FROM"))] == []


def vendor_load():
    """The load of this database (each is a no-op on the other)."""
    return loads.sqlite_load if connection.vendor == "sqlite" else loads.postgres_load


@pytest.mark.django_db(transaction=True)
def test_setting_indexes_aside_outside_a_transaction_is_refused():
    # Outside a transaction each DROP would commit at once: readers would see a bare table.
    before = schema()
    with pytest.raises(RuntimeError, match="inside the caller's transaction"), vendor_load()([Account], rows=10):
        pass
    assert schema() == before


def test_a_failed_load_puts_the_indexes_back_even_if_the_caller_catches_and_commits():
    # Found in review: the load has a savepoint of its own, so a caller that catches the error
    # inside its transaction and goes on does not commit tables without their indexes.
    before = schema()
    with transaction.atomic():
        try:
            with vendor_load()([Account, HealthSnapshot, HealthChange], rows=100):
                assert len(schema()) < len(before)
                AccountFactory()
                raise ZeroDivisionError
        except ZeroDivisionError:
            pass
        assert schema() == before
    assert schema() == before
    assert not Account.objects.exists()  # the block's rows went with its savepoint


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: DDL locks the tables against readers")
@pytest.mark.django_db(transaction=True)
def test_a_first_import_keeps_the_indexes_rather_than_wait_for_a_reader(load_from_4, fixed_today, monkeypatch):
    # The drops would hold the tables until the import commits; a page reading them now (a
    # transaction on another connection) makes the import keep them, after a short wait only.
    monkeypatch.setattr(loads, "LOAD_LOCK_WAIT", "200ms")
    AccountFactory()
    before = schema()
    reading, done = threading.Event(), threading.Event()

    def reader():
        try:
            with transaction.atomic():
                assert Account.objects.count() == 1
                reading.set()
                done.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert reading.wait(10)
        statements = imported(export(12))
    finally:
        done.set()
        thread.join()
    assert set_aside(statements) == []
    assert schema() == before
    imported_accounts = Account.objects.filter(external_id__startswith="0015f")
    assert imported_accounts.filter(health_color__isnull=False).count() == 12  # scored as usual
    assert HealthSnapshot.objects.filter(date=fixed_today).count() == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: which tables a first load locks")
def test_a_first_load_leaves_the_users_table_free():
    # Found in review: dropping the accounts' own keys to the users locked auth_user (ACCESS
    # EXCLUSIVE: every page's session lookup) until the import committed.
    def locks() -> dict[str, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relation::regclass::text, mode FROM pg_locks WHERE locktype = 'relation' "
                "AND pid = pg_backend_pid() AND mode = 'AccessExclusiveLock'"
            )
            return dict(cursor.fetchall())

    with transaction.atomic():
        with loads.postgres_load([Account, HealthSnapshot, HealthChange], rows=100, writes=[Meeting]):
            held = locks()
            assert {"accounts_account", "accounts_meeting", "accounts_healthsnapshot"} <= set(held)
            # Found in review too: a table every page reads (the unread notifications) pointed at
            # the accounts; only tables the load writes are touched.
            assert not {"auth_user", "notifications_notification", "triage_cta"} & set(held)
            assert lock_timeout() == "0"  # the short wait was for taking the locks only
