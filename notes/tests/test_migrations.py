"""The signal data moves from the account row to notes.SignalData without losing a value, and
back again when the migrations are reversed."""

import pytest

from healthscore.tests.migrations import latest, migrate

BEFORE = [("accounts", "0004_account_external_id_url_safe"), ("notes", "0001_meeting_notes_and_health_signals")]
AFTER = [("accounts", "0005_signal_data_moved_to_notes"), ("notes", "0003_copy_signal_data_from_accounts")]
FIELDS = ("deployment", "licences_purchased", "licences_used", "product_stages", "current_version")
SEEDED = {
    "SM1": ("self_managed", 500, 120, ["create", "verify"], "15.4"),
    "SAAS1": ("saas", 40, 39, ["plan"], ""),
    "BARE": ("saas", 0, 0, [], ""),  # the defaults: copied too, one row per account
}


@pytest.mark.django_db(transaction=True)
def test_signal_data_moves_to_notes_and_back():
    leaves = latest()
    try:
        old = migrate(BEFORE)
        Account = old.get_model("accounts", "Account")
        for external_id, values in SEEDED.items():
            Account.objects.create(
                external_id=external_id,
                name=external_id,
                segment="enterprise",
                arr=1,
                region="EMEA",
                **dict(zip(FIELDS, values, strict=True)),
            )

        new = migrate(AFTER)
        SignalData = new.get_model("notes", "SignalData")
        moved = {row[0]: row[1:] for row in SignalData.objects.values_list("account__external_id", *FIELDS)}
        assert moved == {k: tuple(v) for k, v in SEEDED.items()}
        assert not any(f.name in FIELDS for f in new.get_model("accounts", "Account")._meta.get_fields())

        back = migrate(BEFORE)
        restored = back.get_model("accounts", "Account").objects.values_list("external_id", *FIELDS)
        assert {row[0]: row[1:] for row in restored} == {k: tuple(v) for k, v in SEEDED.items()}
    finally:
        migrate(leaves)
