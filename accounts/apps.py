from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and scorecard"

    def ready(self):
        from accounts import import_sections

        # accounts, meetings, tickets, success_plans and sentiments of the import document.
        import_sections.register()
