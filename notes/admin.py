"""Admin for the data behind the health signals. Meeting notes themselves are deliberately not in
the admin: they are read and written on the notes pages only (no admin lists, searches or
history entries with note text)."""

from django.contrib import admin

from accounts.admin import AccountAdmin
from notes.models import ChampionChange, FeatureRequest, ProductRelease, RiskAssessment, SignalData


@admin.register(ProductRelease)
class ProductReleaseAdmin(admin.ModelAdmin):
    """The highest version here is "the latest release" the upgrade signal compares against."""

    list_display = ("version", "released_on")
    ordering = ("-major", "-minor")


@admin.register(FeatureRequest)
class FeatureRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "account", "important", "status", "opened", "external_id")
    list_filter = ("important", "status")
    search_fields = ("title", "external_id", "account__name", "account__external_id")
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(ChampionChange)
class ChampionChangeAdmin(admin.ModelAdmin):
    list_display = ("account", "person", "role", "change", "date", "external_id")
    list_filter = ("role", "change")
    search_fields = ("person", "external_id", "account__name", "account__external_id")
    date_hierarchy = "date"
    autocomplete_fields = ("account",)
    list_select_related = ("account",)


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "date",
        "product_adoption",
        "product_experience",
        "customer_engagement",
        "sponsor_or_champion",
        "customer_sentiment",
        "organizational_factors",
        "author",
    )
    list_filter = ("date",)
    search_fields = ("account__name", "account__external_id")
    autocomplete_fields = ("account", "author")
    list_select_related = ("account", "author")


class SignalDataInline(admin.StackedInline):
    """On the account's admin page (added by account_admin_extend)."""

    model = SignalData
    fields = ("deployment", "licences_purchased", "licences_used", "product_stages", "current_version")
    can_delete = False


class FeatureRequestInline(admin.TabularInline):
    """On the account's admin page (added by account_admin_extend)."""

    model = FeatureRequest
    fields = ("title", "important", "status", "opened", "external_id")
    extra = 0


class ChampionChangeInline(admin.TabularInline):
    """On the account's admin page (added by account_admin_extend)."""

    model = ChampionChange
    fields = ("person", "role", "change", "date", "external_id")
    extra = 0


def account_admin_extend() -> None:
    """Show the data behind the health signals on the account's admin page (called in
    NotesConfig.ready(): `accounts` knows nothing of notes)."""
    inlines = (SignalDataInline, FeatureRequestInline, ChampionChangeInline)
    AccountAdmin.inlines = (*AccountAdmin.inlines, *(i for i in inlines if i not in AccountAdmin.inlines))
    if "signal_data__deployment" not in AccountAdmin.list_filter:
        AccountAdmin.list_filter = (*AccountAdmin.list_filter, "signal_data__deployment")
