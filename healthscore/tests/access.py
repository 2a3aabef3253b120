"""The vocabulary of the URL access matrix (see healthscore/tests/test_access_matrix.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"  # redirect to the login page
ALLOWED = 200
FORBIDDEN = 403
NOT_FOUND = 404


@dataclass(frozen=True)
class Rule:
    """Expected responses to one URL name, per role.

    `url` builds the path from the test world (w.own_account belongs to the TAM under test,
    w.other_account to another TAM). For writes, `method="post"`, `data` builds the form and
    `unchanged` returns a value that must be the same before and after a refused request.
    """

    name: str
    url: Callable
    anonymous: object = LOGIN
    tam: object = ALLOWED
    manager: object = ALLOWED
    admin: object = ALLOWED
    no_role: object = FORBIDDEN
    method: str = "get"
    data: Callable | None = None
    unchanged: Callable | None = None
    extra: dict = field(default_factory=dict)


# The project's own URLs (healthscore/urls.py): the load balancers' health check is public;
# single sign-on's two URLs are a 404 for everyone until OIDC_RP_CLIENT_ID is set (test_sso.py
# tests them with it).
_NOWHERE = {"anonymous": NOT_FOUND, "tam": NOT_FOUND, "manager": NOT_FOUND, "admin": NOT_FOUND, "no_role": NOT_FOUND}
RULES = [
    Rule(
        "healthz", lambda w: "/healthz", anonymous=ALLOWED, tam=ALLOWED, manager=ALLOWED, admin=ALLOWED, no_role=ALLOWED
    ),
    Rule("oidc_authentication_init", lambda w: "/oidc/authenticate/", **_NOWHERE),
    Rule("oidc_authentication_callback", lambda w: "/oidc/callback/?code=c&state=s", **_NOWHERE),
]
