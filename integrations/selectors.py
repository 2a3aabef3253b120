"""Reads of the integrations app: what the pages show about each GitLab issue."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import QuerySet

from accounts import mirrors
from accounts.models import Account
from integrations.config import gitlab_config
from integrations.models import GitlabIssue


def gitlab_statuses(record_ids: Collection[int]) -> dict[int, list[mirrors.MirrorStatus]]:
    """The triage record page's line: the issue's link and the sync's state (one query; none,
    and nothing shown, without the GitLab settings)."""
    if gitlab_config() is None:
        return {}
    rows = GitlabIssue.objects.filter(triage_record_id__in=list(record_ids))
    return {
        row.triage_record_id: [mirrors.MirrorStatus("GitLab", row.web_url, row.state, row.status_text)] for row in rows
    }


def account_issues(account: Account) -> QuerySet[GitlabIssue]:
    """The account page's GitLab panel: its records' issues, the newest record first."""
    return GitlabIssue.objects.filter(account=account).order_by("-triage_record_id")
