"""The dashboard's reasons move onto the account (the read model): two columns, filled from each
account's scored_on snapshot as the dashboard worded them until now."""

import django.core.validators
from django.db import migrations, models
from django.db.models import F

# The wording as of this migration (accounts.scoring.rules.health_reasons), frozen here so a
# later change of the rule does not change what this step writes.
LABELS = {"engagement": "Engagement", "roi": "ROI", "support": "Support", "sentiment": "TAM Sentiment"}
CHUNK = 2000


def _reason(name, measure):
    color = (measure or {}).get("color")
    return f"{LABELS[name]} {color}: {measure.get('detail') or ''}" if color in ("yellow", "red") else None


def _reasons(measures, written):
    measures = measures or {}
    reasons = [r for name in ("engagement", "roi", "support") if (r := _reason(name, measures.get(name)))]
    sentiment = measures.get("sentiment") or {}
    if written:
        reasons.append(
            f"{LABELS['sentiment']} {sentiment.get('color') or 'not set'}: “{' '.join(written.splitlines())}”"
        )
    elif reason := _reason("sentiment", sentiment):
        reasons.append(reason)
    return "\n".join(reasons)


def fill(apps, schema_editor):
    """Chunk by chunk: the accounts' ids and TAM reasons, their scored_on snapshots, then one
    UPDATE (PostgreSQL: from a VALUES list; SQLite: an executemany). A bulk_update's CASE per
    column took a minute at 100,000 accounts; this takes seconds."""
    Account = apps.get_model("accounts", "Account")
    HealthSnapshot = apps.get_model("accounts", "HealthSnapshot")
    table = schema_editor.quote_name(Account._meta.db_table)
    last = 0
    while True:
        accounts = list(
            Account.objects.filter(pk__gt=last, scored_on__isnull=False)
            .order_by("pk")
            .values_list("pk", "sentiment_reason")[:CHUNK]
        )
        if not accounts:
            return
        last = accounts[-1][0]
        latest = {
            pk: (measures, record)
            for pk, measures, record in HealthSnapshot.objects.filter(
                account_id__in=[pk for pk, _ in accounts], date=F("account__scored_on")
            ).values_list("account_id", "measures", "inputs")
        }
        rows = []
        for pk, written in accounts:
            measures, record = latest.get(pk, (None, None))
            unfresh = "\n".join((record or {}).get("confidence_reasons") or ())
            rows.append((_reasons(measures, written), unfresh, pk))
        with schema_editor.connection.cursor() as cursor:
            if schema_editor.connection.vendor == "postgresql":  # one statement, not one round trip per row
                cursor.execute(
                    f"UPDATE {table} AS a SET health_reasons = v.r, confidence_reasons = v.c "
                    f"FROM (VALUES {', '.join(['(%s, %s, %s::bigint)'] * len(rows))}) AS v(r, c, id) WHERE a.id = v.id",
                    [value for row in rows for value in row],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET health_reasons = %s, confidence_reasons = %s WHERE id = %s", rows
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_health_overrides"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="confidence_reasons",
            field=models.TextField(
                blank=True, max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000)]
            ),
        ),
        migrations.AddField(
            model_name="account",
            name="health_reasons",
            field=models.TextField(
                blank=True, max_length=10000, null=True, validators=[django.core.validators.MaxLengthValidator(10000)]
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
