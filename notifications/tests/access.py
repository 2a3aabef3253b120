"""Access rules of the notifications app's URLs, checked by healthscore/tests/test_access_matrix.py.

Anyone signed in reads their own notifications, with or without a role; a notification belongs
to its recipient alone (404 for anyone else).
"""

import datetime as dt

from accounts.models import HealthChange
from healthscore.tests.access import ALLOWED, LOGIN, NOT_FOUND, Rule
from notifications.models import Notification


def _notification(w) -> Notification:
    change, _ = HealthChange.objects.get_or_create(
        account=w.own_account, old_color="green", new_color="yellow", as_of=dt.date.today()
    )
    notification, _ = Notification.objects.get_or_create(
        change=change, recipient=w.tam, defaults={"account": w.own_account, "new_color": "yellow", "roles": "SA"}
    )
    return notification


RULES = [
    Rule("triage:notification_list", lambda w: "/triage/notifications/", no_role=ALLOWED),
    Rule(
        "triage:notification_read",
        lambda w: f"/triage/notifications/{_notification(w).pk}/read/",
        method="post",
        unchanged=lambda w: Notification.objects.get(recipient=w.tam).read_at,
        anonymous=LOGIN,
        tam=302,
        manager=NOT_FOUND,
        admin=NOT_FOUND,
        no_role=NOT_FOUND,
    ),
    Rule(
        "triage:notification_read_all",
        lambda w: (_notification(w), "/triage/notifications/read-all/")[1],
        method="post",
        unchanged=lambda w: Notification.objects.get(recipient=w.tam).read_at,
        anonymous=LOGIN,
        tam=302,
        manager=302,
        admin=302,
        no_role=302,
    ),
    Rule(
        "triage:notification_email_mode",
        lambda w: "/triage/notifications/email/",
        method="post",
        data=lambda w: {"mode": "digest"},
        anonymous=LOGIN,
        tam=302,
        manager=302,
        admin=302,
        no_role=302,
    ),
]
