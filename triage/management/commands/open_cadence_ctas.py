from accounts.management.commands._steps import StepsCommand


class Command(StepsCommand):
    help = (
        "Open Missed cadence call CTAs for accounts with no cadence call held in their window as of a date "
        "(weekly while onboarding, monthly otherwise). Safe to run again."
    )
    steps = ("Cadence CTAs",)
