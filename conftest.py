import datetime as dt

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import UserFactory
from healthscore import permissions
from healthscore.celery import app as celery_app

FIXED_TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Celery reads settings once, so test overrides don't reach it: set eager mode here."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def fixed_today(monkeypatch):
    """Pin "today": all code asks healthscore.clock.today()."""
    from healthscore import clock

    monkeypatch.setattr(clock, "today", lambda: FIXED_TODAY)
    return FIXED_TODAY


def _user_in(role: str, **kwargs):
    user = UserFactory(**kwargs)
    # get_or_create: a transactional (live_server) test's flush removes the migration's groups.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role == permissions.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    return user


@pytest.fixture
def tam(db):
    return _user_in(permissions.TAM, username="tam")


@pytest.fixture
def other_tam(db):
    return _user_in(permissions.TAM, username="other-tam")


@pytest.fixture
def manager(db):
    return _user_in(permissions.MANAGER, username="manager")


@pytest.fixture
def admin_user(db):
    return _user_in(permissions.ADMIN, username="admin-user")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "eager (no REDIS_URL)"
    return f"healthscore: database {engine}, celery {broker}"
