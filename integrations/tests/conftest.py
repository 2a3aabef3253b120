import re

import pytest
from pytest_httpserver import HTTPServer

from integrations.tests.fake_gitlab import PROJECT, TOKEN, FakeGitLab


@pytest.fixture(scope="session")
def gitlab_server():
    """A real HTTP server on loopback; threaded, so a request left hanging (the "slow" fault)
    does not hold up the next one."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def gitlab(gitlab_server, settings) -> FakeGitLab:
    """Healthscore configured for a fresh GitLab on loopback; short timeouts so faults are quick."""
    gitlab_server.clear()
    base = gitlab_server.url_for("/").rstrip("/")
    fake = FakeGitLab(base_url=base, slow_seconds=1.0)
    gitlab_server.expect_request(re.compile(r"^/api/v4/.*")).respond_with_handler(fake.handle)
    settings.GITLAB_URL = base
    settings.GITLAB_TOKEN = TOKEN
    settings.GITLAB_TRIAGE_PROJECT = PROJECT
    settings.GITLAB_TIMEOUT_SECONDS = 0.5
    return fake
