"""A full scoring run in a process of its own, on a SQLite file in WAL mode: what
test_planned_ahead starts (the suite's own process is threaded and its database in memory, and
planner processes are forked only from a single thread, for a database file).

    python -m accounts.tests.planned_run PATH AS_OF CHUNK_SIZE [--alone] [--planner-fails]
        [--inject-after N --inject-account PK --inject-color COLOR]

--alone: no planner processes (the run as it is without them). --inject-after N: once N chunks
are committed, another connection commits a new sentiment for an account. --planner-fails: every
plan asked of a planner process raises. Prints one JSON line: what the run logged about its
planners, the warnings, whether a child process is left, and the number of threads.
"""

import argparse
import datetime as dt
import json
import logging
import os
import threading


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("as_of", type=dt.date.fromisoformat)
    parser.add_argument("chunk_size", type=int)
    parser.add_argument("--alone", action="store_true")
    parser.add_argument("--planner-fails", action="store_true")
    parser.add_argument("--inject-after", type=int, default=0)
    parser.add_argument("--inject-account", type=int)
    parser.add_argument("--inject-color")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"sqlite:///{args.path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "healthscore.test_settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connections

    from accounts.choices import SentimentSource
    from accounts.models import SentimentEntry
    from accounts.scoring import ahead, services

    if args.alone:
        ahead.PLANNERS = 0
    logged, warned = [], []

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            (logged if record.levelno < logging.WARNING else warned).append(record.getMessage())

    for name, level in (("accounts.scoring.services", logging.INFO), ("accounts.scoring.ahead", logging.WARNING)):
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).addHandler(Seen())
    run_pid = os.getpid()
    if args.planner_fails:
        plan = services.chunk_plan

        def failing(**kwargs):
            if os.getpid() != run_pid:
                raise RuntimeError("a planner's failure, on purpose")
            return plan(**kwargs)

        services.chunk_plan = failing
    # Another connection to the same file: its commit is someone else's, as a TAM's save would be.
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

    scored = services.scores_recompute(as_of=args.as_of, chunk_size=args.chunk_size, progress=progress)
    try:
        left = os.waitpid(-1, os.WNOHANG) is not None
    except ChildProcessError:
        left = False
    print(
        json.dumps(
            {
                "scored": scored,
                "chunks": len(committed),
                "logged": logged,
                "warned": warned,
                "children_left": left,
                "threads": threading.active_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
