from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from accounts import services as accounts_services
from accounts.models import (
    Account,
    HealthChange,
    HealthOverride,
    HealthSnapshot,
    Meeting,
    ScorecardConfig,
    ScorecardVersion,
    ScoringRun,
    SentimentEntry,
    SuccessPlan,
    SupportTicket,
)
from accounts.scoring import inputs, whatif, writes
from accounts.scoring import services as scoring
from healthscore import clock
from healthscore.admin import ReadOnlyAdmin
from healthscore.audit import AuditedAdmin


class RescoresAccount:
    """An admin edit of a scorecard input rescores its account at once, as the TAM's forms do:
    no page may show a color that a fresh computation would not give."""

    def save_model(self, request, obj, form, change):
        moved_from = form.initial.get("account") if change else None
        super().save_model(request, obj, form, change)
        scoring.accounts_rescore(account_ids={obj.account_id, moved_from})

    def delete_model(self, request, obj):
        account_id = obj.account_id
        super().delete_model(request, obj)
        scoring.accounts_rescore(account_ids={account_id})

    def delete_queryset(self, request, queryset):
        account_ids = set(queryset.values_list("account_id", flat=True))
        super().delete_queryset(request, queryset)
        scoring.accounts_rescore(account_ids=account_ids)


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
    # Written by the engine only (the overrides are set on the account page, listed below; an
    # edit of the words would have stayed on the lists until the row was next rewritten).
    readonly_fields = (*writes.READ_MODEL, "created_at", "updated_at")
    list_select_related = ("tam",)
    # Other apps add their inlines and filters in their AppConfig.ready() (notes: signal data).
    inlines = ()

    def save_related(self, request, form, formsets, change):
        # Segment and ARR decide which measures apply: a new or edited account is scored at once.
        super().save_related(request, form, formsets, change)
        scoring.accounts_rescore(account_ids={form.instance.pk})


@admin.register(Meeting)
class MeetingAdmin(RescoresAccount, admin.ModelAdmin):
    list_display = ("account", "date", "kind", "status", "external_id")
    list_filter = ("kind", "status")
    search_fields = ("account__name", "account__external_id", "external_id")
    date_hierarchy = "date"
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(SupportTicket)
class SupportTicketAdmin(RescoresAccount, admin.ModelAdmin):
    list_display = ("external_id", "account", "opened", "severity", "status")
    list_filter = ("severity", "status")
    search_fields = ("external_id", "account__name", "account__external_id", "subject")
    date_hierarchy = "opened"
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(SuccessPlan)
class SuccessPlanAdmin(RescoresAccount, admin.ModelAdmin):
    list_display = ("account", "status", "title", "updated_at")
    list_filter = ("status",)
    search_fields = ("account__name", "account__external_id", "title")
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(SentimentEntry)
class SentimentEntryAdmin(RescoresAccount, admin.ModelAdmin):
    list_display = ("account", "color", "date", "author", "source", "created_at")
    list_filter = ("color", "source")
    search_fields = ("account__name", "account__external_id", "reason")
    date_hierarchy = "date"
    autocomplete_fields = ("account", "author")
    list_select_related = ("account", "author")


