from django.apps import AppConfig


class HealthscoreConfig(AppConfig):
    """The project's floor as an app for its own models: the daily pipeline's DailyRun and the
    audit trail of people's access (RoleChange)."""

    name = "healthscore"
    verbose_name = "Healthscore"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from healthscore import audit

        audit.connect_access_audit()
