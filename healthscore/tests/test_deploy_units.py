"""The shipped systemd units keep every process running and run the documented commands."""

import configparser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def _unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_there_is_a_unit_for_the_web_the_worker_and_beat():
    assert {p.name for p in UNITS} == {
        "healthscore-web.service",
        "healthscore-worker.service",
        "healthscore-beat.service",
    }


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_each_unit_restarts_always_and_reads_the_environment_file(path):
    service = _unit(path)["Service"]
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/healthscore.env"
    command = service["ExecStart"].split("/.venv/bin/", 1)[1]
    assert command.split()[0] in ("gunicorn", "celery")
    assert command in (ROOT / "docs" / "operations.md").read_text()  # the process table there


def test_the_worker_and_beat_never_stop_restarting():
    for name in ("healthscore-worker.service", "healthscore-beat.service"):
        assert _unit(ROOT / "deploy" / "systemd" / name)["Service"]["StartLimitIntervalSec"] == "0"


def test_the_worker_runs_without_mingle_and_gossip_and_beat_with_a_pid_file():
    worker = _unit(ROOT / "deploy/systemd/healthscore-worker.service")["Service"]["ExecStart"]
    beat = _unit(ROOT / "deploy/systemd/healthscore-beat.service")["Service"]["ExecStart"]
    assert "--without-mingle --without-gossip" in worker
    assert "--pidfile=/run/healthscore/beat.pid" in beat
