"""The notes app's part of the import document (docs/notes.md): the signal data of each
`accounts` row (deployment, licences, stages, version) and the sections feature_requests and
champion_changes. Registered in NotesConfig.ready(). Rows are keyed by their ids: a second
import of the same file updates, never duplicates."""

from __future__ import annotations

from django.db import models

from healthscore.importing import (
    ApplyContext,
    Boolean,
    Choice,
    Count,
    Date,
    ExtraFields,
    Id,
    NameList,
    Ref,
    Section,
    Text,
    fields_register,
    section_register,
)
from notes.models import (
    ChampionChange,
    ChampionChangeKind,
    ChampionRole,
    Deployment,
    FeatureRequest,
    FeatureRequestStatus,
    SignalData,
)


def signal_data_apply(row: dict, extra: dict, context: ApplyContext) -> None:
    """Store the signal data an account row carries; a missing (or null) field keeps the stored
    value, a new row takes the model defaults."""
    values = {k: v for k, v in extra.items() if v is not None}
    if not values:
        return
    account_id = context.pk("accounts", row["external_id"])
    data = SignalData.objects.filter(account_id=account_id).first() or SignalData(account_id=account_id)
    if data.pk is not None and all(getattr(data, k) == v for k, v in values.items()):
        return
    for key, value in values.items():
        setattr(data, key, value)
    data.full_clean(exclude=["account"])
    data.save()


def _keyed_row_apply(model: type[models.Model]):
    def apply(row: dict, context: ApplyContext) -> bool:
        # A missing (or null) field keeps the stored value; a new row takes the model default.
        values = {k: v for k, v in row.items() if k not in ("external_id", "account") and v is not None}
        obj = model.objects.filter(external_id=row["external_id"]).first() or model(external_id=row["external_id"])
        is_new = obj.pk is None
        obj.account_id = context.pk("accounts", row["account"])
        for key, value in values.items():
            setattr(obj, key, value)
        obj.full_clean(exclude=["account"])
        obj.save()
        return is_new

    return apply


SIGNAL_DATA = ExtraFields(
    section="accounts",
    name="signal_data",
    fields=(
        Choice("deployment", choices=Deployment),
        Count("licences_purchased"),
        Count("licences_used"),
        NameList("product_stages", what="stage names"),
        Text("current_version", max_length=20, default=None),
    ),
    apply=signal_data_apply,
)

SECTIONS = (
    Section(
        "feature_requests",
        order=60,
        fields=(
            Id(),
            Ref("account", section="accounts"),
            Text("title", required=True, max_length=300),
            Boolean("important", default=None),
            Choice("status", choices=FeatureRequestStatus, default=FeatureRequestStatus.OPEN.value),
            Date("opened"),
        ),
        apply=_keyed_row_apply(FeatureRequest),
    ),
    Section(
        "champion_changes",
        order=70,
        fields=(
            Id(),
            Ref("account", section="accounts"),
            Text("person", required=True),
            Choice("role", choices=ChampionRole, default=ChampionRole.CHAMPION.value),
            Choice("change", required=True, choices=ChampionChangeKind),
            Date("date", required=True),
        ),
        apply=_keyed_row_apply(ChampionChange),
    ),
)


def register() -> None:
    fields_register(SIGNAL_DATA)
    for section in SECTIONS:
        section_register(section)
