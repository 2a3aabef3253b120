"""RoleAssignment and Notification move from triage to this app, with their rows: the state is
created here over the existing tables, which are then renamed to notifications_*. The foreign
key to the outbox now points at accounts.HealthChange (the same table, renamed by accounts 0005)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.migration_operations import content_type_mover

COLORS = [("green", "Green"), ("yellow", "Yellow"), ("red", "Red")]
REGIONAL_ROLES = ("regional_tam_manager", "area_sales_manager", "regional_director")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0006_healthchange_moves_from_triage"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("triage", "0002_roles_notifications_and_outbox_leave_triage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RoleAssignment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("regional_tam_manager", "Regional TAM Manager"),
                                    ("tam_director", "TAM Director"),
                                    ("director_cs_public_sector", "Director of Customer Success Public Sector"),
                                    ("area_sales_manager", "Area Sales Manager"),
                                    ("regional_director", "Regional Director"),
                                    ("vp_customer_success", "Vice President of Customer Success"),
                                ],
                                max_length=40,
                            ),
                        ),
                        (
                            "region",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("US-WEST", "US-WEST"),
                                    ("US-EAST", "US-EAST"),
                                    ("EMEA", "EMEA"),
                                    ("APAC", "APAC"),
                                    ("LATAM", "LATAM"),
                                ],
                                help_text=(
                                    "Required for Regional TAM Manager, Area Sales Manager and Regional Director; "
                                    "empty otherwise."
                                ),
                                max_length=10,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notify_roles",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["role", "region", "user__username"],
                        "db_table": "triage_roleassignment",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("role", "region", "user"), name="one_assignment_per_role_region_user"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("role__in", REGIONAL_ROLES), models.Q(("region", ""), _negated=True)),
                                    models.Q(models.Q(("role__in", REGIONAL_ROLES), _negated=True), ("region", "")),
                                    _connector="OR",
                                ),
                                name="region_only_for_regional_roles",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("old_color", models.CharField(blank=True, choices=COLORS, max_length=10)),
                        ("new_color", models.CharField(choices=COLORS, max_length=10)),
                        (
                            "roles",
                            models.CharField(help_text="Why this person is told, e.g. 'SAL / AE'.", max_length=300),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "email_status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("sent", "Sent"),
                                    ("no_address", "No email address"),
                                    ("failed", "Failed (gave up)"),
                                ],
                                default="pending",
                                max_length=12,
                            ),
                        ),
                        ("emailed_at", models.DateTimeField(blank=True, null=True)),
                        ("email_attempts", models.PositiveSmallIntegerField(default=0)),
                        ("email_error", models.TextField(blank=True)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="accounts.account",
                            ),
                        ),
                        (
                            "change",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="accounts.healthchange",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-pk"],
                        "db_table": "triage_notification",
                        "indexes": [
                            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
                            models.Index(
                                condition=models.Q(("email_status", "pending")),
                                fields=["created_at"],
                                name="notification_email_pending",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("change", "recipient"), name="one_notification_per_change_and_recipient"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("email_status", "sent"), _negated=True),
                                    ("emailed_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="sent_notification_has_a_time",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="roleassignment", table=None),
        migrations.AlterModelTable(name="notification", table=None),
        migrations.RunPython(*content_type_mover(model="roleassignment", old_app="triage", new_app="notifications")),
        migrations.RunPython(*content_type_mover(model="notification", old_app="triage", new_app="notifications")),
    ]
