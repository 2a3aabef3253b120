from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The manager's risk dashboard: reads accounts, owns no models."""

    name = "dashboard"
    verbose_name = "Risk dashboard"
