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
    rows_upsert,
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


def signal_data_apply(rows: list[dict], extras: list[dict], context: ApplyContext) -> None:
    """Store the signal data a chunk of account rows carries; a missing (or null) field keeps
    the stored value, a new row takes the model defaults. Unchanged rows are not written."""
    carried = [
        (row, {k: v for k, v in extra.items() if v is not None}) for row, extra in zip(rows, extras, strict=True)
    ]
    carried = [(row, values) for row, values in carried if values]
    if not carried:
        return
    pks = context.pks("accounts", {row["external_id"] for row, _ in carried})
    rows_upsert(
        SignalData,
        key=("account_id",),
        rows=[{"account_id": pks[row["external_id"]], **values} for row, values in carried],
    )


def _keyed_rows_apply(model: type[models.Model]):
    def apply(rows: list[dict], context: ApplyContext) -> int:
        # A missing (or null) field keeps the stored value; a new row takes the model default.
        pks = context.pks("accounts", {row["account"] for row in rows})
        values = [
            {
                "account_id": pks[row["account"]],
                **{k: v for k, v in row.items() if k != "account" and v is not None},
            }
            for row in rows
        ]
        return len(rows_upsert(model, key=("external_id",), rows=values).created)

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
        apply=_keyed_rows_apply(FeatureRequest),
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
        apply=_keyed_rows_apply(ChampionChange),
    ),
)


def register() -> None:
    fields_register(SIGNAL_DATA)
    for section in SECTIONS:
        section_register(section)
