"""Two admins applying scorecard changes at once, with real threads on PostgreSQL: exactly one
becomes the next version, the other is refused as stale, and every account of the segment ends
in the state a fresh computation under the winner's rules gives."""

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import Account, HealthSnapshot, ScorecardConfig, ScorecardVersion
from accounts.scoring import inputs
from accounts.tests.factories import healthy_account
from accounts.tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; row locks need PostgreSQL")


def test_two_admins_applying_at_once_make_one_version_and_refuse_the_other(fixed_today, admin_user):
    config = ScorecardConfig.objects.get_or_create(segment="enterprise")[0]
    ScorecardVersion.objects.filter(segment="enterprise").delete()
    ScorecardVersion.objects.create(segment="enterprise", number=1, values=inputs.rules_from_config(config).as_dict())
    accounts = [healthy_account(today=fixed_today, sentiment="yellow", segment="enterprise") for _ in range(12)]
    outcomes = []
    lock = threading.Lock()

    def apply(green_min_score):
        mine = ScorecardConfig.objects.get(pk=config.pk)
        mine.green_min_score = green_min_score
        try:
            services.scorecard_config_apply(config=mine, by=admin_user, base_version=1)
            outcome = ("applied", green_min_score)
        except services.StaleScorecard:
            outcome = ("stale", green_min_score)
        with lock:
            outcomes.append(outcome)

    run_together(lambda: apply(60), lambda: apply(90))
    assert sorted(kind for kind, _ in outcomes) == ["applied", "stale"]
    [winner] = [value for kind, value in outcomes if kind == "applied"]
    assert ScorecardConfig.objects.get(pk=config.pk).green_min_score == winner
    version = ScorecardVersion.objects.get(segment="enterprise", number=2)
    assert version.values["green_min_score"] == winner
    assert not ScorecardVersion.objects.filter(segment="enterprise", number=3).exists()
    fresh = dict(inputs.scorecards_compute(Account.objects.filter(pk__in=[a.pk for a in accounts]), fixed_today))
    for account, result in fresh.items():
        snapshot = HealthSnapshot.objects.get(account=account, date=fixed_today)
        assert (snapshot.color, snapshot.config_version_id) == (result.color, version.pk)
        assert (
            Account.objects.get(pk=account.pk).health_color == result.color == ("green" if winner == 60 else "yellow")
        )
