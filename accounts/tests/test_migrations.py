"""An installation upgrading to the read model (accounts 0010) gets its new columns and the daily
color counts filled from what it has stored, without rescoring, and loses no row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from healthscore.tests.migrations import latest, migrate

BEFORE = [("accounts", "0009_text_fields_bounded")]
AFTER = [("accounts", "0010_read_model_for_the_pages")]
D = dt.date(2026, 11, 24)


@pytest.mark.django_db(transaction=True)
def test_the_read_model_is_filled_from_the_stored_rows():
    leaves = latest()
    try:
        old = migrate(BEFORE)
        Account = old.get_model("accounts", "Account")
        Meeting = old.get_model("accounts", "Meeting")
        Sentiment = old.get_model("accounts", "SentimentEntry")
        Snapshot = old.get_model("accounts", "HealthSnapshot")
        tam = User.objects.create(username="migrated-tam")

        def account(external_id, **fields):
            return Account.objects.create(
                external_id=external_id, name=external_id, segment="enterprise", region="EMEA", **fields
            )

        scored = account("SCORED", arr=Decimal("1000"), tam_id=tam.pk, health_color="red", scored_on=D)
        other = account("OTHER", arr=Decimal("500"), health_color="green", scored_on=D - dt.timedelta(days=1))
        never = account("NEVER", arr=Decimal("10"))
        Meeting.objects.create(account=scored, date=D - dt.timedelta(days=9), status="held")
        Meeting.objects.create(account=scored, date=D - dt.timedelta(days=2), status="cancelled")
        Meeting.objects.create(account=other, date=D, status="held")  # after OTHER's latest score
        Meeting.objects.create(account=never, date=D, status="held")
        Sentiment.objects.create(account=scored, color="red", reason="Budget cut", date=D - dt.timedelta(days=3))
        Sentiment.objects.create(account=scored, color="red", reason="ok", source="confirmation", date=D)
        Sentiment.objects.create(account=other, color="green", reason="", date=D - dt.timedelta(days=5))
        week_ago = D - dt.timedelta(days=7)
        for snapshot_account, day, color in [
            (scored, week_ago, "yellow"),
            (other, week_ago, "yellow"),
            (never, week_ago, None),
            (scored, D, "red"),
        ]:
            Snapshot.objects.create(account=snapshot_account, date=day, color=color)
        before = sorted(Account.objects.values_list("pk", "external_id", "health_color", "scored_on"))

        new = migrate(AFTER)
        Account = new.get_model("accounts", "Account")
        assert sorted(Account.objects.values_list("pk", "external_id", "health_color", "scored_on")) == before
        facts = {
            a[0]: a[1:]
            for a in Account.objects.values_list(
                "external_id", "last_meeting_on", "sentiment_color", "sentiment_reason"
            )
        }
        assert facts == {
            "SCORED": (D - dt.timedelta(days=9), "red", "Budget cut"),
            "OTHER": (None, "green", ""),  # the meeting came after its latest score
            "NEVER": (None, None, ""),  # never scored: the next run fills it
        }
        Count = new.get_model("accounts", "HealthDailyCount")
        counts = sorted(
            Count.objects.values_list("date", "tam", "health_color", "accounts", "arr"),
            key=lambda row: (row[0], row[2] or "", row[1] or 0),
        )
        assert counts == [
            (week_ago, None, None, 1, Decimal("10")),
            (week_ago, None, "yellow", 1, Decimal("500")),
            (week_ago, tam.pk, "yellow", 1, Decimal("1000")),
            (D, tam.pk, "red", 1, Decimal("1000")),
        ]
    finally:
        migrate(leaves)