@admin.register(ScorecardConfig)
class ScorecardConfigAdmin(AuditedAdmin):
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
        (
            "Confidence: how old data may be and still count as fresh",
            {"fields": ("confidence_meeting_days", "confidence_ticket_days", "confidence_plan_days")},
        ),
    )

    # Saving goes through a preview first (what the change would do, accounts.scoring.whatif);
    # the preview's Apply posts the same values again with these two fields.
    APPLY = "_whatif_apply"
    BASE_VERSION = "_whatif_base_version"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)  # the admin's "not found"
        allowed = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if not allowed:
            raise PermissionDenied
        if self.APPLY in request.POST:
            return self._apply(request, obj, object_id, form_url, extra_context)
        form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
        if not form.is_valid():
            # Invalid values: the admin's own form with its field errors, never a preview.
            return super().changeform_view(request, object_id, form_url, extra_context)
        return self._preview(request, form, obj)

    def _preview(self, request, form, obj):
        config = form.instance
        segment_rules = inputs.rules_by_segment()
        result = whatif.whatif_compute(
            segment=config.segment,
            draft=inputs.rules_from_config(config),
            as_of=clock.today(),
            current=segment_rules.get(config.segment),
        )
        labels = {name: form.fields[name].label or name for name in inputs.RULE_FIELDS if name in form.fields}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Preview: what this change to the {config.get_segment_display()} scorecard would do",
            "form": form,
            "whatif": result,
            "diff": [(labels.get(name, name), old, new) for name, old, new in result.diff],
            "apply_field": self.APPLY,
            "base_version_field": self.BASE_VERSION,
            "base_version": accounts_services.scorecard_version_number(config.segment),
            "cancel_url": request.path,
            "backtest_url": _backtest_url(config.segment, inputs.rules_from_config(config)),
        }
        return TemplateResponse(request, "admin/accounts/scorecardconfig/whatif.html", context)

    def _apply(self, request, obj, object_id, form_url, extra_context):
        segment = obj.segment if obj else request.POST.get("segment", "")
        try:
            base_version = int(request.POST.get(self.BASE_VERSION, ""))
        except ValueError:
            base_version = -1
        with transaction.atomic():
            if obj:
                list(ScorecardConfig.objects.select_for_update().filter(pk=obj.pk).values_list("pk"))
            latest = accounts_services.scorecard_version_number(segment)
            if latest != base_version:
                self.message_user(
                    request,
                    f"Not applied: someone else changed this scorecard since your preview (it is now version "
                    f"{latest}). Review the current values and preview your change again.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
            request.whatif_base_version = base_version  # for save_model (the admin object is shared)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The next version, and the whole segment rescored now, not at the next nightly run.
        version = accounts_services.scorecard_config_apply(
            config=obj, by=request.user, base_version=request.whatif_base_version
        )
        self.message_user(request, f"Applied as version {version.number}; every account of the segment rescored.")


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(ReadOnlyAdmin):
    """Every applied configuration, read-only: versions are made by applying a configuration."""

    list_display = ("segment", "number", "created_by", "created_at")
    list_filter = ("segment",)
    list_select_related = ("created_by",)
    readonly_fields = ("segment", "number", "values", "created_by", "created_at")


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ("account", "date", "score", "color", "computed_at")
    list_filter = ("color",)
    search_fields = ("account__name", "account__external_id")
    date_hierarchy = "date"
    list_select_related = ("account",)
    readonly_fields = ("account", "date", "score", "color", "measures", "inputs", "config_version", "computed_at")

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


@admin.register(HealthOverride)
class HealthOverrideAdmin(AuditedAdmin):
    """Overrides, read-only with their history (who changed what, when): they are set, approved
    and cancelled on the account page, where the account is locked and rescored at once."""

    list_display = ("account", "color", "status", "starts_on", "expires_on", "requested_by", "approved_by", "ended_by")
    list_filter = ("status", "color")
    search_fields = ("account__name", "account__external_id", "reason")
    date_hierarchy = "expires_on"
    list_select_related = ("account", "requested_by", "approved_by", "ended_by")
    readonly_fields = (
        "account",
        "color",
        "reason",
        "status",
        "starts_on",
        "expires_on",
        "requested_by",
        "approved_by",
        "approved_at",
        "ended_by",
        "ended_at",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "as_of", "chunks_done", "chunks_total", "started_at", "finished_at")
    readonly_fields = ("as_of", "chunks_done", "chunks_total", "started_at", "finished_at")

    def has_add_permission(self, request):
        return False


def _backtest_url(segment: str, draft) -> str | None:
    """The Scorecard quality page recomputed under this draft (the quality app's page, reached by
    its URL name only: accounts imports no feature app); None when that app is not installed."""
    try:
        page = reverse("quality:page")
    except NoReverseMatch:
        return None
    return f"{page}?{urlencode({'segment': segment})}&{whatif.draft_query(draft)}"
