from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from accounts import events, preview
        from accounts.panels import register_account_panel
        from healthscore import pipeline
        from notifications import digests, panels, selectors, services

        # The account page's panel of every notification sent about the account, after triage
        # (10) and the notes (20).
        register_account_panel(
            name="notifications",
            template="notifications/_account_panel.html",
            context=panels.account_panel_context,
            order=30,
        )

        # A color change tells the people the handbook names, in the change's transaction.
        events.register_consumer(services.notifications_for_changes)
        # The sentiment forms say, before saving, who a color change would tell.
        preview.register_recipients_preview(selectors.recipients_preview)
        # Each drain the drain task runs is followed by sending the emails it created.
        events.register_drain_wrapper(services.outbox_drain_and_send)
        # The daily pipeline's third step: the outbox drain, then every pending email.
        pipeline.register_step("Notifications", services.notifications_step, services.notifications_total, order=30)
        # Then one digest email for each person who chose the daily digest.
        pipeline.register_step("Notification digests", digests.digests_send, digests.digests_total, order=35)
