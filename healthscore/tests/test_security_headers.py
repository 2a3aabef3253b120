"""Headers, sessions and deployment: CSP, HSTS and HTTPS settings from the environment,
`check --deploy` clean with the README's production variables, session lifetime, logout
everywhere after a password change, no-store on private pages, /healthz."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts.tests.factories import AccountFactory
from healthscore import sessions

ROOT = Path(__file__).resolve().parents[2]
# What the README's "…" placeholders stand for in the test: real-looking values.
PLACEHOLDERS = {
    "SECRET_KEY": "k" + "".join(chr(33 + (i * 7) % 90) for i in range(60)).replace("'", "x").replace('"', "y"),
    "DATABASE_URL": "postgres://healthscore:secret@127.0.0.1:5432/healthscore",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://user:pass@127.0.0.1:587",
}


def _clean_env() -> dict[str, str]:
    """This process's environment without the variables the test settings or a CI run set."""
    ours = ("DATABASE_URL", "REDIS_URL", "SECURE_", "DEBUG", "DJANGO_")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)}


def readme_production_env() -> dict[str, str]:
    """The variables the README's "Running in production" block exports."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Running in production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    exported = block.split(".venv/bin/python manage.py", 1)[0]
    found = dict(re.findall(r"([A-Z_]+)=(\S+)", exported))
    return {name: PLACEHOLDERS.get(name, value) if "…" in value else value for name, value in found.items()}


def test_check_deploy_is_silent_with_the_readmes_production_variables():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "SECURE_", "DEBUG", "DJANGO_"))
    }
    production = readme_production_env()
    assert {"SECURE_COOKIES", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER"} <= set(production)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, **production, "DJANGO_SETTINGS_MODULE": "healthscore.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_production_variables_turn_on_https_redirect_hsts_and_the_proxy_header():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "SECURE_", "DEBUG", "DJANGO_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **env,
            **readme_production_env(),
            "CSRF_TRUSTED_ORIGINS": "https://hs.example.com",
            "DJANGO_SETTINGS_MODULE": "healthscore.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "['https://hs.example.com']",
    ], result.stderr


# --- Content-Security-Policy ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_unsafe_inline(client, tam):
    client.force_login(tam)
    policy = client.get("/my/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style(?![^>]*nonce=)[^>]*>", re.I), "a <style> without the CSP nonce"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_an_inline_script_style_or_event_handler():
    found = []
    for path in sorted(ROOT.glob("templates/**/*.html")):
        text = path.read_text()
        found += [f"{path.relative_to(ROOT)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert not found


# --- Sessions ------------------------------------------------------------------------------------


def _age_session(client, *, started_ago: float, seen_ago: float):
    session = client.session
    now = time.time()
    session[sessions.STARTED], session[sessions.SEEN] = now - started_ago, now - seen_ago
    session.save()


@pytest.mark.django_db
def test_a_session_idle_for_longer_than_the_idle_timeout_is_logged_out(client, tam, settings):
    assert settings.SESSION_IDLE_SECONDS == 8 * 3600
    client.force_login(tam)
    client.get("/my/")
    _age_session(client, started_ago=8 * 3600 + 60, seen_ago=8 * 3600 + 30)
    response = client.get("/my/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.django_db
def test_an_active_session_lives_until_its_absolute_lifetime(client, tam, settings):
    client.force_login(tam)
    client.get("/my/")
    _age_session(client, started_ago=settings.SESSION_MAX_SECONDS - 120, seen_ago=30)
    assert client.get("/my/").status_code == 200
    _age_session(client, started_ago=settings.SESSION_MAX_SECONDS + 1, seen_ago=30)
    response = client.get("/my/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.django_db
def test_a_password_change_logs_every_other_session_out(client, tam, django_user_model):
    from django.test import Client

    laptop, phone = client, Client()
    laptop.force_login(tam)
    phone.force_login(tam)
    assert phone.get("/my/").status_code == 200
    user = django_user_model.objects.get(pk=tam.pk)
    user.set_password("a-brand-new-passphrase")
    user.save()
    for device in (laptop, phone):
        response = device.get("/my/")
        assert response.status_code == 302 and response.url.startswith("/login/")


# --- Private pages -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_with_sentiment_reasons_or_meeting_text_are_never_cached(client, tam, manager):
    account = AccountFactory(tam=tam)
    client.force_login(tam)
    for url in ("/my/", f"/accounts/{account.external_id}/", "/accounts/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
    client.force_login(manager)
    for url in ("/dashboard/", "/dashboard/export.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


# --- /healthz ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_says_ok_when_the_database_answers(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error") and response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_within_seconds_when_redis_hangs(client, settings):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        settings.REDIS_URL = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
        started = time.monotonic()
        response = client.get("/healthz")
    assert response.status_code == 503
    assert time.monotonic() - started < 5
