"""Triage records as plain facts for outside mirrors (registered in TriageConfig.ready() as the
source of accounts.mirrors): labels, dates and a link path, never the plan, the resolution or
the log, which stay in Healthscore."""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse

from accounts.mirrors import TriageFacts
from triage.models import Classification, RegionLabel, Risk, RiskReason, TriageOrigin, TriageRecord, TriageStatus

# Every label of the handbook's four categories a record can carry.
LABELS = (*Risk.values, *RegionLabel.values, *Classification.values, *RiskReason.values)

_CLASSIFICATION_WORDS = {value: label.split(": ", 1)[-1] for value, label in Classification.choices}
_ORIGINS = dict(TriageOrigin.choices)


def triage_facts(
    *, record_ids: Collection[int] | None = None, account_ids: Collection[int] | None = None, open_only: bool = False
) -> list[TriageFacts]:
    """One query for any number of records, oldest first."""
    records = TriageRecord.objects.order_by("pk")
    if record_ids is not None:
        records = records.filter(pk__in=list(record_ids))
    if account_ids is not None:
        records = records.filter(account_id__in=list(account_ids))
    if open_only:
        records = records.filter(status=TriageStatus.OPEN)
    rows = records.values_list(
        "pk",
        "account_id",
        "status",
        "risk",
        "region",
        "classification",
        "risk_reasons",
        "origin",
        "opened_on",
        "closed_on",
    )
    return [
        TriageFacts(
            record_id=pk,
            account_id=account_id,
            is_open=status == TriageStatus.OPEN,
            risk=risk,
            region=region,
            classification=classification,
            classification_words=_CLASSIFICATION_WORDS.get(classification, ""),
            risk_reasons=tuple(reasons or ()),
            origin=_ORIGINS.get(origin, origin),
            opened_on=opened_on.isoformat(),
            closed_on=closed_on.isoformat() if closed_on else "",
            path=reverse("triage:record_detail", args=[pk]),
        )
        for pk, account_id, status, risk, region, classification, reasons, origin, opened_on, closed_on in rows
    ]
