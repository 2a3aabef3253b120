from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from accounts import events, mirrors
        from accounts.panels import register_account_panel
        from integrations import panels, selectors, services

        # The account page shows the GitLab issues of its triage records after the triage panel.
        register_account_panel(
            name="gitlab", template="integrations/_account_panel.html", context=panels.account_panel_context, order=15
        )
        # Every open, edit, close or relabelling of a triage record marks its issue for sync in
        # the same transaction; the sync runs in a Celery task after the commit.
        mirrors.register_triage_listener(services.gitlab_mark)
        # A color change (the outbox) relabels the account's issues (HS::Red, ...); registered
        # after triage's consumer (INSTALLED_APPS order), so the records already follow the color.
        events.register_consumer(services.gitlab_mark_for_changes)
        # The triage record page shows the link and the sync's state.
        mirrors.register_mirror_status(selectors.gitlab_statuses)
