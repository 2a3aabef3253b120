"""The notification list, marking read, and the unread count in the navigation."""

import pytest

from accounts.models import Color
from accounts.tests.factories import UserFactory
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def test_the_nav_shows_the_unread_count_in_words(client, tam):
    NotificationFactory(recipient=tam)
    NotificationFactory(recipient=tam)
    client.force_login(tam)
    assert '<span class="badge" data-testid="unread-count">2 unread</span>' in html(client.get("/accounts/"))


def test_notifications_page_lists_and_marks_read(client, tam, account_in):
    notification = NotificationFactory(recipient=tam, account=account_in(Color.YELLOW, name="Acme"))
    client.force_login(tam)
    page = html(client.get("/triage/notifications/"))
    assert "Acme" in page and "Unread" in page and "You are told as: SAL / AE" in page
    client.post(f"/triage/notifications/{notification.pk}/read/")
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert "unread-count" not in html(client.get("/triage/notifications/"))


def test_someone_without_a_role_reads_their_notifications(client, account_in):
    sal = UserFactory(username="sal-no-role")
    NotificationFactory(recipient=sal, account=account_in(Color.RED, name="Acme"))
    client.force_login(sal)
    page = html(client.get("/triage/notifications/"))
    assert "Acme" in page and "Cockpit" not in page


def test_the_notifications_page_query_count_is_fixed(client, tam, django_assert_max_num_queries):
    for _ in range(30):
        NotificationFactory(recipient=tam)
    client.force_login(tam)
    with django_assert_max_num_queries(8):
        assert client.get("/triage/notifications/").status_code == 200
