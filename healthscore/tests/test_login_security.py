"""Login brute force: django-axes locks a username and an address, the password policy, demo logins."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from accounts.tests.factories import UserFactory

PASSWORD = "a-long-enough-secret-42"


@pytest.fixture
def victim(db):
    user = UserFactory(username="victim")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username, password, url="/login/", addr="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_sixty_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(client, victim, settings):
    for _ in range(60):
        _login(client, "victim", "wrong-password")
    response = _login(client, "victim", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert f"paused for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_username_is_locked_from_every_address(client, victim, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "victim", "wrong-password", addr=f"10.0.1.{i}")
    assert _login(client, "victim", PASSWORD, addr="10.9.9.9").status_code == 429


def test_an_address_is_locked_for_every_username(client, victim, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess-{i}", "wrong-password", addr="10.0.2.1")
    assert _login(client, "victim", PASSWORD, addr="10.0.2.1").status_code == 429
    assert _login(client, "victim", PASSWORD, addr="10.0.2.2").status_code == 302


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, victim, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "victim", "wrong-password").status_code == 200
    assert _login(client, "victim", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, admin_user.username, "wrong-password", url="/admin/login/")
    admin_user.set_password(PASSWORD)
    admin_user.save()
    assert _login(client, admin_user.username, PASSWORD, url="/admin/login/").status_code == 429


def test_an_admin_unlocks_a_locked_user_by_deleting_the_attempt_in_admin(client, victim, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "victim", "wrong-password")
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts
    client.force_login(admin_user)
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    assert _login(client, "victim", PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, victim, settings):
    settings.PROXY_COUNT = 1
    for i in range(settings.AXES_FAILURE_LIMIT):
        # A client's own X-Forwarded-For entries (left of the proxy's) do not get it a fresh address.
        client.post(
            "/login/",
            {"username": f"guess-{i}", "password": "x"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 10.0.3.1",
        )
    response = client.post(
        "/login/",
        {"username": "victim", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="10.0.3.1",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("password", ["short-pw-1", "123456789012", "password1234"])
def test_the_password_policy_refuses_short_numeric_and_common_passwords(password):
    with pytest.raises(ValidationError):
        password_validation.validate_password(password)


def test_the_password_policy_accepts_twelve_uncommon_characters():
    password_validation.validate_password("tulip-orbit-9")


@pytest.mark.django_db
@override_settings(EMBEDDED=False, DEBUG=False)
def test_seed_demo_outside_the_embedded_mode_gives_the_superuser_no_password(capsys, fixed_today):
    from django.contrib.auth.models import User

    from accounts.demo import DEMO_PASSWORD

    call_command("seed_demo", accounts=3, verbosity=1)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and not admin.has_usable_password()
    assert not admin.check_password(DEMO_PASSWORD)
    assert "changepassword admin" in capsys.readouterr().out


@pytest.mark.django_db
@override_settings(EMBEDDED=True, DEBUG=True)
def test_seed_demo_in_the_embedded_mode_keeps_the_demo_admin_login(fixed_today):
    from django.contrib.auth.models import User

    from accounts.demo import DEMO_PASSWORD

    call_command("seed_demo", accounts=3, verbosity=0)
    assert User.objects.get(username="admin").check_password(DEMO_PASSWORD)
