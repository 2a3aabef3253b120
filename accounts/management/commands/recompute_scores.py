from django.core.management.base import BaseCommand

from accounts.management.commands._shared import as_of_option, progress_bar
from accounts.models import Account
from accounts.scoring.services import scores_recompute


class Command(BaseCommand):
    help = "Score every account as of a date and store the snapshots (one per account and day)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, UTC)")

    def handle(self, *args, as_of, verbosity, **options):
        as_of = as_of_option(as_of)
        with progress_bar(self, total=Account.objects.count(), desc="Scoring", verbosity=verbosity) as tick:
            count = scores_recompute(as_of=as_of, progress=tick)
        self.stdout.write(self.style.SUCCESS(f"Scored {count} accounts as of {as_of}."))
