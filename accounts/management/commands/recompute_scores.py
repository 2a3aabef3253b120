import time

from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands._shared import as_of_option, progress_bar
from accounts.models import Account, ScoringRun
from accounts.scoring import fanout
from accounts.scoring.services import scores_recompute


class Command(BaseCommand):
    help = "Score every account as of a date and store the snapshots (one per account and day)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, UTC)")
        parser.add_argument(
            "--fan-out",
            action="store_true",
            help="Split the run into chunks scored by the Celery workers (PostgreSQL + Redis), and wait for them.",
        )
        parser.add_argument("--timeout", type=int, default=3600, help="With --fan-out: seconds to wait (default 3600)")

    def handle(self, *args, as_of, fan_out, timeout, verbosity, **options):
        as_of = as_of_option(as_of)
        if not fan_out:
            with progress_bar(self, total=Account.objects.count(), desc="Scoring", verbosity=verbosity) as tick:
                count = scores_recompute(as_of=as_of, progress=tick)
            self.stdout.write(self.style.SUCCESS(f"Scored {count} accounts as of {as_of}."))
            return
        run = fanout.scoring_run_start(as_of=as_of)
        deadline = time.monotonic() + timeout
        with progress_bar(self, total=run.chunks_total, desc="Chunks", verbosity=verbosity) as tick:
            seen = 0
            while True:
                run = ScoringRun.objects.get(pk=run.pk)
                tick(run.chunks_done - seen)
                seen = run.chunks_done
                if run.finished_at:
                    break
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"scoring run {run.pk}: {run.chunks_done} of {run.chunks_total} chunks done after {timeout} s "
                        "(are the Celery workers running?)"
                    )
                time.sleep(0.5)
        self.stdout.write(self.style.SUCCESS(f"Scored {run.chunks_total} chunks as of {as_of} (run {run.pk})."))
