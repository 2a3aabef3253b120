"""Error emails to the ADMINS carry no posted text and no local variables, on every page."""

import pytest
from django.core import mail

from triage import services as triage_services
from triage.tests.factories import TriageRecordFactory


@pytest.mark.django_db
def test_an_error_on_a_triage_update_mails_the_admins_without_the_text(client, tam, settings, monkeypatch):
    settings.ADMINS = [("Ops", "ops@example.com")]
    record = TriageRecordFactory(account__tam=tam)
    client.force_login(tam)
    client.raise_request_exception = False

    def broken(**kwargs):
        secret_in_a_local = kwargs["text"]  # noqa: F841 (a frame variable the report must not show)
        raise RuntimeError("database went away")

    monkeypatch.setattr(triage_services, "triage_note_add", broken)
    response = client.post(f"/triage/records/{record.pk}/updates/", {"text": "quokka-churn-plans"})
    assert response.status_code == 500
    assert mail.outbox, "Django mails the admins on a 500"
    for message in mail.outbox:
        assert "quokka-churn-plans" not in message.body
        assert all("quokka-churn-plans" not in str(content) for content, _ in message.alternatives)


def test_admins_come_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.ADMINS)",
        ],
        cwd=root,
        env={
            **env,
            "DEBUG": "true",
            "ADMINS": "ops@example.com,oncall@example.com",
            "DJANGO_SETTINGS_MODULE": "healthscore.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'ops@example.com'" in result.stdout and "'oncall@example.com'" in result.stdout, result.stderr
