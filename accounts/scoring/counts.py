"""The read model's counts after a full scoring run: the day's color counts (HealthDailyCount),
and the live tally (HealthTally, kept by triggers) checked against them and folded."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum

from accounts.models import Account, HealthDailyCount, HealthTally

logger = logging.getLogger(__name__)


def daily_counts_store(*, as_of: dt.date) -> int:
    """Store the day's color counts (HealthDailyCount) from the accounts' current health: one
    GROUP BY in one transaction, after a full run. Re-running the day replaces its rows; two runs
    at once take turns on a table lock (PostgreSQL; SQLite has one writer anyway), so a day never
    holds two sets of counts. The same GROUP BY checks the live tally (HealthTally) and rebuilds
    it should it ever have drifted. Returns how many count rows the day has."""
    table = HealthDailyCount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            # Writers of accounts wait for this short read, so the count and the tally agree.
            cursor.execute(f"LOCK TABLE {Account._meta.db_table} IN SHARE MODE")
        groups = _account_groups()
        HealthDailyCount.objects.filter(date=as_of).delete()
        HealthDailyCount.objects.bulk_create(
            [
                HealthDailyCount(
                    date=as_of,
                    region=region,
                    segment=segment,
                    tam=tam,
                    public_sector=public,
                    health_color=color,
                    accounts=n,
                    arr=total or 0,
                )
                for region, segment, tam, public, color, n, total in groups
            ],
            batch_size=2000,
        )
        _tally_settle(groups)
    return len(groups)


def _tally_settle(groups: list[tuple]) -> None:
    """Fold the tally's appended changes (HealthTally, kept by triggers, migration 0011) back into
    one row per group, from the fresh count the caller made under its lock. Should the sums have
    differed from that count, say so loudly: only a schema change that dropped the triggers
    (SQLite rebuilds a table to alter it) or a write around them could cause it."""
    cents = Decimal("0.01")
    fresh = _fresh(groups)
    summed = {
        tuple(row[:5]): (row[5], Decimal(row[6] or 0).quantize(cents))
        for row in HealthTally.objects.order_by()
        .values_list("region", "segment", "tam", "public_sector", "health_color")
        .annotate(n=Sum("accounts"), total=Sum("arr"))
        if row[5] or row[6]
    }
    if summed != fresh:
        differ = len(set(summed.items()) ^ set(fresh.items()))
        logger.error("The health tally differed from the accounts in %d groups; rebuilt from a fresh count.", differ)
    _tally_write(fresh)


def tally_rebuild() -> None:
    """The tally counted afresh from the accounts (one GROUP BY), for a load that wrote the
    accounts with its triggers set aside (healthscore.loads.sqlite_load), in its transaction."""
    _tally_write(_fresh(_account_groups()))


def _account_groups() -> list[tuple]:
    return list(
        Account.objects.order_by()
        .values_list("region", "segment", "tam", "public_sector", "health_color")
        .annotate(n=Count("*"), total=Sum("arr"))
    )


def _fresh(groups: list[tuple]) -> dict[tuple, tuple[int, Decimal]]:
    """The tally's sums per group (accounts, ARR to the cent) from _account_groups()."""
    cents = Decimal("0.01")
    return {
        (region, segment, tam, public, color): (n, Decimal(total or 0).quantize(cents))
        for region, segment, tam, public, color, n, total in groups
    }


def _tally_write(fresh: dict[tuple, tuple[int, Decimal]]) -> None:
    HealthTally.objects.all().delete()
    HealthTally.objects.bulk_create(
        [
            HealthTally(
                region=key[0],
                segment=key[1],
                tam=key[2],
                public_sector=key[3],
                health_color=key[4],
                accounts=n,
                arr=total,
            )
            for key, (n, total) in fresh.items()
        ],
        batch_size=2000,
    )
