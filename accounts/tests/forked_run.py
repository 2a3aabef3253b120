"""A full scoring run in a process of its own: what test_forked_run starts. The suite's own
process turns forking off (its spies live in it) and, under pytest-xdist, has more than one
thread; here the run forks its processes as in production (accounts.scoring.processes).

    python -m accounts.tests.forked_run DATABASE_URL AS_OF CHUNK_SIZE [--alone] [--thread]
        [--in-transaction] [--answer-timeout S] [--fail-account PK | --die-account PK] [--slow S --interrupt-after S]
        [--inject-after N --inject-account PK --inject-color COLOR [--inject-here]]

--alone: no forked processes (SQLite scores alone, PostgreSQL in threads). --thread: another
thread runs during the run. --in-transaction: the run is inside the caller's transaction.
--fail-account / --die-account PK: in a forked process, the chunk that holds this account raises,
or the process ends at once. --slow S: each chunk takes S seconds more in a forked process;
--interrupt-after S: a timer's signal handler raises Interrupted then (as Celery's soft time
limit does). --answer-timeout S: how long the run waits for a planner. --inject-after N: once N
chunks are committed, another connection (or, with --inject-here, the run's own) commits a new
sentiment for an account. Prints one JSON line: how many accounts were scored (or the error
raised), what the run logged, whether a child process is left, and the number of threads.
"""

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import signal
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("as_of", type=dt.date.fromisoformat)
    parser.add_argument("chunk_size", type=int)
    parser.add_argument("--alone", action="store_true")
    parser.add_argument("--thread", action="store_true")
    parser.add_argument("--in-transaction", action="store_true")
    parser.add_argument("--fail-account", type=int)
    parser.add_argument("--die-account", type=int)
    parser.add_argument("--slow", type=float, default=0)
    parser.add_argument("--interrupt-after", type=float, default=0)
    parser.add_argument("--inject-here", action="store_true")
    parser.add_argument("--answer-timeout", type=float)
    parser.add_argument("--inject-after", type=int, default=0)
    parser.add_argument("--inject-account", type=int)
    parser.add_argument("--inject-color")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "healthscore.test_settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connections, transaction

    from accounts.choices import SentimentSource
    from accounts.models import SentimentEntry
    from accounts.scoring import processes, services

    if args.alone:
        processes.FORK = False
    if args.answer_timeout:
        processes.ANSWER_TIMEOUT = args.answer_timeout
    logged, warned = [], []

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            (logged if record.levelno < logging.WARNING else warned).append(record.getMessage())

    for name in ("accounts.scoring.runs", "accounts.scoring.processes"):
        logging.getLogger(name).setLevel(logging.INFO)
        logging.getLogger(name).addHandler(Seen())
    run_pid = os.getpid()

    def in_a_child(original):
        def planned_or_scored(*, which, **kwargs):
            if os.getpid() != run_pid:
                if args.fail_account and which.lo <= args.fail_account <= which.hi:
                    raise RuntimeError("a forked process's failure, on purpose")
                if args.die_account and which.lo <= args.die_account <= which.hi:
                    os._exit(3)
                time.sleep(args.slow)
            return original(which=which, **kwargs)

        return planned_or_scored

    services.chunk_plan = in_a_child(services.chunk_plan)  # SQLite's planners
    services.chunk_score = in_a_child(services.chunk_score)  # PostgreSQL's workers
    # Another connection to the same database: its commit is someone else's, as a TAM's save.
    connections.settings["other"] = dict(connections.settings["default"])
    committed = []

    def progress(count: int) -> None:
        committed.append(count)
        if len(committed) == args.inject_after:
            SentimentEntry.objects.using("default" if args.inject_here else "other").create(
                account_id=args.inject_account,
                color=args.inject_color,
                date=args.as_of,
                reason="Said so while the run was under way",
                source=SentimentSource.SCORECARD,
            )

    class Interrupted(Exception):
        pass

    def interrupt(signum, frame):
        raise Interrupted("the time limit, on purpose")

    if args.interrupt_after:
        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, args.interrupt_after)
    release = threading.Event()
    if args.thread:
        threading.Thread(target=release.wait, name="another-thread").start()
    out = {}
    try:
        with transaction.atomic() if args.in_transaction else contextlib.nullcontext():
            out["scored"] = services.scores_recompute(as_of=args.as_of, chunk_size=args.chunk_size, progress=progress)
    except Exception as error:
        out["error"] = str(error)
        out["error_type"] = type(error).__name__
    release.set()
    signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        os.waitpid(-1, os.WNOHANG)  # raises when this process has no child
        left = True
    except ChildProcessError:
        left = False
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join()
    out.update(
        chunks=len(committed), logged=logged, warned=warned, children_left=left, threads=threading.active_count()
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
