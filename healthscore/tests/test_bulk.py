"""healthscore.bulk: new rows from plain values, and COPY on PostgreSQL for large batches. The
COPY path must store exactly what the multi-row statements store, whatever the text holds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Color, HealthChange, HealthSnapshot
from accounts.scoring import services as scoring
from accounts.scoring import writes
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, TicketFactory
from healthscore import bulk
from imports.models import CsvMapping
from notes.models import SignalData

pytestmark = pytest.mark.django_db
D = dt.date(2026, 11, 24)
AWKWARD = "tab\there, line\nbreak, carriage\rreturn, back\\slash, \\N, quote ' \" and ünïcode ✓"
SHORT = "a\tb\nc\\N\r'\"✓"  # within a 20-character column


def test_copy_text_escapes_what_copy_would_misread():
    assert bulk.copy_text(None) == "\\N"
    assert (bulk.copy_text(True), bulk.copy_text(False)) == ("t", "f")
    assert bulk.copy_text("") == ""  # an empty text, not NULL
    assert bulk.copy_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert bulk.copy_text(Decimal("12.50")) == "12.50"
    assert bulk.copy_text(D) == "2026-11-24"


@pytest.fixture
def copy_everything(monkeypatch):
    monkeypatch.setattr(bulk, "COPY_FROM", 1)


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")


def _signal_rows(accounts):
    return [
        {
            "account_id": account.pk,
            "current_version": SHORT if i % 2 else "",
            "product_stages": ["create", AWKWARD, {"nested": [1, None, True]}],
            "licences_purchased": 10 * i,
        }
        for i, account in enumerate(accounts)
    ]


def _stored_signals():
    return sorted(
        SignalData.objects.values_list("account_id", "current_version", "product_stages", "licences_purchased")
    )


def test_rows_insert_through_copy_stores_what_the_statements_store(postgresql_only, monkeypatch):
    accounts = AccountFactory.create_batch(4)
    bulk.rows_insert(SignalData, _signal_rows(accounts))  # 4 rows: one multi-row INSERT
    by_statement = _stored_signals()
    SignalData.objects.all().delete()
    monkeypatch.setattr(bulk, "COPY_FROM", 1)
    bulk.rows_insert(SignalData, _signal_rows(accounts))
    assert _stored_signals() == by_statement
    assert by_statement[1][1] == SHORT and by_statement[0][1] == ""


def test_a_copy_is_one_statement_the_query_log_sees(postgresql_only, copy_everything, django_assert_num_queries):
    accounts = AccountFactory.create_batch(3)
    with django_assert_num_queries(1) as captured:
        bulk.rows_insert(SignalData, _signal_rows(accounts))
    assert captured.captured_queries[0]["sql"].startswith('COPY "notes_signaldata"')


def test_rows_insert_prepares_json_and_defaults(copy_everything):
    # JSON columns and an auto_now stamp, through COPY on PostgreSQL, statements on SQLite.
    bulk.rows_insert(CsvMapping, [{"source": "salesforce", "columns": {"Account ID": AWKWARD}}])
    mapping = CsvMapping.objects.get()
    assert (mapping.columns, mapping.values) == ({"Account ID": AWKWARD}, {})
    assert mapping.updated_at is not None


@pytest.mark.parametrize("copy_from", [bulk.COPY_FROM, 1], ids=["statements", "copy on postgresql"])
def test_ignore_conflicts_skips_rows_already_stored(copy_from, monkeypatch):
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    account = AccountFactory()
    row = {"account_id": account.pk, "old_color": "", "new_color": Color.RED, "as_of": D}
    bulk.rows_insert(HealthChange, [row])
    bulk.rows_insert(HealthChange, [row, {**row, "as_of": D + dt.timedelta(days=1)}], ignore_conflicts=True)
    assert sorted(HealthChange.objects.values_list("as_of", flat=True)) == [D, D + dt.timedelta(days=1)]


def _world(n):
    accounts = AccountFactory.create_batch(n, tam=None)
    for i, account in enumerate(accounts):
        MeetingFactory(account=account, date=D - dt.timedelta(days=3 + 40 * (i % 3)))
        TicketFactory(account=account, opened=D)
        SentimentFactory(account=account, date=D, color=(Color.GREEN, Color.YELLOW, Color.RED)[i % 3], reason=AWKWARD)
    return accounts


def _stored_health():
    accounts = sorted(Account.objects.values_list("pk", *writes.READ_MODEL))
    snapshots = sorted(HealthSnapshot.objects.values_list("account_id", "date", "score", "color", "measures", "inputs"))
    changes = sorted(HealthChange.objects.values_list("account_id", "old_color", "new_color", "as_of"))
    return accounts, snapshots, changes


def _forget_health():
    HealthSnapshot.objects.all().delete()
    HealthChange.objects.all().delete()
    Account.objects.update(
        health_color=None,
        health_score=None,
        health_date=None,
        scored_on=None,
        last_meeting_on=None,
        sentiment_color=None,
        sentiment_reason="",
        health_confidence=None,
        computed_color=None,
    )


def test_the_engine_through_copy_stores_what_its_statements_store(postgresql_only, monkeypatch):
    _world(9)
    scoring.scores_recompute(as_of=D - dt.timedelta(days=1), chunk_size=4)
    scoring.scores_recompute(as_of=D, chunk_size=4)  # a second day: inserts, updates, changes
    by_statement = _stored_health()
    _forget_health()
    monkeypatch.setattr(bulk, "COPY_FROM", 1)
    scoring.scores_recompute(as_of=D - dt.timedelta(days=1), chunk_size=4)
    with CaptureQueriesContext(connection) as second_day:
        scoring.scores_recompute(as_of=D, chunk_size=4)
    copies = [q["sql"].split()[1] for q in second_day.captured_queries if q["sql"].startswith("COPY")]
    # 3 chunks: their snapshots (a new day: straight into the table) and their changed accounts
    # (and the outbox rows of the chunks where a color changed, staged to skip conflicts).
    assert copies.count('"accounts_healthsnapshot"') == 3
    assert (copies.count('"hs_snapshots_staged"'), copies.count('"hs_health_staged"')) == (0, 3)
    assert _stored_health() == by_statement
    assert {row[7] for row in by_statement[0]} == {AWKWARD}
    # A re-run of the day through COPY is staged and rewrites nothing, as the statements' path.
    before = list(HealthSnapshot.objects.order_by("pk").values_list("pk", "computed_at"))
    with CaptureQueriesContext(connection) as rerun:
        scoring.scores_recompute(as_of=D, chunk_size=4)
    copies = [q["sql"].split()[1] for q in rerun.captured_queries if q["sql"].startswith("COPY")]
    assert (copies.count('"accounts_healthsnapshot"'), copies.count('"hs_snapshots_staged"')) == (0, 3)
    assert list(HealthSnapshot.objects.order_by("pk").values_list("pk", "computed_at")) == before


def test_a_day_partly_scored_already_is_upserted_where_it_was_and_copied_elsewhere(postgresql_only, monkeypatch):
    accounts = _world(9)
    scoring.scores_recompute(as_of=D - dt.timedelta(days=1), chunk_size=4)
    scoring.account_rescore(account=accounts[5], as_of=D)  # a save on D before the run
    scoring.scores_recompute(as_of=D, chunk_size=3)
    by_statement = _stored_health()
    _forget_health()
    monkeypatch.setattr(bulk, "COPY_FROM", 2)
    scoring.scores_recompute(as_of=D - dt.timedelta(days=1), chunk_size=4)
    scoring.account_rescore(account=accounts[5], as_of=D)
    with CaptureQueriesContext(connection) as run:
        scoring.scores_recompute(as_of=D, chunk_size=3)
    copies = [q["sql"].split()[1] for q in run.captured_queries if q["sql"].startswith("COPY")]
    # The chunk holding the account saved on D is upserted; the other two are copied.
    assert (copies.count('"accounts_healthsnapshot"'), copies.count('"hs_snapshots_staged"')) == (2, 1)
    assert _stored_health() == by_statement
    assert HealthSnapshot.objects.filter(date=D).count() == 9


def test_one_import_transaction_stages_many_chunks(postgresql_only, copy_everything):
    # Several chunks inside one transaction (an import rescoring what it touched): the staging
    # tables are emptied by each move, so no chunk stores another's rows twice.
    from django.db import transaction

    accounts = _world(7)
    with transaction.atomic():
        scoring.accounts_rescore(account_ids=[a.pk for a in accounts], as_of=D)
        scoring.scores_recompute(as_of=D + dt.timedelta(days=1), chunk_size=3)
    assert HealthSnapshot.objects.filter(date=D).count() == 7
    assert HealthSnapshot.objects.filter(date=D + dt.timedelta(days=1)).count() == 7


def test_copy_text_refuses_what_it_would_store_as_a_python_repr():
    for value in (b"bytes", ["a"], {"a": 1}):
        with pytest.raises(TypeError):
            bulk.copy_text(value)


@pytest.mark.django_db(transaction=True)
def test_staged_rows_are_moved_outside_a_transaction_too(postgresql_only, copy_everything):
    # In autocommit each statement would commit on its own, and ON COMMIT DELETE ROWS would empty
    # the staging table between the COPY and the move: the staged write is one transaction.
    account = AccountFactory()
    change = {"account_id": account.pk, "old_color": "", "new_color": Color.RED}
    rows = [{**change, "as_of": D + dt.timedelta(days=i)} for i in range(3)]
    bulk.rows_insert(HealthChange, rows, ignore_conflicts=True)
    assert HealthChange.objects.count() == 3


def test_many_staged_batches_in_one_transaction_leave_the_staging_table_empty(postgresql_only, copy_everything):
    from django.db import transaction

    accounts = _world(6)
    scoring.scores_recompute(as_of=D, chunk_size=2)  # a new day's snapshots are not staged
    with transaction.atomic():
        scoring.scores_recompute(as_of=D, chunk_size=2)  # a re-run's are
        with connection.cursor() as cursor:
            # Emptied by TRUNCATE: no rows, and no pages of deleted rows for the next chunk to scan.
            cursor.execute("SELECT count(*), pg_relation_size('hs_snapshots_staged') FROM hs_snapshots_staged")
            assert cursor.fetchone() == (0, 0)
    assert HealthSnapshot.objects.filter(date=D).count() == len(accounts)


def test_values_in_finds_what_the_orms_in_finds():
    accounts = AccountFactory.create_batch(4)
    wanted = [accounts[0].external_id, accounts[2].external_id, "not-stored", 'it\'s "odd"']
    found = Account.objects.filter(bulk.ValuesIn("external_id", wanted)).order_by("pk")
    assert list(found) == list(Account.objects.filter(external_id__in=wanted).order_by("pk"))
    assert [a.pk for a in found] == [accounts[0].pk, accounts[2].pk]
    # Combined with another filter that alone would match more, empty, in a subquery (its
    # column relabelled with the outer query's aliases), and in an OR.
    assert list(Account.objects.filter(bulk.ValuesIn("pk", [accounts[1].pk]), segment=accounts[1].segment)) == [
        accounts[1]
    ]
    assert list(Account.objects.filter(bulk.ValuesIn("external_id", []))) == []
    inner = Account.objects.filter(bulk.ValuesIn("external_id", wanted)).values("pk")
    assert sorted(Account.objects.filter(pk__in=inner).values_list("pk", flat=True)) == [accounts[0].pk, accounts[2].pk]
    either = Q(bulk.ValuesIn("pk", [accounts[3].pk])) | Q(pk=accounts[1].pk)
    assert sorted(Account.objects.filter(either).values_list("pk", flat=True)) == [accounts[1].pk, accounts[3].pk]
    assert Account.objects.exclude(bulk.ValuesIn("pk", [accounts[1].pk])).count() == 3


@pytest.mark.parametrize("copy_from", [bulk.COPY_FROM, 1], ids=["statements", "copy on postgresql"])
def test_rows_carrying_different_fields_each_keep_what_they_carry_and_default_the_rest(copy_from, monkeypatch):
    # rows_insert writes rows that carry the same fields alike: mixed rows must not borrow a
    # neighbour's column order, value or default.
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    rows = [
        {"external_id": "a", "name": "Alpha", "segment": "enterprise", "arr": "100.00", "region": "amer"},
        {
            "external_id": "b",
            "name": "Beta",
            "segment": "commercial",
            "arr": "5.00",
            "region": "emea",
            "onboarding": True,
        },
        {
            "external_id": "c",
            "name": "Gamma",
            "segment": "enterprise",
            "arr": "7.50",
            "region": "apac",
            "public_sector": True,
        },
        {"external_id": "d", "name": "Delta", "segment": "commercial", "arr": "1.00", "region": "amer"},
    ]
    bulk.rows_insert(Account, rows)
    stored = {
        a.external_id: (a.name, a.segment, a.arr, a.region, a.onboarding, a.public_sector, a.sentiment_reason)
        for a in Account.objects.all()
    }
    assert stored == {
        "a": ("Alpha", "enterprise", Decimal("100.00"), "amer", False, False, ""),
        "b": ("Beta", "commercial", Decimal("5.00"), "emea", True, False, ""),
        "c": ("Gamma", "enterprise", Decimal("7.50"), "apac", False, True, ""),
        "d": ("Delta", "commercial", Decimal("1.00"), "amer", False, False, ""),
    }
    assert Account.objects.filter(created_at__isnull=False, updated_at__isnull=False).count() == 4


def test_sqlite_placeholders_convert_as_djangos_cursor_does():
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from healthscore.sqlite import base

    for query in ["SELECT %s", "SELECT '%%s', %s, 100%%", "INSERT INTO t VALUES (%s, %s), (%s, %s)", "SELECT 1"]:
        assert base._qmark(query) == SQLiteCursorWrapper.convert_query(None, query)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s || '%%s'", ["a"])
            assert cursor.fetchone() == ("a%s",)
            assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)


@pytest.mark.parametrize(
    "row",
    [
        (1, "2026-11-24", None, "green", '{"a": "b"}', True, False, Decimal("1.50"), D),
        (2, AWKWARD, None, "", "plain"),
        (3, "no specials", "back\\slash only"),
        (4, None, None),
        (5, "tab\tonly", dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC)),
    ],
)
def test_copy_line_is_each_value_as_copy_text_puts_it(row):
    assert bulk.copy_line(row) == "\t".join(bulk.copy_text(value) for value in row) + "\n"


def test_copy_line_refuses_a_python_container():
    with pytest.raises(TypeError):
        bulk.copy_line((1, "text", {"a": 1}))
