import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, User

from accounts.models import Account, Color, Region
from accounts.tests import factories
from accounts.tests.factories import UserFactory
from healthscore import broker, permissions
from healthscore.celery import app as celery_app
from notifications.models import NotifyRole
from notifications.tests.factories import RoleAssignmentFactory

FIXED_TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Celery reads settings once, so test overrides don't reach it: set eager mode here."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
    broker.broker_state_reset()  # a test's dead broker must not silence the next test's enqueues


@pytest.fixture(autouse=True)
def _no_forked_scoring(monkeypatch):
    """A scoring run here stays in this process (threads on PostgreSQL), as tests' spies and
    patches live in it; accounts/tests/test_forked_run.py runs forked runs in processes of their own."""
    from accounts.scoring import processes

    monkeypatch.setattr(processes, "FORK", False)


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


# --- Accounts in a given health, and the people to notify ----------------------------------


@pytest.fixture
def account_in(fixed_today, tam):
    """account_in(color, **fields): the TAM's account, scored in that color today."""

    def make(color: str = Color.GREEN, **fields) -> Account:
        fields.setdefault("tam", tam)
        return factories.healthy_account(today=fixed_today, sentiment=color, **fields)

    return make


@dataclass
class People:
    sal: User
    sa: User
    rtm: User  # Regional TAM Manager, EMEA
    rtm_apac: User
    asm: User  # Area Sales Manager, EMEA
    rd: User  # Regional Director, EMEA
    director: User  # TAM Director
    ps_director: User  # Director of Customer Success Public Sector
    vp: User  # VP of Customer Success


@pytest.fixture
def people(db) -> People:
    """Everyone the Communication Guidelines name, for EMEA (and one APAC manager who must not hear)."""
    p = People(
        sal=UserFactory(username="sal"),
        sa=UserFactory(username="sa"),
        rtm=UserFactory(username="rtm"),
        rtm_apac=UserFactory(username="rtm-apac"),
        asm=UserFactory(username="asm"),
        rd=UserFactory(username="rd"),
        director=UserFactory(username="director"),
        ps_director=UserFactory(username="ps-director"),
        vp=UserFactory(username="vp"),
    )
    RoleAssignmentFactory(role=NotifyRole.REGIONAL_TAM_MANAGER, region=Region.EMEA, user=p.rtm)
    RoleAssignmentFactory(role=NotifyRole.REGIONAL_TAM_MANAGER, region=Region.APAC, user=p.rtm_apac)
    RoleAssignmentFactory(role=NotifyRole.AREA_SALES_MANAGER, region=Region.EMEA, user=p.asm)
    RoleAssignmentFactory(role=NotifyRole.REGIONAL_DIRECTOR, region=Region.EMEA, user=p.rd)
    RoleAssignmentFactory(role=NotifyRole.TAM_DIRECTOR, region="", user=p.director)
    RoleAssignmentFactory(role=NotifyRole.DIRECTOR_CS_PUBLIC_SECTOR, region="", user=p.ps_director)
    RoleAssignmentFactory(role=NotifyRole.VP_CUSTOMER_SUCCESS, region="", user=p.vp)
    return p


@pytest.fixture(scope="session", autouse=True)
def _browser_assertions_wait_for_a_busy_machine():
    """Playwright's expect() retries for 5 s by default; on a loaded 2-core CI machine a server
    answer took longer once (a row's error after an htmx save). A longer wait changes nothing for
    an assertion that holds, and fails the same for one that does not."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


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
