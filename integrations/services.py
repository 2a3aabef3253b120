"""Mirroring triage records as issues in the GitLab Account Triage project (docs/integrations.md).

The flow is an outbox: a change of triage records marks their GitlabIssue rows "pending" in the
transaction that changed them (gitlab_mark, a listener of accounts.mirrors; a color change
reaches it through the health-change outbox too); after the commit a Celery task syncs each
record (gitlab_issue_sync), retrying with backoff; a beat sweep picks up whatever is still
pending. Nothing here runs, and nothing is written, unless GITLAB_URL, GITLAB_TOKEN and
GITLAB_TRIAGE_PROJECT are all set.

A sync is idempotent: the issue's iid is stored the moment GitLab answers a create, and a sync
without an iid first looks for an issue carrying the record's marker, so a create whose answer
was lost (a timeout, a worker killed before storing the iid) never leads to a second issue.
GitLab being down, slow or refusing never raises out of a sync: the row says why, and retries
or waits for an admin.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass

import gitlab
import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import mirrors
from accounts.models import Account, HealthChange
from accounts.scoring import inputs as scoring_inputs
from healthscore import clock
from integrations import issue_content
from integrations.config import GitlabConfig, gitlab_config
from integrations.models import GitlabIssue, SyncState

logger = logging.getLogger(__name__)

# Failed attempts before a sync gives up and waits for an admin's retry (about 15 minutes of
# retries with the backoff below: 30 s, 1, 2, 4, 8 minutes).
MAX_ATTEMPTS = 6
BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60
# A sync makes at most three calls, each bounded by GITLAB_TIMEOUT_SECONDS.
LEASE = dt.timedelta(seconds=120)
# A change made while a sync runs is synced again at once, this many times at most.
PASSES = 3


def backoff_seconds(attempts: int) -> int:
    """How long to wait after the `attempts`-th failure in a row (1 → 30 s, doubling, at most 30 min)."""
    return min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


# --- Marking: in the transaction that changed the records --------------------------------------


def gitlab_mark(*, account_ids: Collection[int]) -> list[int]:
    """These accounts' triage records changed: their issues are to be synced (created for an
    open record without one). Returns the records marked; the sync is enqueued after commit."""
    if gitlab_config() is None or not account_ids:
        return []
    facts = mirrors.triage_facts(account_ids=account_ids)
    existing = dict(
        GitlabIssue.objects.filter(triage_record_id__in=[f.record_id for f in facts]).values_list(
            "triage_record_id", "closed_in_gitlab"
        )
    )
    # An open record is mirrored; a closed one only to close the issue it already has (records
    # closed before GitLab was configured stay in Healthscore); a closed record whose issue is
    # closed has said its last word.
    new = [f for f in facts if f.is_open and f.record_id not in existing]
    done = {f.record_id for f in facts if not f.is_open and existing.get(f.record_id)}
    again = [f.record_id for f in facts if f.record_id in existing and f.record_id not in done]
    now = timezone.now()
    GitlabIssue.objects.bulk_create(
        [GitlabIssue(triage_record_id=f.record_id, account_id=f.account_id, next_attempt_at=now) for f in new],
        ignore_conflicts=True,
    )
    _pending(GitlabIssue.objects.filter(triage_record_id__in=again), now=now)
    marked = [f.record_id for f in new] + again
    if marked:
        transaction.on_commit(lambda: _enqueue(marked), robust=True)
    return marked


def gitlab_mark_for_changes(changes: list[HealthChange], *, today: dt.date) -> None:
    """Consumer of the health-change outbox: the issues of accounts that changed color take the
    new HS:: label (triage's consumer, registered before this one, has relabelled the records)."""
    gitlab_mark(account_ids={change.account_id for change in changes})


def _pending(rows: QuerySet[GitlabIssue], *, now) -> int:
    """Rows to sync again, from a fresh count of attempts; a sync already running notices the
    new version and syncs once more."""
    return rows.update(
        state=SyncState.PENDING, attempts=0, last_error="", next_attempt_at=now, version=F("version") + 1
    )


def _enqueue(record_ids: list[int]) -> None:
    from integrations import tasks  # the tasks module imports this one

    tasks.gitlab_sync_enqueue(record_ids)


def gitlab_retry(*, issues: QuerySet[GitlabIssue]) -> int:
    """An admin's retry: the chosen issues are synced again now, from a fresh count of attempts."""
    record_ids = list(issues.values_list("triage_record_id", flat=True))
    with transaction.atomic():
        count = _pending(GitlabIssue.objects.filter(triage_record_id__in=record_ids), now=timezone.now())
        transaction.on_commit(lambda: _enqueue(record_ids), robust=True)
    return count


def gitlab_sweep() -> str:
    """The beat sweep: open records without an issue row get one (opened before GitLab was
    configured, or while the listener could not run), and every pending row that is due and
    not held by a running sync is enqueued."""
    if gitlab_config() is None:
        return "GitLab is not configured: nothing to sync."
    now = timezone.now()
    open_facts = mirrors.triage_facts(open_only=True)
    known = set(
        GitlabIssue.objects.filter(triage_record_id__in=[f.record_id for f in open_facts]).values_list(
            "triage_record_id", flat=True
        )
    )
    GitlabIssue.objects.bulk_create(
        [
            GitlabIssue(triage_record_id=f.record_id, account_id=f.account_id, next_attempt_at=now)
            for f in open_facts
            if f.record_id not in known
        ],
        ignore_conflicts=True,
    )
    due = list(
        GitlabIssue.objects.filter(state=SyncState.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("triage_record_id")
        .values_list("triage_record_id", flat=True)
    )
    _enqueue(due)
    return f"GitLab: {len(due)} issue syncs enqueued."


# --- The sync: in a Celery task, outside any transaction ---------------------------------------


@dataclass(frozen=True)
class SyncOutcome:
    """What a sync did; `retry_in` (seconds) when the task should try again."""

    state: str  # a SyncState value, or "skipped"
    detail: str = ""
    retry_in: int | None = None

    def __str__(self) -> str:
        return f"GitLab sync {self.state}" + (f": {self.detail}" if self.detail else "")


class _SyncAgain(Exception):
    """The record changed during the sync (or its issue vanished): sync once more at once."""


def gitlab_issue_sync(*, record_id: int) -> SyncOutcome:
    """Create or update the record's issue so that it says what the record says; close it with
    the record. Safe to run twice or at once: a lease lets one sync run per record."""
    config = gitlab_config()
    if config is None:
        return SyncOutcome("skipped", "GitLab is not configured")
    for _ in range(PASSES):
        row = _claim(record_id)
        if row is None:
            return SyncOutcome("skipped", "nothing pending, or another sync is running")
        try:
            return _sync(row, config)
        except _SyncAgain:
            continue
    return SyncOutcome(SyncState.PENDING, "the record kept changing", retry_in=BACKOFF_FIRST_SECONDS)


def _claim(record_id: int) -> GitlabIssue | None:
    """Take the pending row for one sync (a compare-and-set on the lease), or None."""
    now = timezone.now()
    claimed = (
        GitlabIssue.objects.filter(triage_record_id=record_id, state=SyncState.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    return GitlabIssue.objects.get(triage_record_id=record_id) if claimed else None


def _sync(row: GitlabIssue, config: GitlabConfig) -> SyncOutcome:
    facts = mirrors.triage_facts(record_ids=[row.triage_record_id])
    if not facts:
        return _failed(row, "the triage record no longer exists in Healthscore", permanent=True)
    content = _content(facts[0])
    try:
        with _client(config) as client:
            project = client.projects.get(config.project, lazy=True)  # no request
            just_created = False
            if row.iid is None:
                found = _find(project, row.triage_record_id)
                if found is None:
                    created = project.issues.create(
                        {"title": content.title, "description": content.description, "labels": list(content.labels)},
                        obey_rate_limit=False,
                    )
                    found, just_created = (created.iid, created.web_url), True
                _remember(row, *found)
            if content.fingerprint() != row.synced_fingerprint and not (just_created and not content.closed):
                _update(project, row, content)
    except (gitlab.GitlabError, requests.RequestException) as exc:
        reason, permanent = _reason(exc, config)
        return _failed(row, reason, permanent=permanent)
    return _succeeded(row, content)


def _content(facts: mirrors.TriageFacts) -> issue_content.IssueContent:
    account = Account.objects.select_related("tam").get(pk=facts.account_id)
    scorecard = scoring_inputs.account_scorecard(account, clock.today()) if account.health_color else None
    return issue_content.content_for(
        facts=facts,
        account=issue_content.AccountFacts(
            name=account.name,
            external_id=account.external_id,
            arr=account.arr,
            segment=account.get_segment_display(),
            tam=(account.tam.get_full_name() or account.tam.username) if account.tam else "",
            path=reverse("account_detail", args=[account.external_id]),
        ),
        scorecard=scorecard,
        site_url=settings.SITE_URL,
    )


def _client(config: GitlabConfig) -> gitlab.Gitlab:
    """A client whose every call is bounded by the timeout, and which neither retries nor sleeps
    on a 429 by itself (the task's backoff does the retrying); closed after each sync."""
    return gitlab.Gitlab(config.url, private_token=config.token, timeout=config.timeout, retry_transient_errors=False)


def _find(project, record_id: int) -> tuple[int, str] | None:
    """The issue an earlier sync created for this record whose answer never arrived."""
    line = issue_content.marker_line(record_id)
    # query_parameters, because "in" is a Python keyword; python-gitlab then sends only these.
    issues = project.issues.list(
        query_parameters={"search": issue_content.marker(record_id), "in": "description", "per_page": 100},
        get_all=False,
        obey_rate_limit=False,
    )
    mine = sorted((i for i in issues if line in (i.description or "").splitlines()), key=lambda i: i.iid)
    return (mine[0].iid, mine[0].web_url) if mine else None


def _remember(row: GitlabIssue, iid: int, web_url: str) -> None:
    """Store the issue at once, before anything else can fail. The link is shown as a link: only
    an http(s) address is kept."""
    web_url = web_url if str(web_url).startswith(("https://", "http://")) else ""
    GitlabIssue.objects.filter(pk=row.pk).update(iid=iid, web_url=web_url)
    row.iid, row.web_url = iid, web_url


def _update(project, row: GitlabIssue, content: issue_content.IssueContent) -> None:
    data = {
        "title": content.title,
        "description": content.description,
        "add_labels": ",".join(content.labels),
        "remove_labels": ",".join(content.labels_to_remove(mirrors.triage_labels())),
        "state_event": "close" if content.closed else "reopen",
    }
    try:
        project.issues.update(row.iid, data, obey_rate_limit=False)
    except gitlab.GitlabError as exc:
        if exc.response_code != 404:
            raise
        # The issue was deleted in GitLab: forget it, and the next pass creates a new one.
        GitlabIssue.objects.filter(pk=row.pk).update(iid=None, web_url="", synced_fingerprint="", lease_until=None)
        raise _SyncAgain from exc


def _succeeded(row: GitlabIssue, content: issue_content.IssueContent) -> SyncOutcome:
    done = dict(synced_fingerprint=content.fingerprint(), closed_in_gitlab=content.closed, lease_until=None)
    synced = GitlabIssue.objects.filter(pk=row.pk, version=row.version).update(
        state=SyncState.SYNCED, last_error="", attempts=0, next_attempt_at=None, synced_at=timezone.now(), **done
    )
    if not synced:  # changed while we synced: what GitLab has is recorded, and we go again
        GitlabIssue.objects.filter(pk=row.pk).update(**done)
        raise _SyncAgain
    return SyncOutcome(SyncState.SYNCED, f"issue #{row.iid}")


def _failed(row: GitlabIssue, reason: str, *, permanent: bool) -> SyncOutcome:
    attempts = row.attempts + 1
    gives_up = permanent or attempts >= MAX_ATTEMPTS
    if gives_up and not permanent:
        reason = f"{reason} (gave up after {attempts} attempts)"
    retry_in = None if gives_up else backoff_seconds(attempts)
    now = timezone.now()
    GitlabIssue.objects.filter(pk=row.pk).update(
        state=SyncState.FAILED if gives_up else SyncState.PENDING,
        last_error=reason[:300],
        attempts=attempts,
        next_attempt_at=None if retry_in is None else now + dt.timedelta(seconds=retry_in),
        lease_until=None,
    )
    logger.warning("GitLab sync of triage record %s failed: %s", row.triage_record_id, reason)
    return SyncOutcome(SyncState.FAILED if gives_up else SyncState.PENDING, reason, retry_in=retry_in)


def _reason(exc: Exception, config: GitlabConfig) -> tuple[str, bool]:
    """What went wrong in words, and whether trying again could help without someone acting."""
    if isinstance(exc, requests.Timeout):
        return f"GitLab did not answer within {config.timeout:g} s", False
    if isinstance(exc, requests.ConnectionError):
        return f"GitLab could not be reached at {config.url}", False
    if isinstance(exc, requests.RequestException):
        return f"the request to GitLab failed ({type(exc).__name__})", False
    code = getattr(exc, "response_code", None)
    if code == 401:
        return "GitLab refused the token (401 Unauthorized): check GITLAB_TOKEN", True
    if code == 403:
        return f"the token may not write issues in {config.project} (403 Forbidden)", True
    if code == 404:
        return f"GitLab has no project {config.project} (404 Not Found): check GITLAB_TRIAGE_PROJECT", True
    if code == 429:
        return "GitLab asked to slow down (429 Too Many Requests)", False
    if code is None or code >= 500:
        return f"GitLab answered {code or 'unreadably'} (a server error)", False
    return f"GitLab refused the issue ({code}: {str(exc.error_message)[:150]})", True
