"""The color-change outbox (HealthChange) moves from triage to accounts, with its rows: the
state is created here over the existing table, which is then renamed to accounts_healthchange
(notifications' foreign keys to it follow the rename)."""

import django.db.models.deletion
from django.db import migrations, models

from accounts.migration_operations import content_type_mover

COLORS = [("green", "Green"), ("yellow", "Yellow"), ("red", "Red")]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_signal_data_moved_to_notes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("triage", "0002_roles_notifications_and_outbox_leave_triage"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HealthChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("old_color", models.CharField(blank=True, choices=COLORS, max_length=10)),
                        ("new_color", models.CharField(blank=True, choices=COLORS, max_length=10)),
                        ("as_of", models.DateField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("processed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="health_changes",
                                to="accounts.account",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["created_at", "pk"],
                        "db_table": "triage_healthchange",
                        "indexes": [
                            models.Index(
                                condition=models.Q(("processed_at__isnull", True)),
                                fields=["created_at"],
                                name="health_change_pending",
                            ),
                            models.Index(fields=["account", "new_color", "as_of"], name="health_change_since"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("account", "as_of", "old_color", "new_color"),
                                name="one_change_per_account_day_and_colors",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="healthchange", table=None),
        migrations.RunPython(*content_type_mover(model="healthchange", old_app="triage", new_app="accounts")),
    ]
