"""What the long commands share: the --as-of date and a progress bar."""

import datetime as dt
from contextlib import contextmanager

from django.core.management.base import CommandError
from tqdm import tqdm

from healthscore import clock


def as_of_option(value: str | None) -> dt.date:
    """The --as-of option as a date (today when not given); a bad one is one readable line."""
    try:
        return clock.as_of_or_today(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {exc}") from None


@contextmanager
def progress_bar(command, *, total: int, desc: str, verbosity: int = 1):
    """A progress bar on stderr, silent at --verbosity 0."""
    bar = tqdm(total=total, desc=desc, unit="row", file=command.stderr._out, disable=verbosity == 0, leave=True)
    try:
        yield bar.update
    finally:
        bar.close()
