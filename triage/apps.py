from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage and CTAs"

    def ready(self):
        from accounts import events, listeners, listing
        from accounts import mirrors as outside_mirrors
        from accounts.panels import register_account_panel
        from accounts.scoring import services as scoring
        from healthscore import pipeline
        from triage import mirrors, panels, selectors
        from triage.jobs import ctas, triage_run

        # The account page's triage panel comes first: open triage and CTAs are what to act on.
        register_account_panel(
            name="triage", template="triage/_account_panel.html", context=panels.account_panel_context, order=10
        )

        # Every account list filters on "has an open triage record" (accounts.listing).
        listing.register_flag(
            listing.AccountFlag(key="open_triage", label="Has open triage", q=selectors.open_triage_q)
        )
        # A color change runs the triage pass on its account at once, in the change's transaction.
        events.register_consumer(triage_run.triage_for_changes)
        # A TAM updating or confirming the health closes the "Update health score" CTA at once.
        if ctas.health_update_cta_close not in scoring.health_update_listeners:
            scoring.health_update_listeners.append(ctas.health_update_cta_close)
        # A held cadence call (activity, meeting note, import) closes "Missed cadence call" at once.
        listeners.register_meetings_logged(ctas.cadence_cta_close)
        # Outside mirrors (the GitLab Account Triage project) read the records as plain facts.
        outside_mirrors.register_triage_source(mirrors.triage_facts, labels=mirrors.LABELS)
        # The daily pipeline's steps 2, 4 and 5 (notifications, 3, is the notifications app's).
        pipeline.register_step("Triage", triage_run.triage_run, triage_run.triage_total, order=20)
        pipeline.register_step("Health CTAs", ctas.ctas_health_open, ctas.stale_total, order=40)
        pipeline.register_step("Cadence CTAs", ctas.ctas_cadence_open, ctas.cadence_total, order=50)
        # An override's owner is reminded in its last week (accounts.overrides).
        pipeline.register_step("Override CTAs", ctas.ctas_override_open, ctas.override_total, order=55)
