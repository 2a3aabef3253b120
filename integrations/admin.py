from django.contrib import admin, messages

from healthscore import permissions
from integrations import config, services
from integrations.models import GitlabIssue


@admin.register(GitlabIssue)
class GitlabIssueAdmin(admin.ModelAdmin):
    """The GitLab issues of triage records: read-only, with a retry for admins."""

    list_display = ("triage_record_id", "account", "iid", "state", "last_error", "attempts", "synced_at")
    list_filter = ("state",)
    search_fields = ("account__name", "account__external_id", "=triage_record_id", "=iid")
    list_select_related = ("account",)
    actions = ["retry_sync"]

    def has_add_permission(self, request):
        return False  # rows follow triage records

    def has_change_permission(self, request, obj=None):
        return False  # the sync writes them; an admin retries

    def has_retry_permission(self, request) -> bool:
        return permissions.is_admin(request.user)

    @admin.action(description="Retry the GitLab sync of the selected issues", permissions=["retry"])
    def retry_sync(self, request, queryset):
        if config.gitlab_config() is None:
            self.message_user(
                request, "GitLab is not configured (GITLAB_* settings): nothing to retry.", messages.ERROR
            )
            return
        count = services.gitlab_retry(issues=queryset)
        self.message_user(request, f"{count} GitLab sync(s) queued again.", messages.SUCCESS)
