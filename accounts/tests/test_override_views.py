"""The account page's override panel: who may set, request, approve, reject and cancel, the
field errors, and the override marked wherever the color shows."""

import datetime as dt

import pytest

from accounts import overrides
from accounts.models import Color, HealthOverride, OverrideStatus

D = dt.date(2026, 11, 24)
pytestmark = pytest.mark.django_db


def _post(client, account, **fields):
    data = {"color": "red", "reason": "Champion left", "expires_on": (D + dt.timedelta(days=14)).isoformat(), **fields}
    return client.post(f"/accounts/{account.external_id}/override/", data)


def test_a_manager_sets_an_override_and_the_page_marks_it_with_who_why_until(client, account_in, manager):
    account = account_in(Color.GREEN)
    client.force_login(manager)
    response = _post(client, account)
    assert response.status_code == 302 and response["Location"].endswith("#override")
    page = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "badge-override" in page and "until <strong>2026-12-08</strong>" in page
    assert "Champion left" in page and "computed Green" in page
    assert "Cancel override" in page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"reason": ""}, "Say why the computed color is wrong."),
        ({"expires_on": (D + dt.timedelta(days=91)).isoformat()}, "90 days at most"),
        ({"expires_on": (D - dt.timedelta(days=1)).isoformat()}, "The expiry date is in the past."),
        ({"expires_on": "not a date"}, "Enter a valid date."),
        ({"color": ""}, "Choose green, yellow or red."),
    ],
)
def test_a_bad_override_is_answered_with_the_field_error(client, account_in, manager, fields, error):
    account = account_in(Color.GREEN)
    client.force_login(manager)
    response = _post(client, account, **fields)
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not HealthOverride.objects.exists()


def test_a_tam_requests_on_their_own_account_and_cannot_approve(client, account_in, tam, manager):
    account = account_in(Color.GREEN)
    client.force_login(tam)
    page = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "Request an override" in page
    assert _post(client, account).status_code == 302
    request = HealthOverride.objects.get()
    assert request.status == OverrideStatus.PENDING and request.requested_by == tam
    page = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "Waiting for a manager" in page and "Approve" not in page
    assert client.post(f"/accounts/{account.external_id}/override/{request.pk}/approve/").status_code == 403
    assert client.post(f"/accounts/{account.external_id}/override/{request.pk}/reject/").status_code == 403
    request.refresh_from_db()
    assert request.status == OverrideStatus.PENDING

    client.force_login(manager)
    assert "Approve" in client.get(f"/accounts/{account.external_id}/").content.decode()
    assert client.post(f"/accounts/{account.external_id}/override/{request.pk}/approve/").status_code == 302
    account.refresh_from_db()
    assert account.health_color == "red" and account.computed_color == "green"


def test_a_tam_withdraws_their_own_request_but_cannot_cancel_an_override(client, account_in, tam, manager):
    account = account_in(Color.GREEN)
    request = overrides.override_request(
        account=account, color="red", reason="r", expires_on=D + dt.timedelta(days=3), by=tam
    )
    client.force_login(tam)
    assert client.post(f"/accounts/{account.external_id}/override/{request.pk}/cancel/").status_code == 302
    request.refresh_from_db()
    assert request.status == OverrideStatus.CANCELLED
    active = overrides.override_set(
        account=account, color="red", reason="r", expires_on=D + dt.timedelta(days=3), by=manager
    )
    assert client.post(f"/accounts/{account.external_id}/override/{active.pk}/cancel/").status_code == 403
    active.refresh_from_db()
    assert active.status == OverrideStatus.ACTIVE


def test_a_tam_on_someone_elses_account_is_refused(client, account_in, other_tam):
    account = account_in(Color.GREEN)
    client.force_login(other_tam)
    assert _post(client, account).status_code == 403
    page = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "Request an override" not in page
    assert not HealthOverride.objects.exists()


def test_tam_requests_can_be_switched_off(client, account_in, tam, settings):
    settings.HEALTH_OVERRIDE_TAM_REQUESTS = False
    account = account_in(Color.GREEN)
    client.force_login(tam)
    assert "Request an override" not in client.get(f"/accounts/{account.external_id}/").content.decode()
    assert _post(client, account).status_code == 403
    assert not HealthOverride.objects.exists()


def test_an_unknown_action_or_an_override_of_another_account_is_a_404(client, account_in, manager, tam):
    account, other = account_in(Color.GREEN), account_in(Color.GREEN)
    override = overrides.override_set(
        account=account, color="red", reason="r", expires_on=D + dt.timedelta(days=3), by=manager
    )
    client.force_login(manager)
    assert client.post(f"/accounts/{account.external_id}/override/{override.pk}/explode/").status_code == 404
    assert client.post(f"/accounts/{other.external_id}/override/{override.pk}/cancel/").status_code == 404


def test_the_override_is_marked_in_every_list_with_the_computed_color_beside_it(client, account_in, manager, tam):
    account = account_in(Color.GREEN, name="Overridden Inc", renewal_date=D + dt.timedelta(days=30))
    account_in(Color.GREEN, name="Plain Co")
    overrides.override_set(
        account=account, color="red", reason="Exec escalation", expires_on=D + dt.timedelta(days=9), by=manager
    )
    client.force_login(manager)
    for path in ("/accounts/", "/dashboard/", "/dashboard/renewals/", "/search/?q=o"):
        page = client.get(path).content.decode()
        assert page.count("badge-override") == 1, path
        assert "Exec escalation" in page and "until 2026-12-03" in page and "computed Green" in page, path
    client.force_login(tam)
    page = client.get("/my/").content.decode()
    assert page.count("badge-override") == 1 and "computed Green" in page


def test_every_csv_that_exports_the_color_marks_the_override(client, account_in, manager):
    import csv
    import io

    account = account_in(Color.GREEN, name="Overridden Inc", renewal_date=D + dt.timedelta(days=30))
    overrides.override_set(
        account=account, color="red", reason="Exec escalation", expires_on=D + dt.timedelta(days=9), by=manager
    )
    client.force_login(manager)
    for path in ("/accounts/export.csv", "/dashboard/export.csv", "/dashboard/renewals/export.csv"):
        response = client.get(path)
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        header, row = rows[0], rows[1]
        cells = dict(zip(header, row, strict=True))
        assert cells["Color"] == "Red", path
        assert (cells["Computed color"], cells["Override until"], cells["Override reason"]) == (
            "Green",
            "2026-12-03",
            "Exec escalation",
        ), path
        assert cells["Override by"] == (manager.get_full_name() or manager.username), path
