"""The live tally of accounts per region, segment, TAM, public sector and color (HealthTally) is
kept by the database: whatever path writes an account, it equals a fresh count."""

import datetime as dt
import logging
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum

from accounts.models import Account, Color, HealthTally, Region, Segment
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, SentimentFactory, UserFactory

D = dt.date(2026, 11, 24)


def fresh_count() -> dict:
    return {
        (region, segment, tam or 0, public, color or ""): (n, Decimal(total).quantize(Decimal("0.01")))
        for region, segment, tam, public, color, n, total in Account.objects.order_by()
        .values_list("region", "segment", "tam", "public_sector", "health_color")
        .annotate(n=Count("*"), total=Sum("arr"))
    }


def tally() -> dict:
    """The tally's sums per group (its rows are a base per group plus appended changes)."""
    return {
        (*row[:2], row[2] or 0, row[3], row[4] or ""): (row[5], Decimal(row[6]).quantize(Decimal("0.01")))
        for row in HealthTally.objects.order_by()
        .values_list("region", "segment", "tam", "public_sector", "health_color")
        .annotate(n=Sum("accounts"), total=Sum("arr"))
        if row[5] or row[6]
    }


def assert_exact():
    assert tally() == fresh_count()


@pytest.mark.django_db
def test_every_write_path_keeps_the_tally_exact():
    tam, other = UserFactory(), UserFactory()
    a = AccountFactory(tam=tam, region=Region.EMEA, arr=Decimal("1000.10"), health_color=Color.RED)
    b = AccountFactory(tam=None, region=Region.APAC, arr=Decimal("20.00"))
    assert tally()[(Region.APAC, b.segment, 0, b.public_sector, "")] == (1, Decimal("20.00"))
    assert_exact()
    # save(): a new TAM, region, segment, ARR and color all at once
    a.tam, a.region, a.segment, a.arr, a.health_color = other, Region.LATAM, Segment.COMMERCIAL, 5, Color.GREEN
    a.save()
    assert_exact()
    # a queryset update, a bulk create, a bulk update
    Account.objects.filter(pk=b.pk).update(public_sector=True, health_color=Color.YELLOW)
    assert_exact()
    created = Account.objects.bulk_create(
        [
            Account(external_id=f"BULK-{n}", name=f"Bulk {n}", segment=Segment.ENTERPRISE, region=Region.EMEA, arr=n)
            for n in range(5)
        ]
    )
    assert_exact()
    for account in created:
        account.health_color = Color.RED
    Account.objects.bulk_update(created, ["health_color"])
    assert_exact()
    # raw SQL, around the ORM
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_account SET region = %s WHERE external_id LIKE %s", [Region.US_WEST, "BULK-%"])
    assert_exact()
    # the scoring engine's bulk write
    SentimentFactory(account=b, color=Color.GREEN, date=D)
    scoring.scores_recompute(as_of=D)
    assert_exact()
    # a user deleted (the TAM is set null), an account and a queryset deleted
    other.delete()
    assert_exact()
    b.delete()
    Account.objects.filter(external_id__startswith="BULK-").delete()
    assert_exact()
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_emptying_the_tally_before_the_accounts_leaves_nothing_stray():
    """Django's flush empties tables in no set order; with no account left, no tally is left."""
    AccountFactory.create_batch(3, health_color=Color.RED)
    HealthTally.objects.all().delete()
    Account.objects.all().delete()
    assert tally() == {} == fresh_count()


@pytest.mark.django_db
def test_a_writer_that_is_rolled_back_leaves_the_tally_alone():
    account = AccountFactory(health_color=Color.GREEN)
    before = tally()
    with pytest.raises(RuntimeError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(health_color=Color.RED)
        raise RuntimeError
    assert tally() == before
    assert_exact()


@pytest.mark.django_db
def test_a_drifted_tally_is_rebuilt_by_the_daily_count_and_says_so(caplog):
    AccountFactory.create_batch(3, health_color=Color.GREEN)
    HealthTally.objects.update(accounts=99)  # as if a schema change had dropped the triggers
    with caplog.at_level(logging.ERROR, logger="accounts.scoring.services"):
        scoring.daily_counts_store(as_of=D)
    assert "health tally differed from the accounts in" in caplog.text
    assert_exact()
    assert HealthTally.objects.count() == len(fresh_count())  # folded: one row per group
    caplog.clear()
    scoring.daily_counts_store(as_of=D)  # nothing to rebuild now
    assert "differed" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_tally_exact_and_never_deadlock():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; row locks need PostgreSQL")
    tams = UserFactory.create_batch(3)
    ids = [AccountFactory(tam=random.choice(tams), health_color=Color.GREEN).pk for _ in range(40)]
    start = threading.Barrier(4)
    errors = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(25):
                with transaction.atomic():
                    chosen = rng.sample(ids, rng.randint(2, 8))
                    # As every writer of accounts does: lock the rows first, in id order.
                    list(Account.objects.select_for_update().filter(pk__in=chosen).order_by("pk").values("pk"))
                    # Then several statements, each moving several groups, in any order: the
                    # tally appends rows, so no writer waits for another on it.
                    Account.objects.filter(pk__in=chosen[1:]).update(health_color=rng.choice(list(Color.values)))
                    Account.objects.filter(pk=chosen[0]).update(
                        region=rng.choice(list(Region.values)), tam=rng.choice(tams)
                    )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert_exact()
