from django.contrib import admin

from triage.models import Cta, TriageRecord, TriageUpdate


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
