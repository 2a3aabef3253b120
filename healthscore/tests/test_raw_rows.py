"""csv_download.raw_rows on PostgreSQL: a server-side cursor, unless the settings say a pooler
in transaction mode sits in between (DISABLE_SERVER_SIDE_CURSORS), as QuerySet.iterator() does."""

import pytest
from django.db import connection

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from healthscore import csv_download

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors: PostgreSQL")


def open_cursors() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, is_holdable FROM pg_cursors")
        return cursor.fetchall()


@pytest.mark.django_db
def test_raw_rows_uses_no_server_side_cursor_when_disabled(monkeypatch):
    AccountFactory.create_batch(3)
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    rows = csv_download.raw_rows(Account.objects.order_by("pk").values_list("pk", "name"))
    first = next(rows)
    assert open_cursors() == []  # a pooler in transaction mode would lose a declared cursor
    assert len([first, *rows]) == 3


@pytest.mark.django_db(transaction=True)
def test_raw_rows_streams_through_a_held_cursor_in_autocommit_and_closes_it():
    AccountFactory.create_batch(3)
    rows = csv_download.raw_rows(Account.objects.order_by("pk").values_list("pk", "name"))
    first = next(rows)
    assert [holdable for _, holdable in open_cursors()] == [True]
    assert len([first, *rows]) == 3
    assert open_cursors() == []
