"""What the daily pipeline's commands share: --as-of, a progress bar, one summary line per step."""

from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands._shared import as_of_option, progress_bar
from healthscore import pipeline


class StepsCommand(BaseCommand):
    """Runs some of the daily pipeline's steps (healthscore.pipeline.DAILY_STEPS) as of a date;
    steps = None runs every registered step, in order."""

    steps: tuple[str, ...] | None = ()

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, UTC)")

    def handle(self, *args, as_of, verbosity, **options):
        as_of = as_of_option(as_of)
        failed = []
        names = self.steps if self.steps is not None else [step.name for step in pipeline.DAILY_STEPS]
        for name in names:
            step = pipeline.daily_step(name)
            try:
                with progress_bar(self, total=step.total(as_of), desc=step.name, verbosity=verbosity) as tick:
                    summary = step.run(as_of=as_of, progress=tick)
            except Exception as exc:
                # The other steps still run (as in pipeline.daily_run); the command then fails.
                pipeline.logger.exception("%s failed", step.name)
                self.stderr.write(f"{step.name}: failed: {exc}")
                failed.append(step.name)
                continue
            self.stdout.write(str(summary))
        if failed:
            raise CommandError(f"{', '.join(failed)} failed as of {as_of}; the other steps ran")
        self.stdout.write(self.style.SUCCESS(f"Done as of {as_of}."))
