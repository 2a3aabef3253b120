from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and scorecard"

    def ready(self):
        from accounts import import_sections, steps
        from healthscore import pipeline

        # accounts, meetings, tickets, success_plans and sentiments of the import document.
        import_sections.register()
        # The daily pipeline's first step: score every account as of the day.
        pipeline.register_step("Scoring", steps.scoring_step, steps.scoring_total, order=10)
