from django.contrib import admin

from healthscore.audit import AuditedAdmin
from notifications.models import EmailPreference, Notification, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    """Who is notified: the handbook's roles, per region where they are regional."""

    list_display = ("role", "region", "user")
    list_filter = ("role", "region")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)


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


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    """How each person gets notification emails (people set it on their Notifications page)."""

    list_display = ("user", "mode", "updated_at")
    list_filter = ("mode",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)
