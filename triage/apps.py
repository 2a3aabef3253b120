from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage, CTAs and notifications"

    def ready(self):
        from accounts.panels import register_account_panel
        from accounts.scoring import services as scoring
        from triage import jobs, panels

        # The account page's triage panel comes first: open triage and CTAs are what to act on.
        register_account_panel(
            name="triage", template="triage/_account_panel.html", context=panels.account_panel_context, order=10
        )

        # Every color change writes an outbox row in its own transaction (notifications, triage).
        if jobs.health_changes_record not in scoring.color_change_listeners:
            scoring.color_change_listeners.append(jobs.health_changes_record)
        # A TAM updating or confirming the health closes the "Update health score" CTA at once.
        if jobs.health_update_cta_close not in scoring.health_update_listeners:
            scoring.health_update_listeners.append(jobs.health_update_cta_close)
