from accounts.management.commands._steps import StepsCommand


class Command(StepsCommand):
    help = (
        "Deliver pending health changes: notifications (in-app and email, once per person and change) and "
        "triage updates. --as-of is the day counted as today. Safe to run again."
    )
    steps = ("Notifications",)
