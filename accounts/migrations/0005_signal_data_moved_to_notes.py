from django.db import migrations


class Migration(migrations.Migration):
    """The signal data lives in notes.SignalData now; drop the account columns only after notes
    0003 copied them (and, backwards, restore them before it copies them back)."""

    dependencies = [
        ("accounts", "0004_account_external_id_url_safe"),
        ("notes", "0003_copy_signal_data_from_accounts"),
    ]

    operations = [
        migrations.RemoveField(model_name="account", name="current_version"),
        migrations.RemoveField(model_name="account", name="deployment"),
        migrations.RemoveField(model_name="account", name="licences_purchased"),
        migrations.RemoveField(model_name="account", name="licences_used"),
        migrations.RemoveField(model_name="account", name="product_stages"),
    ]
