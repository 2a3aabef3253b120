from django.contrib import admin

from triage.models import Cta, HealthChange, Notification, RoleAssignment, TriageRecord, TriageUpdate


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Who is notified: the handbook's roles, per region where they are regional."""

    list_display = ("role", "region", "user")
    list_filter = ("role", "region")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)


class TriageUpdateInline(admin.TabularInline):
    model = TriageUpdate
    extra = 0
    fields = ("created_at", "kind", "author", "text")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("author",)


@admin.register(TriageRecord)
class TriageRecordAdmin(admin.ModelAdmin):
    list_display = ("account", "status", "risk", "region", "classification", "owner", "opened_on", "closed_on")
    list_filter = ("status", "risk", "region", "classification", "origin")
    search_fields = ("account__name", "account__external_id", "plan", "resolution")
    date_hierarchy = "opened_on"
    autocomplete_fields = ("account", "owner", "opened_by", "closed_by")
    list_select_related = ("account", "owner")
    readonly_fields = ("created_at", "updated_at")
    inlines = [TriageUpdateInline]


@admin.register(Cta)
class CtaAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "state", "opened_on", "snoozed_until", "resolved_on", "resolution")
    list_filter = ("kind", "state")
    search_fields = ("account__name", "account__external_id", "detail", "dismiss_reason")
    date_hierarchy = "opened_on"
    autocomplete_fields = ("account", "triage", "resolved_by")
    list_select_related = ("account",)
    readonly_fields = ("created_at", "updated_at")


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The sent-log: one row per person and change, with its email's fate."""

    list_display = ("account", "new_color", "recipient", "roles", "created_at", "read_at", "email_status", "emailed_at")
    list_filter = ("email_status", "new_color", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("account__name", "recipient__username", "recipient__email")
    date_hierarchy = "created_at"
    list_select_related = ("account", "recipient")
    readonly_fields = (
        "change",
        "recipient",
        "account",
        "old_color",
        "new_color",
        "roles",
        "created_at",
        "emailed_at",
        "email_attempts",
        "email_error",
    )

    def has_add_permission(self, request):
        return False
