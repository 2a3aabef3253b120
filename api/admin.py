from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see and revoke tokens; keys are never shown (only their hash is stored)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_on", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at", "expires_on", "revoked_at"]

    def has_add_permission(self, request):
        return False  # tokens are created by their owner, on the API tokens page
