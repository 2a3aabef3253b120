"""The GitLab mirror against a GitLab on loopback, through the real python-gitlab client: the
triage services' changes reach the issue; each fault leaves the save done and the row saying
why; a sync cut off half-way never makes a second issue."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Color, Region, Segment
from integrations import services
from integrations.models import GitlabIssue, SyncState
from integrations.tests.fake_gitlab import closed_port_url
from notes.tests.factories import NoteEntryFactory
from triage import services as triage_services
from triage.models import TriageRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_record(account_in, tam, django_capture_on_commit_callbacks):
    """open_record(color=..., **account fields): the TAM opens a triage record; the commit's
    callbacks (the sync, eager in tests) run as they would after a real commit."""

    def make(color=Color.YELLOW, **fields) -> TriageRecord:
        account = account_in(color, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            return triage_services.triage_open(account=account, by=tam)

    return make


def after_commit(django_capture_on_commit_callbacks, action):
    with django_capture_on_commit_callbacks(execute=True):
        return action()


def row(record) -> GitlabIssue:
    return GitlabIssue.objects.get(triage_record_id=record.pk)


# --- What is sent ---------------------------------------------------------------------------


def test_opening_a_record_creates_one_issue_with_the_handbook_template_and_labels(gitlab, open_record, tam):
    tam.first_name, tam.last_name = "Tess", "Manning"
    tam.save()
    record = open_record(name="Acme Corp", region=Region.EMEA)

    issue = gitlab.only_issue()
    assert issue["title"] == "Acme Corp - Account Triage"
    assert issue["labels"] == ["HS::Yellow", "EMEA"]
    description = issue["description"]
    for expected in (
        "[Acme Corp](http://testserver/accounts/",
        "**ARR:** $120,000",
        "**Segment:** Enterprise",
        "**TAM:** Tess Manning",
        "**Yellow**, score",
        "| TAM Sentiment | Yellow |",
        "| Engagement | Green |",
        "3 days since last meeting",
        f"(http://testserver/triage/records/{record.pk}/)",
        f"<!-- healthscore-triage-record-{record.pk} -->",
    ):
        assert expected in description
    mirror = row(record)
    assert (mirror.state, mirror.iid, mirror.web_url) == (SyncState.SYNCED, issue["iid"], issue["web_url"])
    # It looked for an issue an earlier attempt created (by the record's marker), then created it.
    assert gitlab.methods() == ["GET", "POST"]
    assert gitlab.queries[0] == {
        "search": f"healthscore-triage-record-{record.pk}",
        "in": "description",
        "per_page": "100",
    }


def test_a_commercial_account_takes_the_commercial_label(gitlab, open_record):
    open_record(segment=Segment.COMMERCIAL, region=Region.APAC, arr=100_000)
    assert gitlab.only_issue()["labels"] == ["HS::Yellow", "Commercial"]


def test_sentiment_reasons_and_meeting_notes_never_reach_gitlab(
    gitlab, account_in, tam, django_capture_on_commit_callbacks
):
    account = account_in(Color.YELLOW)
    NoteEntryFactory(account=account, product_feedback="Private: the champion is leaving in March")
    after_commit(
        django_capture_on_commit_callbacks,
        lambda: account_services.sentiment_update(
            account=account, color=Color.RED, reason="Secret: the CFO is shopping for a competitor", by=tam
        ),
    )
    record = TriageRecord.objects.get(account=account)  # red opened it automatically (the outbox)
    assert row(record).state == SyncState.SYNCED
    description = gitlab.only_issue()["description"]
    assert "Secret" not in description and "CFO" not in description
    assert "Private" not in description and "champion" not in description
    assert "Set to red on" in description  # the sentiment measure's color and date, never its reason


def test_editing_the_labels_relabels_the_issue_and_keeps_a_persons_own(
    gitlab, open_record, tam, django_capture_on_commit_callbacks
):
    record = open_record()
    issue = gitlab.only_issue()
    issue["labels"].append("workflow::in progress")  # added by someone in GitLab

    after_commit(
        django_capture_on_commit_callbacks,
        lambda: triage_services.triage_edit(
            triage=record, by=tam, classification="U&A", risk_reasons=["risk::lack of adoption"], plan="Plan A"
        ),
    )
    assert set(issue["labels"]) == {"HS::Yellow", "EMEA", "U&A", "risk::lack of adoption", "workflow::in progress"}

    after_commit(
        django_capture_on_commit_callbacks,
        lambda: triage_services.triage_edit(
            triage=record, by=tam, classification="E&A", risk_reasons=["risk::competition"], plan="Plan A"
        ),
    )
    assert set(issue["labels"]) == {"HS::Yellow", "EMEA", "E&A", "risk::competition", "workflow::in progress"}
    assert "Plan A" not in issue["description"]  # the plan stays in Healthscore
    assert len(gitlab.issues) == 1


def test_the_risk_label_follows_the_accounts_color(gitlab, open_record, tam, django_capture_on_commit_callbacks):
    record = open_record(Color.YELLOW)
    account = record.account
    after_commit(
        django_capture_on_commit_callbacks,
        lambda: account_services.sentiment_update(account=account, color=Color.RED, reason="Churn risk", by=tam),
    )
    record.refresh_from_db()
    issue = gitlab.only_issue()
    assert record.risk == "HS::Red"
    assert "HS::Red" in issue["labels"] and "HS::Yellow" not in issue["labels"]
    assert "**Red**, score" in issue["description"]


def test_closing_the_record_closes_the_issue(gitlab, open_record, tam, django_capture_on_commit_callbacks):
    record = open_record()
    after_commit(
        django_capture_on_commit_callbacks,
        lambda: triage_services.triage_close(
            triage=record, by=tam, classification="E&U", risk_reasons=["risk::lack of budget"], resolution="Renewed"
        ),
    )
    issue = gitlab.only_issue()
    assert issue["state"] == "closed"
    assert set(issue["labels"]) == {"HS::Yellow", "EMEA", "E&U", "risk::lack of budget"}
    assert "closed on" in issue["description"] and "Renewed" not in issue["description"]
    assert row(record).closed_in_gitlab and row(record).state == SyncState.SYNCED


def test_only_an_http_link_from_gitlab_is_kept(gitlab, open_record):
    gitlab.web_url_scheme = "javascript:alert(1)//"
    record = open_record()
    assert row(record).web_url == "" and row(record).iid == gitlab.only_issue()["iid"]


def test_a_closed_issue_is_left_alone_afterwards(gitlab, open_record, tam, django_capture_on_commit_callbacks):
    record = open_record()
    triage_services.triage_close(
        triage=record, by=tam, classification="E&U", risk_reasons=["risk::lack of budget"], resolution="Renewed"
    )
    services.gitlab_issue_sync(record_id=record.pk)
    calls = len(gitlab.calls)
    after_commit(
        django_capture_on_commit_callbacks,
        lambda: account_services.sentiment_update(account=record.account, color=Color.RED, reason="New risk", by=tam),
    )
    closed = gitlab.issue(row(record).iid)
    assert closed["state"] == "closed" and "HS::Yellow" in closed["labels"] and "HS::Red" not in closed["labels"]
    new_record = TriageRecord.objects.exclude(pk=record.pk).get()  # red: a new record, a new issue
    assert len(gitlab.issues) == 2 and row(new_record).state == SyncState.SYNCED
    assert [method for method, _ in gitlab.calls[calls:]] == ["GET", "POST"]
    assert services.gitlab_mark(account_ids=[record.account_id]) == [new_record.pk]


def test_a_sync_with_nothing_new_sends_nothing(gitlab, open_record):
    record = open_record()
    calls = len(gitlab.calls)
    services.gitlab_mark(account_ids=[record.account_id])
    services.gitlab_issue_sync(record_id=record.pk)
    assert len(gitlab.calls) == calls  # same fingerprint: no request at all
    assert row(record).state == SyncState.SYNCED


def test_an_issue_deleted_in_gitlab_is_created_again(gitlab, open_record, tam):
    record = open_record()
    gitlab.issues.clear()
    triage_services.triage_edit(triage=record, by=tam, classification="E&A", risk_reasons=[], plan="")
    services.gitlab_issue_sync(record_id=record.pk)
    issue = gitlab.only_issue()
    assert row(record).iid == issue["iid"] and "E&A" in issue["labels"]


# --- Faults: the TAM's save is done, the row says why ----------------------------------------


@pytest.mark.parametrize(
    ("fault", "state", "words"),
    [
        ("401", SyncState.FAILED, "GitLab refused the token (401 Unauthorized)"),
        ("403", SyncState.FAILED, "may not write issues in cs/account-triage (403 Forbidden)"),
        ("500", SyncState.PENDING, "GitLab answered 500 (a server error)"),
        ("slow", SyncState.PENDING, "GitLab did not answer within 0.5 s"),
    ],
)
def test_each_fault_leaves_the_record_saved_and_the_row_saying_why(gitlab, open_record, fault, state, words):
    gitlab.fault = fault
    record = open_record()
    assert TriageRecord.objects.filter(pk=record.pk).exists()
    mirror = row(record)
    assert (mirror.state, mirror.iid, mirror.attempts) == (state, None, 1)
    assert words in mirror.last_error
    if state == SyncState.PENDING:
        assert mirror.status_text.startswith("GitLab sync pending")
        assert mirror.next_attempt_at > timezone.now() + dt.timedelta(seconds=25)  # backoff: 30 s first
    else:
        assert mirror.status_text == f"GitLab sync failed: {mirror.last_error}"
        assert mirror.next_attempt_at is None  # waits for an admin
    assert gitlab.issues == {}


def test_gitlab_down_leaves_the_sync_pending(gitlab, open_record, settings):
    settings.GITLAB_URL = closed_port_url()
    record = open_record()
    mirror = row(record)
    assert mirror.state == SyncState.PENDING and "GitLab could not be reached at http://127.0.0.1:" in mirror.last_error


def test_a_transient_fault_is_retried_with_growing_waits_then_given_up(gitlab, open_record):
    gitlab.fault = "500"
    record = open_record()
    waits = []
    for _ in range(services.MAX_ATTEMPTS - 1):
        GitlabIssue.objects.filter(pk=row(record).pk).update(next_attempt_at=timezone.now())
        waits.append(services.gitlab_issue_sync(record_id=record.pk).retry_in)
    assert waits == [60, 120, 240, 480, None]
    mirror = row(record)
    assert mirror.state == SyncState.FAILED and "gave up after 6 attempts" in mirror.last_error


def test_once_gitlab_is_back_the_retry_creates_exactly_one_issue(gitlab, open_record):
    gitlab.fault = "500"
    record = open_record()
    gitlab.fault = None
    outcome = services.gitlab_issue_sync(record_id=record.pk)
    assert outcome.state == SyncState.SYNCED
    assert gitlab.only_issue()["iid"] == row(record).iid
    assert row(record).last_error == "" and row(record).attempts == 0


# --- A sync cut off half-way ----------------------------------------------------------------


def test_a_create_whose_answer_was_lost_is_found_not_duplicated(gitlab, open_record):
    gitlab.lose_next_create = True  # GitLab stores the issue, the client times out
    record = open_record()
    assert row(record).state == SyncState.PENDING and row(record).iid is None
    assert len(gitlab.issues) == 1

    services.gitlab_issue_sync(record_id=record.pk)
    issue = gitlab.only_issue()
    assert (row(record).state, row(record).iid) == (SyncState.SYNCED, issue["iid"])
    assert gitlab.methods().count("POST") == 1


def test_a_worker_killed_after_the_create_does_not_duplicate_on_restart(gitlab, open_record, monkeypatch):
    def killed(*args, **kwargs):
        raise SystemExit("worker killed")  # after GitLab created the issue, before the iid is stored

    with monkeypatch.context() as patched:
        patched.setattr(services, "_remember", killed)
        with pytest.raises(SystemExit):
            open_record()
    record = TriageRecord.objects.get()
    mirror = row(record)
    assert (mirror.iid, mirror.state) == (None, SyncState.PENDING) and len(gitlab.issues) == 1
    assert mirror.lease_until > timezone.now()  # held by the dead worker: nobody else syncs it yet
    assert services.gitlab_issue_sync(record_id=record.pk).state == "skipped"

    GitlabIssue.objects.filter(pk=mirror.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))  # expired
    assert services.gitlab_sweep() == "GitLab: 1 issue syncs enqueued."  # eager: the sync runs
    issue = gitlab.only_issue()
    assert (row(record).iid, row(record).state) == (issue["iid"], SyncState.SYNCED)


def test_a_change_made_during_a_sync_is_synced_too(gitlab, open_record, tam, monkeypatch):
    record = open_record()
    triage_services.triage_edit(triage=record, by=tam, classification="E&A", risk_reasons=[], plan="")
    real_update = services._update

    def update_then_edit(project, mirror, content):
        real_update(project, mirror, content)
        if "E&A" in content.labels and "risk::competition" not in content.labels:
            triage_services.triage_edit(
                triage=record, by=tam, classification="E&A", risk_reasons=["risk::competition"], plan=""
            )
            services.gitlab_mark(account_ids=[record.account_id])

    monkeypatch.setattr(services, "_update", update_then_edit)
    assert services.gitlab_issue_sync(record_id=record.pk).state == SyncState.SYNCED
    assert "risk::competition" in gitlab.only_issue()["labels"]


# --- Without the settings ---------------------------------------------------------------------


def test_without_the_settings_nothing_is_written_or_attempted(
    gitlab, account_in, tam, settings, django_capture_on_commit_callbacks
):
    settings.GITLAB_TOKEN = settings.GITLAB_TRIAGE_PROJECT = ""  # only the URL is left
    account = account_in(Color.YELLOW)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record = triage_services.triage_open(account=account, by=tam)
        triage_services.triage_close(
            triage=record, by=tam, classification="E&A", risk_reasons=["risk::competition"], resolution="Done"
        )
    assert callbacks == []
    assert GitlabIssue.objects.count() == 0
    assert services.gitlab_sweep() == "GitLab is not configured: nothing to sync."
    assert services.gitlab_issue_sync(record_id=record.pk).state == "skipped"
    assert gitlab.calls == []
