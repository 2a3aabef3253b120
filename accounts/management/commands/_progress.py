"""A progress bar for long commands, on stderr, silent at --verbosity 0."""

from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(command, *, total: int, desc: str, verbosity: int = 1):
    bar = tqdm(total=total, desc=desc, unit="row", file=command.stderr._out, disable=verbosity == 0, leave=True)
    try:
        yield bar.update
    finally:
        bar.close()
