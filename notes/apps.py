from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Meeting notes"

    def ready(self):
        from notes import admin, import_sections

        # The signal data, feature requests and champion changes on the account's admin page.
        admin.account_admin_extend()
        # The signal data of the `accounts` rows, and the sections feature_requests and champion_changes.
        import_sections.register()
