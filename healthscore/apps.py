from django.apps import AppConfig


class HealthscoreConfig(AppConfig):
    """The project's floor as an app only for its one model, the daily pipeline's DailyRun."""

    name = "healthscore"
    verbose_name = "Healthscore"
    default_auto_field = "django.db.models.BigAutoField"
