"""Recording renewal outcomes (the form and the API; the import writes through import_sections)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.models import Account
from healthscore import audit
from quality.models import RenewalOutcome


@transaction.atomic
def outcome_record(*, account: Account, date: dt.date, outcome: str, arr: Decimal, by) -> RenewalOutcome:
    """Record (or correct) the outcome of the account's renewal on `date`; one per account and date."""
    with audit.acting_user(by):
        record = RenewalOutcome.objects.select_for_update().filter(account=account, date=date).first()
        if record is None:
            record = RenewalOutcome(account=account, date=date)
        record.outcome, record.arr, record.recorded_by = outcome, arr, by
        record.full_clean()
        record.save()
    return record
