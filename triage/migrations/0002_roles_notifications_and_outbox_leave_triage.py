"""RoleAssignment and Notification move to the notifications app, HealthChange (the outbox) to
accounts. State only: their tables and rows stay; the new owners' migrations take them over
(accounts 0005, notifications 0001) and rename the tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_triage_ctas_notifications_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="RoleAssignment"),
                migrations.DeleteModel(name="HealthChange"),
            ],
            database_operations=[],
        ),
    ]
