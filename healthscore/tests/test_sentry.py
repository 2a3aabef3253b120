"""Sentry is optional (SENTRY_DSN) and gets no note text, reasons, request bodies or cookies."""

import copy
import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from healthscore.privacy import FILTERED, scrub_error_event

ROOT = Path(__file__).resolve().parents[2]
SECRET = "quokka-churn-plans"

# An event as Sentry's Django integration builds it for a failed sentiment save.
EVENT = {
    "level": "error",
    "request": {
        "url": "https://hs.example.com/accounts/ACME/sentiment/",
        "method": "POST",
        "query_string": f"q={SECRET}",
        "data": {"color": "red", "reason": SECRET},
        "cookies": {"sessionid": "abc", "csrftoken": "def"},
        "headers": {"Cookie": "sessionid=abc", "Authorization": "Bearer hs_x", "User-Agent": "Firefox"},
    },
    "exception": {
        "values": [
            {
                "type": "RuntimeError",
                "value": "database went away",
                "stacktrace": {"frames": [{"function": "sentiment_update", "vars": {"reason": SECRET}}]},
            }
        ]
    },
    "threads": {"values": [{"stacktrace": {"frames": [{"function": "run", "vars": {"text": SECRET}}]}}]},
    "breadcrumbs": {"values": [{"category": "query", "message": "INSERT ...", "data": {"db.params": [SECRET]}}]},
    "extra": {"note": SECRET},
}


def test_the_scrubber_removes_everything_a_person_wrote_and_every_credential():
    scrubbed = scrub_error_event(copy.deepcopy(EVENT), {})
    assert SECRET not in json.dumps(scrubbed)
    request = scrubbed["request"]
    assert (request["data"], request["cookies"], request["query_string"]) == (FILTERED, FILTERED, FILTERED)
    assert request["headers"] == {"Cookie": FILTERED, "Authorization": FILTERED, "User-Agent": "Firefox"}
    # What helps debugging stays: where, what failed, in which function.
    assert request["url"] == EVENT["request"]["url"]
    assert scrubbed["exception"]["values"][0]["value"] == "database went away"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["function"] == "sentiment_update"
    assert scrubbed["breadcrumbs"]["values"][0]["message"] == "INSERT ..."


def test_the_scrubber_takes_an_event_without_a_request_or_frames():
    assert scrub_error_event({"message": "hello"}, None) == {"message": "hello"}


def _run(code: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "SENTRY_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "healthscore.settings", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_sentry_dsn_sentry_is_not_initialised():
    result = _run("import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


CAPTURE = f"""
import django, sentry_sdk
django.setup()
client = sentry_sdk.get_client()
print(client.is_active(), client.options["include_local_variables"], client.options["send_default_pii"])

def add_request(event, hint):  # what the Django integration adds during a request
    event["request"] = {{
        "method": "POST", "data": {{"reason": "{SECRET}"}}, "cookies": {{"sessionid": "session-key-42"}}
    }}
    return event

def save(reason):
    text = reason
    raise RuntimeError("database went away")

with sentry_sdk.new_scope() as scope:
    scope.add_event_processor(add_request)
    try:
        save("{SECRET}")
    except RuntimeError:
        sentry_sdk.capture_exception()
sentry_sdk.flush(10)
"""


def test_with_sentry_dsn_errors_are_sent_scrubbed():
    """A Sentry stand-in on loopback receives the event over HTTP, without the text."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":  # the SDK prefers brotli when the package is installed
                import brotli

                body = brotli.decompress(body)
            received.append(body.decode())
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/1"
        result = _run(CAPTURE, SENTRY_DSN=dsn)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False"]
    assert received, "the event reached the stand-in"
    envelope = "\n".join(received)
    assert "database went away" in envelope
    assert SECRET not in envelope
    assert "session-key-42" not in envelope
