from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and scorecard"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import import_sections, steps
        from healthscore import pipeline, sessions

        # A session's clock starts at login (its idle and absolute limits; healthscore.sessions).
        user_logged_in.connect(sessions.session_clock_start, dispatch_uid="healthscore_session_clock")

        # accounts, meetings, tickets, success_plans and sentiments of the import document.
        import_sections.register()
        # The daily pipeline's first step: score every account as of the day.
        pipeline.register_step("Scoring", steps.scoring_step, steps.scoring_total, order=10)
