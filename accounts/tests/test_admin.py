"""Admins edit the scorecard configuration; bad values are refused with field errors."""

import pytest

from accounts.models import ScorecardConfig

pytestmark = pytest.mark.django_db


def config_form(config, **changes):
    data = {f.name: getattr(config, f.name) for f in ScorecardConfig._meta.fields if f.editable and f.name != "id"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    return {**data, **changes}


def test_admin_refuses_weights_not_adding_up_to_100(client, admin_user):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    url = f"/admin/accounts/scorecardconfig/{config.pk}/change/"
    response = client.post(url, config_form(config, weight_sentiment=80, engagement_yellow_days=20))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The four weights must add up to 100 (they add up to 105)." in html
    assert "Must be more than the green limit." in html
    config.refresh_from_db()
    assert (config.weight_sentiment, config.engagement_yellow_days) == (75, 60)


def test_admin_saves_valid_weights(client, admin_user):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="commercial")
    url = f"/admin/accounts/scorecardconfig/{config.pk}/change/"
    response = client.post(url, config_form(config, weight_sentiment=70, weight_support=10))
    assert response.status_code == 302
    config.refresh_from_db()
    assert (config.weight_sentiment, config.weight_support) == (70, 10)


@pytest.mark.parametrize(
    "path",
    ["account", "meeting", "supportticket", "successplan", "sentimententry", "healthsnapshot", "scorecardconfig"],
)
def test_admin_lists_load_with_search(client, admin_user, path):
    client.force_login(admin_user)
    assert client.get(f"/admin/accounts/{path}/?q=acme").status_code == 200
