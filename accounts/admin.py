from django.contrib import admin

from accounts.models import (
    Account,
    HealthChange,
    HealthSnapshot,
    Meeting,
    ScorecardConfig,
    SentimentEntry,
    SuccessPlan,
    SupportTicket,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "external_id",
        "segment",
        "region",
        "arr",
        "public_sector",
        "tam",
        "health_color",
        "health_score",
        "health_date",
    )
    list_filter = ("segment", "region", "public_sector", "onboarding", "health_color")
    search_fields = ("name", "external_id", "tam__username", "tam__email")
    autocomplete_fields = ("tam", "sal", "solutions_architect")
    readonly_fields = ("health_color", "health_score", "health_date", "scored_on", "created_at", "updated_at")
    list_select_related = ("tam",)
    # Other apps add their inlines and filters in their AppConfig.ready() (notes: signal data).
    inlines = ()


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("account", "date", "kind", "status", "external_id")
    list_filter = ("kind", "status")
    search_fields = ("account__name", "account__external_id", "external_id")
    date_hierarchy = "date"
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = ("external_id", "account", "opened", "severity", "status")
    list_filter = ("severity", "status")
    search_fields = ("external_id", "account__name", "account__external_id", "subject")
    date_hierarchy = "opened"
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(SuccessPlan)
class SuccessPlanAdmin(admin.ModelAdmin):
    list_display = ("account", "status", "title", "updated_at")
    list_filter = ("status",)
    search_fields = ("account__name", "account__external_id", "title")
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(SentimentEntry)
class SentimentEntryAdmin(admin.ModelAdmin):
    list_display = ("account", "color", "date", "author", "source", "created_at")
    list_filter = ("color", "source")
    search_fields = ("account__name", "account__external_id", "reason")
    date_hierarchy = "date"
    autocomplete_fields = ("account", "author")
    list_select_related = ("account", "author")


@admin.register(ScorecardConfig)
class ScorecardConfigAdmin(admin.ModelAdmin):
    list_display = (
        "segment",
        "weight_engagement",
        "weight_roi",
        "weight_support",
        "weight_sentiment",
        "green_min_score",
        "yellow_min_score",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("segment",)}),
        (
            "Weights (must add up to 100)",
            {"fields": ("weight_engagement", "weight_roi", "weight_support", "weight_sentiment")},
        ),
        (
            "ARR tiers (Commercial; leave both empty for an untiered segment)",
            {"fields": ("full_measure_arr_min", "engagement_arr_min")},
        ),
        (
            "Engagement: days since the last held meeting",
            {
                "fields": (
                    "engagement_green_days",
                    "engagement_yellow_days",
                    "engagement_long_green_days",
                    "engagement_long_yellow_days",
                )
            },
        ),
        (
            "Support: tickets opened in the window",
            {"fields": ("support_window_days", "support_green_max", "support_yellow_max")},
        ),
        (
            "Points per color and color bands",
            {"fields": ("points_green", "points_yellow", "points_red", "green_min_score", "yellow_min_score")},
        ),
    )


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ("account", "date", "score", "color", "computed_at")
    list_filter = ("color",)
    search_fields = ("account__name", "account__external_id")
    date_hierarchy = "date"
    list_select_related = ("account",)
    readonly_fields = ("account", "date", "score", "color", "measures", "inputs", "computed_at")

    def has_add_permission(self, request):
        return False


@admin.register(HealthChange)
class HealthChangeAdmin(admin.ModelAdmin):
    """The outbox, read-only: pending rows are delivered by the drain task every minute."""

    list_display = ("account", "old_color", "new_color", "as_of", "created_at", "processed_at")
    list_filter = ("new_color", ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("account__name", "account__external_id")
    date_hierarchy = "as_of"
    list_select_related = ("account",)
    readonly_fields = ("account", "old_color", "new_color", "as_of", "created_at", "processed_at")

    def has_add_permission(self, request):
        return False
