from accounts.management.commands._steps import StepsCommand


class Command(StepsCommand):
    help = (
        "Run every daily job in order as of a date: recompute scores, triage, notifications, out-of-date "
        "health CTAs, missed cadence call CTAs. Safe to run again."
    )
    steps = None  # every step of healthscore.pipeline, in order
