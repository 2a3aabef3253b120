"""The snapshots' own index on account_id goes: the unique (account, date) index leads with the
account and serves every lookup by account, and the second index cost every daily write (one
more B-tree insert per account and day, at a random place).

Dropped by name as the database reports it, not by altering the field: SQLite would rebuild the
whole snapshot table (every account's every day) for an index change."""

from django.db import migrations, models
import django.db.models.deletion

COLUMN = "account_id"


def _account_indexes(schema_editor, model):
    """Names of the plain (non-unique) indexes on exactly the account column."""
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    return sorted(
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [COLUMN]
    )


def index_drop(apps, schema_editor):
    model = apps.get_model("accounts", "HealthSnapshot")
    for name in _account_indexes(schema_editor, model):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def index_create(apps, schema_editor):
    model = apps.get_model("accounts", "HealthSnapshot")
    if not _account_indexes(schema_editor, model):
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field("account")]))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0017_health_reasons"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="healthsnapshot",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="snapshots",
                        to="accounts.account",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(index_drop, index_create)],
        ),
    ]
