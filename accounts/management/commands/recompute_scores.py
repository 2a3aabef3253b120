from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands._progress import progress_bar
from accounts.models import Account
from accounts.services import scores_recompute
from healthscore import clock
from healthscore.clock import parse_iso_date


class Command(BaseCommand):
    help = "Score every account as of a date and store the snapshots (one per account and day)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, UTC)")

    def handle(self, *args, as_of, verbosity, **options):
        try:
            as_of = parse_iso_date(as_of) if as_of else clock.today()
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        with progress_bar(self, total=Account.objects.count(), desc="Scoring", verbosity=verbosity) as tick:
            count = scores_recompute(as_of=as_of, progress=tick)
        self.stdout.write(self.style.SUCCESS(f"Scored {count} accounts as of {as_of}."))
