"""A full scoring run in a process of its own: what test_forked_run starts. The suite's own
process turns forking off (its spies live in it) and, under pytest-xdist, has more than one
thread; here the run forks its processes as in production (accounts.scoring.processes).

    python -m accounts.tests.forked_run DATABASE_URL AS_OF CHUNK_SIZE [--alone]
        [--fail-account PK] [--inject-after N --inject-account PK --inject-color COLOR]

--alone: no forked processes (SQLite scores alone, PostgreSQL in threads). --fail-account PK: in
a forked process, the chunk that holds this account raises. --inject-after N: once N chunks are
committed, another connection commits a new sentiment for an account. Prints one JSON line: how
many accounts were scored (or the error raised), what the run logged, whether a child process
is left, and the number of threads.
"""

import argparse
import datetime as dt
import json
import logging
import os
import threading


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("as_of", type=dt.date.fromisoformat)
    parser.add_argument("chunk_size", type=int)
    parser.add_argument("--alone", action="store_true")
    parser.add_argument("--fail-account", type=int)
    parser.add_argument("--inject-after", type=int, default=0)
    parser.add_argument("--inject-account", type=int)
    parser.add_argument("--inject-color")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "healthscore.test_settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connections

    from accounts.choices import SentimentSource
    from accounts.models import SentimentEntry
    from accounts.scoring import processes, services

    if args.alone:
        processes.FORK = False
    logged, warned = [], []

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            (logged if record.levelno < logging.WARNING else warned).append(record.getMessage())

    for name, level in (("accounts.scoring.services", logging.INFO), ("accounts.scoring.processes", logging.WARNING)):
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).addHandler(Seen())
    run_pid = os.getpid()
    if args.fail_account:

        def failing_in_a_child(original):
            def failing(*, which, **kwargs):
                if os.getpid() != run_pid and which.lo <= args.fail_account <= which.hi:
                    raise RuntimeError("a forked process's failure, on purpose")
                return original(which=which, **kwargs)

            return failing

        services.chunk_plan = failing_in_a_child(services.chunk_plan)  # SQLite's planners
        services.chunk_score = failing_in_a_child(services.chunk_score)  # PostgreSQL's workers
    # Another connection to the same database: its commit is someone else's, as a TAM's save.
    connections.settings["other"] = dict(connections.settings["default"])
    committed = []

    def progress(count: int) -> None:
        committed.append(count)
        if len(committed) == args.inject_after:
            SentimentEntry.objects.using("other").create(
                account_id=args.inject_account,
                color=args.inject_color,
                date=args.as_of,
                reason="Said so while the run was under way",
                source=SentimentSource.SCORECARD,
            )

    out = {}
    try:
        out["scored"] = services.scores_recompute(as_of=args.as_of, chunk_size=args.chunk_size, progress=progress)
    except Exception as error:
        out["error"] = str(error)
    try:
        left = os.waitpid(-1, os.WNOHANG) is not None
    except ChildProcessError:
        left = False
    out.update(
        chunks=len(committed), logged=logged, warned=warned, children_left=left, threads=threading.active_count()
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
