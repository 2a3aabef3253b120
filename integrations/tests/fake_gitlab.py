"""A GitLab on loopback: the few REST endpoints the sync uses, served by pytest-httpserver and
driven by the real python-gitlab client, with the faults a real GitLab shows."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field

from werkzeug import Request, Response

PROJECT = "cs/account-triage"
TOKEN = "glpat-test-token"
ISSUES = re.compile(r"^/api/v4/projects/(?P<project>.+?)/issues(?:/(?P<iid>\d+))?/?$")


@dataclass
class FakeGitLab:
    """Issues of one project, in memory. Set `fault` to answer every request with it:
    "401", "403", "500" or "slow" (answers after `slow_seconds`). `lose_next_create`: the next
    create is stored, then answered too late (the client times out: the answer is lost)."""

    base_url: str
    fault: str | None = None
    slow_seconds: float = 1.5
    lose_next_create: bool = False
    web_url_scheme: str = ""  # e.g. "javascript:": a GitLab answering with a hostile link
    issues: dict[int, dict] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)  # each call's query string
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what tests look at ---
    def issue(self, iid: int) -> dict:
        return self.issues[iid]

    def only_issue(self) -> dict:
        assert len(self.issues) == 1, f"expected one issue, GitLab has {len(self.issues)}"
        return next(iter(self.issues.values()))

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    # --- the server ---
    def handle(self, request: Request) -> Response:
        with self._lock:
            self.calls.append((request.method, request.path))
            self.queries.append(request.args.to_dict())
        if self.fault == "slow":
            time.sleep(self.slow_seconds)
        if request.headers.get("PRIVATE-TOKEN") != TOKEN or self.fault == "401":
            return _json({"message": "401 Unauthorized"}, 401)
        if self.fault == "403":
            return _json({"message": "403 Forbidden"}, 403)
        if self.fault == "500":
            return _json({"message": "500 Internal Server Error"}, 500)
        match = ISSUES.match(request.path)
        if not match or match["project"] != PROJECT:
            return _json({"message": "404 Project Not Found"}, 404)
        iid = match["iid"]
        if request.method == "GET" and iid is None:
            return self._list(request)
        if request.method == "POST" and iid is None:
            return self._create(request)
        if request.method == "PUT" and iid is not None:
            return self._update(int(iid), request)
        return _json({"message": "405 Method Not Allowed"}, 405)

    def _list(self, request: Request) -> Response:
        term = request.args.get("search", "")
        where = request.args.get("in", "title,description").split(",")
        found = [
            issue
            for issue in self.issues.values()
            if not term or any(term.lower() in (issue.get(key) or "").lower() for key in where)
        ]
        return _json(found, 200)

    def _create(self, request: Request) -> Response:
        data = _body(request)
        with self._lock:
            iid = max(self.issues, default=0) + 1
            issue = {
                "id": 1000 + iid,
                "iid": iid,
                "project_id": 7,
                "title": data["title"],
                "description": data.get("description", ""),
                "labels": _labels(data.get("labels")),
                "state": "opened",
                "web_url": f"{self.web_url_scheme}{self.base_url}/{PROJECT}/-/issues/{iid}",
            }
            self.issues[iid] = issue
            lose = self.lose_next_create
            self.lose_next_create = False
        if lose:
            time.sleep(self.slow_seconds)  # stored, but the answer comes after the client gave up
        return _json(issue, 201)

    def _update(self, iid: int, request: Request) -> Response:
        issue = self.issues.get(iid)
        if issue is None:
            return _json({"message": "404 Not found"}, 404)
        data = _body(request)
        for key in ("title", "description"):
            if key in data:
                issue[key] = data[key]
        if "labels" in data:
            issue["labels"] = _labels(data["labels"])
        removed = set(_labels(data.get("remove_labels")))
        issue["labels"] = [label for label in issue["labels"] if label not in removed]
        issue["labels"] += [label for label in _labels(data.get("add_labels")) if label not in issue["labels"]]
        if data.get("state_event") == "close":
            issue["state"] = "closed"
        elif data.get("state_event") == "reopen":
            issue["state"] = "opened"
        return _json(issue, 200)


def _body(request: Request) -> dict:
    if request.is_json:
        return request.get_json()
    return request.form.to_dict()


def _labels(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [label for label in str(value).split(",") if label]


def _json(payload, status: int) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def closed_port_url() -> str:
    """An address on loopback where nothing listens: GitLab is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
