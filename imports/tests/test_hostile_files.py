"""Hostile import files: each is one readable line on stderr, exit 1, and nothing written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
ROW = '{{"id": "A1", "name": {name}, "segment": "enterprise", "arr": {arr}, "region": "EMEA"}}'

HOSTILE = {
    "a 5,001-digit number": (
        '{"accounts": [' + ROW.format(name='"Acme"', arr="1" * 5001) + "]}",
        "a number has 5,001 digits (at most 30 are accepted); nothing imported",
    ),
    "a 100,000-deep nested document": (
        '{"accounts": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "nested too deeply to be an import document; nothing imported",
    ),
    "a lone surrogate": (
        '{"accounts": [' + ROW.format(name='"Acme \\ud800"', arr="1") + "]}",
        "accounts[0].name: holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text; nothing imported",
    ),
    # Upper-case hex, in a key, after a valid pair: found all the same.
    "a lone surrogate in a key": (
        '{"accounts": [' + ROW.format(name='"Acme \\ud83d\\ude00"', arr="1")[:-1] + ', "x\\uDFFF": 1}]}',
        "accounts[0]: a key: holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text; nothing imported",
    ),
}


@pytest.mark.parametrize("content,message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_is_one_line_exit_1_and_nothing_written(tmp_path, content, message):
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_data", str(path)],
        cwd=ROOT,
        env={**env, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"CommandError: {path}: {message}"]
    assert result.stdout == ""


@pytest.mark.parametrize("content,message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_writes_nothing(tmp_path, content, message):
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_data", str(path), verbosity=0)
    assert not Account.objects.exists()


def test_a_nul_in_a_multiline_text_and_a_count_past_the_column_are_problems(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(
        '{"accounts": [' + ROW.format(name='"Acme"', arr="1")[:-1] + ', "licences_used": 99999999999}],'
        ' "sentiments": [{"account": "A1", "color": "red", "date": "2026-01-02", "reason": "bad\\u0000"}]}',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_data", str(path), verbosity=0)
    err = capsys.readouterr().err
    assert "accounts[0].licences_used: must be at most 2,147,483,647" in err
    assert "sentiments[0].reason: must not contain a NUL character" in err
    assert not Account.objects.exists()
