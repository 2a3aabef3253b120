from accounts.management.commands._steps import StepsCommand


class Command(StepsCommand):
    help = (
        "Open Update health score CTAs for accounts whose health date is out of date as of a date (a month "
        "for Enterprise, a quarter for Commercial). Safe to run again."
    )
    steps = ("Health CTAs",)
