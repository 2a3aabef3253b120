"""The admin's Import page: upload a CSV, follow its run to the end, see every problem."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from kombu.exceptions import OperationalError

from accounts.models import Account
from imports import services, tasks
from imports.models import ImportRun, ImportStatus

pytestmark = pytest.mark.django_db

GOOD = b"\xef\xbb\xbfAccount ID;Account Name;Type;Annual Revenue;Billing Country\nA-1;Acme;Enterprise;1000;Spain\n"
BAD = b"Account ID,Account Name,Type,Annual Revenue,Billing Country\nA-1,Acme,Enterprise,lots,Spain\n"


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """upload(content): post a file; the import enqueued on commit runs (Celery is eager)."""

    def post(content, source="salesforce"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/imports/", {"source": source, "file": SimpleUploadedFile("export.csv", content)})

    return post


def test_an_upload_is_imported_and_its_run_page_shows_the_result(client, upload, admin_user, fixed_today):
    client.force_login(admin_user)
    response = upload(GOOD)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/runs/{run.pk}/"
    assert (run.status, run.rows, run.summary) == (ImportStatus.DONE, 1, "1 row imported (1 new accounts)")
    assert bytes(run.content) == b""  # the file is not kept once imported
    assert Account.objects.get(external_id="A-1").region == "EMEA"
    page = client.get(response.url).content.decode()
    assert "1 row imported" in page and 'value="100"' in page
    assert client.get(f"/imports/runs/{run.pk}/status/").json() == {
        "status": "done",
        "label": "Done",
        "percent": 100,
        "finished": True,
    }


def test_a_bad_file_lists_every_problem_and_imports_nothing(client, upload, admin_user):
    client.force_login(admin_user)
    upload(BAD)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.problems == ["line 2, column 'Annual Revenue': must be a number >= 0"]
    assert "line 2, column" in client.get(f"/imports/runs/{run.pk}/").content.decode()
    assert not Account.objects.exists()


def test_a_run_is_imported_once_however_often_the_task_runs(
    admin_user, fixed_today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_run_create(data=GOOD, filename="x.csv", source="salesforce", by=admin_user)
    tasks.import_run(run.pk)  # a redelivery
    assert ImportRun.objects.get().status == ImportStatus.DONE and Account.objects.count() == 1


def test_with_the_broker_down_the_run_is_refused_not_left_waiting(admin_user, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.import_run, "delay", down)
    run = services.import_run_create(data=GOOD, filename="x.csv", source="salesforce", by=admin_user)
    tasks.import_run_enqueue(run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "unreachable" in run.problems[0]


def test_a_missing_file_is_422(client, admin_user):
    client.force_login(admin_user)
    assert client.post("/imports/", {"source": "zendesk"}).status_code == 422
    assert not ImportRun.objects.exists()
