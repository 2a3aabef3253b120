"""The renewal_outcomes section of the import document (README, Import format): one row per
account and renewal date, so importing the same file twice changes nothing and a corrected row
updates the outcome. Registered in QualityConfig.ready()."""

from __future__ import annotations

from healthscore import clock
from healthscore.importing import (
    ApplyContext,
    Choice,
    Date,
    Invalid,
    Money,
    Ref,
    Section,
    rows_upsert,
    section_register,
)
from quality.models import Outcome, RenewalOutcome
from quality.rules import arr_problem


class ArrAfter(Money):
    """The ARR after the renewal: 0 exactly when the row's outcome is churned."""

    def clean(self, value, row):
        number = super().clean(value, row)
        if (problem := arr_problem(row.raw.get("outcome"), number)) is not None:
            raise Invalid(problem)
        return number


def outcomes_apply(rows: list[dict], context: ApplyContext) -> int:
    pks = context.pks("accounts", {row["account"] for row in rows})
    values = [
        {"account_id": pks[row["account"]], "date": row["date"], "outcome": row["outcome"], "arr": row["arr"]}
        for row in rows
    ]
    done = rows_upsert(RenewalOutcome, key=("account_id", "date"), rows=values)
    # The bulk write bypasses the model's save(): its history is written here, set-based (who:
    # the person running the import, when a service names one; else "system").
    for keys, update in ((done.created, False), (list(done.changed), True)):
        if keys:
            accounts = {account for account, _ in keys}
            wanted = set(keys)
            stored = [
                outcome
                for outcome in RenewalOutcome.objects.filter(account_id__in=accounts, date__in={d for _, d in keys})
                if (outcome.account_id, outcome.date) in wanted
            ]
            RenewalOutcome.history.bulk_history_create(stored, update=update)
    return len(done.created)


SECTION = Section(
    "renewal_outcomes",
    order=80,
    fields=(
        Ref("account", section="accounts"),
        # Recorded once it happened: a renewal dated after today is refused.
        Date("date", required=True, not_after_today=lambda: clock.today()),
        Choice("outcome", required=True, choices=Outcome),
        ArrAfter("arr", required=True),
    ),
    apply=outcomes_apply,
)


def register() -> None:
    section_register(SECTION)
