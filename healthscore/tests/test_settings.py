"""The settings refuse an unsafe production start and read the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env):
    unset = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "SITE_URL")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "healthscore.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_mode_starts_with_a_dev_key():
    assert run_check(DEBUG="true").returncode == 0


def test_a_fresh_checkout_runs_manage_py_without_any_variable():
    """Embedded mode: no DATABASE_URL, so debug defaults to on and the dev key is used."""
    assert run_check().returncode == 0


def test_with_a_real_database_debug_defaults_to_off():
    result = run_check(DATABASE_URL="postgres://postgres@127.0.0.1:5432/healthscore")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_without_site_url_refuses_to_start():
    result = run_check(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "SITE_URL must be set when DEBUG is off" in result.stderr


def test_production_with_secret_key_and_site_url_starts():
    assert run_check(DEBUG="false", SECRET_KEY="x" * 50, SITE_URL="https://hs.example.com").returncode == 0


@pytest.mark.django_db
def test_an_embedded_database_connection_has_a_64_mib_page_cache_and_normal_sync():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's pragmas")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -65536  # KiB
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
