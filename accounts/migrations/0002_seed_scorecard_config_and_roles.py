"""Seed the handbook's scorecard configuration per segment and the three role groups."""

from decimal import Decimal

from django.db import migrations

HANDBOOK = {
    "weight_engagement": 10,
    "weight_roi": 10,
    "weight_support": 5,
    "weight_sentiment": 75,
    "engagement_green_days": 30,
    "engagement_yellow_days": 60,
    "engagement_long_green_days": 90,
    "engagement_long_yellow_days": 120,
    "support_window_days": 30,
    "support_green_max": 5,
    "support_yellow_max": 15,
    "points_green": 100,
    "points_yellow": 50,
    "points_red": 0,
    "green_min_score": 76,
    "yellow_min_score": 51,
}


def seed(apps, schema_editor):
    ScorecardConfig = apps.get_model("accounts", "ScorecardConfig")
    ScorecardConfig.objects.get_or_create(segment="enterprise", defaults=HANDBOOK)
    ScorecardConfig.objects.get_or_create(
        segment="commercial",
        defaults={
            **HANDBOOK,
            # Mid-Market >= 50k ARR: fully measured; 20k-50k: long engagement limits, no ROI.
            "full_measure_arr_min": Decimal("50000"),
            "engagement_arr_min": Decimal("20000"),
        },
    )
    Group = apps.get_model("auth", "Group")
    for name in ("TAM", "Manager", "Admin"):
        Group.objects.get_or_create(name=name)


def unseed(apps, schema_editor):
    apps.get_model("accounts", "ScorecardConfig").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
