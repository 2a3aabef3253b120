from accounts.management.commands._steps import StepsCommand


class Command(StepsCommand):
    help = (
        "Triage as of a date: a triage record for red accounts, Decide on triage CTAs for yellow ones, Close "
        "triage? CTAs for green ones with an open record. Safe to run again."
    )
    steps = ("Triage",)
