from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Scorecard quality"

    def ready(self):
        from accounts.panels import register_account_panel
        from quality import import_sections, panels

        # "Renewal outcomes" on the account page, after the notifications: a record, not an alert.
        register_account_panel(
            name="renewal_outcomes",
            template="quality/_account_panel.html",
            context=panels.account_panel_context,
            order=40,
        )
        # The renewal_outcomes section of import_data's document (and of the API's bulk upsert).
        import_sections.register()
