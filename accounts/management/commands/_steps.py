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

        def progress(step: pipeline.Step):
            return progress_bar(self, total=step.total(as_of), desc=step.name, verbosity=verbosity)

        def report(step: pipeline.Step, line: str | None, error: Exception | None) -> None:
            if error is None:
                self.stdout.write(line)
            else:
                self.stderr.write(f"{step.name}: failed: {error}")

        try:
            # The other steps still run when one fails; the command then fails.
            pipeline.daily_run(as_of=as_of, names=self.steps, progress=progress, report=report)
        except pipeline.DailyRunError as exc:
            raise CommandError(f"{', '.join(exc.steps)} failed as of {as_of}; the other steps ran") from exc
        self.stdout.write(self.style.SUCCESS(f"Done as of {as_of}."))
