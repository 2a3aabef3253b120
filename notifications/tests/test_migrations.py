"""A database from before the move (HealthChange, RoleAssignment and Notification in the triage
app's tables) migrates forward with every row, and every foreign key, intact."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import HealthChange
from notifications.models import Notification, RoleAssignment
from notifications.tests.factories import NotificationFactory

BEFORE = [
    ("accounts", "0004_account_external_id_url_safe"),
    ("triage", "0001_triage_ctas_notifications_outbox"),
    ("notifications", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _seed_previous_layout(executor) -> dict:
    """Rows written with the models as they were before the move."""
    apps = executor.loader.project_state(BEFORE[:2]).apps
    User = apps.get_model("auth", "User")
    Account = apps.get_model("accounts", "Account")
    OldChange = apps.get_model("triage", "HealthChange")
    OldRole = apps.get_model("triage", "RoleAssignment")
    OldNotification = apps.get_model("triage", "Notification")
    rtm = User.objects.create(username="old-rtm", email="rtm@example.com")
    vp = User.objects.create(username="old-vp", email="vp@example.com")
    account = Account.objects.create(
        external_id="OLD-1", name="Old Co", segment="enterprise", arr=1000, region="EMEA", health_color="red"
    )
    changes = [
        OldChange.objects.create(account=account, old_color="green", new_color="yellow", as_of=dt.date(2026, 11, 1)),
        OldChange.objects.create(
            account=account,
            old_color="yellow",
            new_color="red",
            as_of=dt.date(2026, 11, 2),
            processed_at=dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC),
        ),
    ]
    roles = [
        OldRole.objects.create(role="regional_tam_manager", region="EMEA", user=rtm),
        OldRole.objects.create(role="vp_customer_success", region="", user=vp),
    ]
    notifications = [
        OldNotification.objects.create(
            change=changes[1], recipient=rtm, account=account, old_color="yellow", new_color="red", roles="RTM"
        ),
        OldNotification.objects.create(
            change=changes[1],
            recipient=vp,
            account=account,
            old_color="yellow",
            new_color="red",
            roles="VP",
            email_status="sent",
            emailed_at=dt.datetime(2026, 11, 2, 6, 1, tzinfo=dt.UTC),
            email_attempts=1,
        ),
    ]
    return {
        "account": account.pk,
        "changes": sorted(
            OldChange.objects.values_list("pk", "account_id", "old_color", "new_color", "as_of", "processed_at")
        ),
        "roles": sorted(OldRole.objects.values_list("pk", "role", "region", "user_id")),
        "notifications": sorted(
            OldNotification.objects.values_list(
                "pk", "change_id", "recipient_id", "account_id", "roles", "email_status", "emailed_at"
            )
        ),
        "ids": ([c.pk for c in changes], [r.pk for r in roles], [n.pk for n in notifications]),
    }


@pytest.mark.django_db(transaction=True)
def test_rows_in_the_triage_tables_arrive_in_accounts_and_notifications_with_their_keys():
    executor = _migrate(BEFORE)
    try:
        before = _seed_previous_layout(executor)
        # Up to the latest migrations, as an installation upgrades: the models below are today's.
        _migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()

        assert (
            sorted(
                HealthChange.objects.values_list("pk", "account_id", "old_color", "new_color", "as_of", "processed_at")
            )
            == before["changes"]
        )
        assert sorted(RoleAssignment.objects.values_list("pk", "role", "region", "user_id")) == before["roles"]
        assert (
            sorted(
                Notification.objects.values_list(
                    "pk", "change_id", "recipient_id", "account_id", "roles", "email_status", "emailed_at"
                )
            )
            == before["notifications"]
        )
        # The foreign keys join across the renamed tables.
        sent = Notification.objects.select_related("change__account").get(roles="VP")
        assert (sent.change.new_color, sent.change.account.external_id) == ("red", "OLD-1")
        assert HealthChange.objects.get(new_color="red").notifications.count() == 2
        tables = set(connection.introspection.table_names())
        assert {"accounts_healthchange", "notifications_notification", "notifications_roleassignment"} <= tables
        assert not {"triage_healthchange", "triage_notification", "triage_roleassignment"} & tables
        # New rows get fresh ids after the rename (the id sequences came along).
        change_ids, _, notification_ids = before["ids"]
        new = NotificationFactory(change=HealthChange.objects.get(pk=change_ids[0]))
        assert new.pk > max(notification_ids) and new.change.pk == change_ids[0]
    finally:
        _migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()
