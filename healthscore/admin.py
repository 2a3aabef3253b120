"""The audit trail in Django admin: people's access changes, and every audited model's versions."""

from django.apps import apps
from django.contrib import admin

from healthscore.models import RoleChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit trail is read, never written or pruned, from admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """Who was given or lost a role (or the superuser, staff, active flag), by whom, when, how."""

    list_display = ("at", "username", "role", "action", "by_username", "via")
    list_filter = ("action", "role", "via")
    search_fields = ("username", "by_username", "role")
    date_hierarchy = "at"


class HistoryLogAdmin(ReadOnlyAdmin):
    """Every version of an audited model, across all its rows (deleted ones included)."""

    list_display = ("history_date", "row", "history_type", "history_user", "history_change_reason")
    list_filter = ("history_type",)
    date_hierarchy = "history_date"
    list_select_related = ("history_user",)

    @admin.display(description="row", ordering="id")
    def row(self, version):
        # The row's id, not its __str__: that may read a related row per line (a role's user).
        return f"{version.instance_type._meta.verbose_name} #{version.id}"


def register_history_logs() -> None:
    """One read-only list per audited model (audit.history()): nothing to add for a new one."""
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute is None:
            continue
        historical = getattr(model, attribute).model
        if not admin.site.is_registered(historical):
            admin.site.register(historical, HistoryLogAdmin)


register_history_logs()
