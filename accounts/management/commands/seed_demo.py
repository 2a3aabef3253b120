import contextlib
import logging

from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, admin_gets_demo_password, demo_seed, demo_steps
from accounts.management.commands._shared import progress_bar
from accounts.models import Account
from healthscore import clock, permissions

# Seeding runs Celery tasks in process (the outbox drain after each commit): their per-task log
# lines and kombu's "no hostname" warning are noise around the progress bar, not news.
QUIET_LOGGERS = ("celery", "kombu")


@contextlib.contextmanager
def _quiet_task_logs():
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = "Load realistic demo data (accounts, activity, 13 weeks of scores) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=300, help="how many accounts (default 300)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already has accounts")

    def handle(self, *args, accounts, seed, if_empty, verbosity, **options):
        if accounts < 1:
            raise CommandError("--accounts must be at least 1")
        if Account.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already loaded; nothing to do.")
                return
            raise CommandError("the database already has accounts; seed_demo only fills an empty one")
        # The bar counts every step (the logins, each account, each scored week, each app's
        # data), so it reaches 100 % when seeding is done, not when the accounts are written.
        steps = demo_steps(accounts)
        with (
            _quiet_task_logs(),
            progress_bar(self, total=steps, desc="Seeding", unit="step", verbosity=verbosity) as tick,
        ):
            logins = demo_seed(accounts=accounts, seed=seed, today=clock.today(), progress=tick, phase=tick.phase)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {accounts} demo accounts. Demo logins (password {DEMO_PASSWORD}):")
        )
        for login in logins:
            if login.role == permissions.ADMIN and not admin_gets_demo_password():
                self.stdout.write(
                    f"  {login.username:<10} {login.role} (no password outside the embedded demo: "
                    f"set one with `manage.py changepassword {login.username}`)"
                )
            else:
                self.stdout.write(f"  {login.username:<10} {login.role}")
