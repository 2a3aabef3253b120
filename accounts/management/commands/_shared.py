"""What the long commands share: the --as-of date and a progress bar."""

import datetime as dt
from contextlib import contextmanager

from django.core.management.base import CommandError
from tqdm import tqdm

from healthscore import clock

# tqdm's monitor thread only tunes how often a slow bar redraws; without it the command stays one
# thread, so a scoring run can fork its processes (accounts.scoring.processes).
tqdm.monitor_interval = 0


def as_of_option(value: str | None) -> dt.date:
    """The --as-of option as a date (today when not given); a bad one is one readable line."""
    try:
        return clock.as_of_or_today(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {exc}") from None


class _Progress:
    """tick(n) moves the bar; tick.phase("...") names what the wait is for, beside the bar."""

    def __init__(self, bar):
        self.bar = bar

    def __call__(self, n: int = 1) -> None:
        self.bar.update(n)

    def phase(self, text: str) -> None:
        self.bar.set_postfix_str(text, refresh=True)


@contextmanager
def progress_bar(command, *, total: int, desc: str, verbosity: int = 1, unit: str = "row"):
    """A progress bar on stderr, silent at --verbosity 0."""
    bar = tqdm(total=total, desc=desc, unit=unit, file=command.stderr._out, disable=verbosity == 0, leave=True)
    try:
        yield _Progress(bar)
    finally:
        bar.close()
