"""The API's account carries the override in force beside the color (accounts.overrides)."""

import datetime as dt

import pytest

from accounts import overrides
from accounts.models import Color

D = dt.date(2026, 11, 24)
pytestmark = pytest.mark.django_db


def test_the_api_serves_the_override_beside_the_color(client, account_in, manager):
    from api.services import token_create

    account = account_in(Color.GREEN)
    overrides.override_set(
        account=account, color="red", reason="Exec escalation", expires_on=D + dt.timedelta(days=9), by=manager
    )
    _, secret = token_create(user=manager, name="t")
    answer = client.get("/api/v1/accounts/", headers={"Authorization": f"Bearer {secret}"}).json()
    [row] = answer["results"]
    assert (row["health_color"], row["computed_color"], row["override_until"], row["override_reason"]) == (
        "red",
        "green",
        "2026-12-03",
        "Exec escalation",
    )
