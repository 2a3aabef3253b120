"""Copy every account's signal data (deployment, licences, stages, version) from the account row
into notes.SignalData, set-based; backwards, copy it back onto the account (whose fields
accounts 0005 has just restored)."""

from django.db import migrations

FIELDS = ("deployment", "licences_purchased", "licences_used", "product_stages", "current_version")
BATCH = 2000


def copy_to_notes(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    SignalData = apps.get_model("notes", "SignalData")
    rows = Account.objects.order_by("pk").values_list("pk", *FIELDS).iterator(chunk_size=BATCH)
    batch = []
    for pk, *values in rows:
        batch.append(SignalData(account_id=pk, **dict(zip(FIELDS, values, strict=True))))
        if len(batch) == BATCH:
            SignalData.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    SignalData.objects.bulk_create(batch, ignore_conflicts=True)


def copy_to_accounts(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    SignalData = apps.get_model("notes", "SignalData")
    batch = []
    for pk, *values in SignalData.objects.order_by("pk").values_list("pk", *FIELDS).iterator(chunk_size=BATCH):
        batch.append(Account(pk=pk, **dict(zip(FIELDS, values, strict=True))))
        if len(batch) == BATCH:
            Account.objects.bulk_update(batch, FIELDS)
            batch = []
    Account.objects.bulk_update(batch, FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_account_external_id_url_safe"),
        ("notes", "0002_signal_data_model"),
    ]

    operations = [migrations.RunPython(copy_to_notes, copy_to_accounts)]
