"""Several syncs of one record at once (a retry and the sweep, two workers), with real threads on
PostgreSQL and a GitLab on loopback: exactly one issue, and one create."""

import threading

import pytest
from django.db import connection

from integrations import services
from integrations.models import GitlabIssue, SyncState
from triage.tests.factories import TriageRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; concurrent syncs need PostgreSQL")


def run_together(jobs):
    start = threading.Barrier(len(jobs))
    errors, outcomes = [], []

    def runner(job):
        try:
            start.wait()
            outcomes.append(job())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return outcomes


def test_four_syncs_of_one_record_at_once_create_one_issue(gitlab):
    record = TriageRecordFactory()
    GitlabIssue.objects.create(triage_record_id=record.pk, account=record.account)

    outcomes = run_together([lambda: services.gitlab_issue_sync(record_id=record.pk)] * 4)

    assert sorted(outcome.state for outcome in outcomes) == ["skipped", "skipped", "skipped", SyncState.SYNCED]
    assert gitlab.methods().count("POST") == 1
    assert GitlabIssue.objects.get().iid == gitlab.only_issue()["iid"]
