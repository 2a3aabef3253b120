"""The GitLab settings (README, "GitLab Account Triage project")."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class GitlabConfig:
    url: str
    token: str = field(repr=False)  # never in a log line
    project: str
    timeout: float


def gitlab_config() -> GitlabConfig | None:
    """The GitLab settings, or None when any of the three is missing (then nothing happens)."""
    if not (settings.GITLAB_URL and settings.GITLAB_TOKEN and settings.GITLAB_TRIAGE_PROJECT):
        return None
    return GitlabConfig(
        url=settings.GITLAB_URL,
        token=settings.GITLAB_TOKEN,
        project=settings.GITLAB_TRIAGE_PROJECT,
        timeout=settings.GITLAB_TIMEOUT_SECONDS,
    )
