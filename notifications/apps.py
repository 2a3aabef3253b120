from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from accounts import events
        from healthscore import pipeline
        from notifications import services

        # A color change tells the people the handbook names, in the change's transaction.
        events.register_consumer(services.notifications_for_changes)
        # Each drain the drain task runs is followed by sending the emails it created.
        events.register_drain_wrapper(services.outbox_drain_and_send)
        # The daily pipeline's third step: the outbox drain, then every pending email.
        pipeline.register_step("Notifications", services.notifications_step, services.notifications_total, order=30)
