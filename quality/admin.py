from django.contrib import admin

from healthscore.audit import AuditedAdmin
from quality.models import RenewalOutcome


@admin.register(RenewalOutcome)
class RenewalOutcomeAdmin(AuditedAdmin):
    list_display = ("account", "date", "outcome", "arr", "recorded_by", "created_at")
    list_filter = ("outcome", "date")
    search_fields = ("account__name", "account__external_id")
    raw_id_fields = ("account",)
    readonly_fields = ("recorded_by", "created_at")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
