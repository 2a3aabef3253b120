from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Meeting notes"

    def ready(self):
        from accounts.panels import register_account_panel
        from notes import admin, import_sections, panels

        # Health Score Reasons, after the triage panel: what to act on comes first.
        register_account_panel(
            name="notes", template="notes/_account_panel.html", context=panels.account_panel_context, order=20
        )
        # The signal data, feature requests and champion changes on the account's admin page.
        admin.account_admin_extend()
        # The signal data of the `accounts` rows, and the sections feature_requests and champion_changes.
        import_sections.register()
