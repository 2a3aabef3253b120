"""What-if before saving a scorecard configuration: the preview's figures on a hand-built set of
accounts, the versions the engine stores on every snapshot, the admin's preview / apply / cancel
with permissions and the stale-version refusal, and the history's "rules changed"."""

import dataclasses
import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import history, selectors
from accounts import services as accounts_services
from accounts.models import Account, HealthSnapshot, ScorecardConfig, ScorecardVersion
from accounts.scoring import inputs, rules, whatif
from accounts.scoring import services as scoring
from accounts.tests.factories import TicketFactory, UserFactory, healthy_account
from accounts.tests.test_admin import config_form

pytestmark = pytest.mark.django_db

# healthy_account scores 100 (green sentiment), 62.5 (yellow) or 25 (red): its other measures are green.


@pytest.fixture
def segment_accounts(fixed_today, tam):
    """Enterprise: 3 green, 2 yellow (62.5), 2 red (25); Commercial: one yellow (never in an
    Enterprise preview)."""
    made = {}
    for key, color, arr in [
        ("g1", "green", 100_000),
        ("g2", "green", 200_000),
        ("g3", "green", 300_000),
        ("y1", "yellow", 10_000),
        ("y2", "yellow", 20_000),
        ("r1", "red", 1_000),
        ("r2", "red", 2_000),
    ]:
        made[key] = healthy_account(today=fixed_today, sentiment=color, segment="enterprise", arr=arr, tam=tam)
    made["c1"] = healthy_account(today=fixed_today, sentiment="yellow", segment="commercial", arr=80_000, tam=tam)
    return made


def enterprise_rules():
    return inputs.rules_by_segment()["enterprise"]


# --- The service -----------------------------------------------------------------------------


def test_a_lower_green_band_moves_exactly_the_yellow_accounts_and_sums_their_arr(segment_accounts, fixed_today):
    draft = dataclasses.replace(enterprise_rules(), green_min_score=60)
    result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today)
    assert (result.accounts, result.arr) == (7, Decimal("633000"))
    assert {a.account_id for a in result.listed} == {segment_accounts["y1"].pk, segment_accounts["y2"].pk}
    assert (result.changed, result.changed_arr) == (2, Decimal("30000"))
    assert result.pair_rows == [("yellow", "green", 2, Decimal("30000"))]
    assert result.diff == [("green_min_score", 76, 60)]


def test_two_band_changes_count_each_pair_and_list_the_riskiest_first(segment_accounts, fixed_today):
    # Yellow from 20: the red accounts (25) turn yellow; green from 100: only 100 stays green.
    draft = dataclasses.replace(enterprise_rules(), green_min_score=100, yellow_min_score=20)
    result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today)
    assert result.pair_rows == [("red", "yellow", 2, Decimal("3000"))]
    draft = dataclasses.replace(enterprise_rules(), yellow_min_score=70)  # 62.5 now red; 100 stays green
    result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today)
    assert result.pair_rows == [("yellow", "red", 2, Decimal("30000"))]
    # Largest first among the accounts turning red, with their scores under both rules.
    assert [(a.name, a.old_score, a.new_score) for a in result.listed] == [
        (segment_accounts["y2"].name, Decimal("62.5"), Decimal("62.5")),
        (segment_accounts["y1"].name, Decimal("62.5"), Decimal("62.5")),
    ]


def test_a_weight_change_rescores_with_the_draft_weights(segment_accounts, fixed_today):
    # Sentiment 25 %, the three green measures 75 %: yellow sentiment 87.5, red 75 (yellow).
    draft = dataclasses.replace(
        enterprise_rules(), weight_engagement=25, weight_roi=25, weight_support=25, weight_sentiment=25
    )
    result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today)
    assert sorted(result.pair_rows) == [("red", "yellow", 2, Decimal("3000")), ("yellow", "green", 2, Decimal("30000"))]


def test_the_rules_in_force_change_nothing(segment_accounts, fixed_today):
    result = whatif.whatif_compute(segment="enterprise", draft=enterprise_rules(), as_of=fixed_today)
    assert (result.accounts, result.changed, result.changed_arr, result.listed) == (7, 0, 0, [])
    assert result.diff == []


def test_a_longer_ticket_window_reads_the_tickets_of_the_draft_window(segment_accounts, fixed_today):
    account = segment_accounts["g1"]
    for _ in range(16):  # 16 tickets 40 days ago: outside 30 days, inside 60
        TicketFactory(account=account, opened=fixed_today - dt.timedelta(days=40))
    draft = dataclasses.replace(enterprise_rules(), support_window_days=60)
    result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today)
    # Support red: 95 of 100, still green. With green from 96 it is the only change.
    assert result.changed == 0
    draft = dataclasses.replace(draft, green_min_score=96)
    result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today)
    assert [(a.account_id, a.old, a.new) for a in result.listed] == [(account.pk, "green", "yellow")]


def test_the_list_is_bounded_but_the_counts_cover_every_account(segment_accounts, fixed_today):
    # Yellow from 99: the two yellow accounts (62.5) turn red; read 2 accounts per chunk, list 1.
    draft = dataclasses.replace(enterprise_rules(), green_min_score=100, yellow_min_score=99)
    result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today, limit=1, chunk_size=2)
    assert (result.accounts, result.changed, result.changed_arr, len(result.listed)) == (7, 2, Decimal("30000"), 1)
    assert result.listed[0].account_id == segment_accounts["y2"].pk  # the larger


def test_the_preview_reads_a_fixed_number_of_queries_per_chunk(fixed_today, tam):
    def queries(n):
        for _ in range(n):
            healthy_account(today=fixed_today, sentiment="yellow", segment="enterprise", tam=tam)
        draft = dataclasses.replace(enterprise_rules(), green_min_score=60)
        with CaptureQueriesContext(connection) as captured:
            result = whatif.whatif_compute(segment="enterprise", draft=draft, as_of=fixed_today)
        return result.changed, len(captured)

    small, large = queries(2), queries(6)
    assert (small[0], large[0]) == (2, 8)
    assert small[1] == large[1]


def test_a_draft_becomes_a_query_string_named_like_the_configuration_fields():
    query = parse_qs(whatif.draft_query(rules.COMMERCIAL_RULES), keep_blank_values=True)
    assert query["green_min_score"] == ["76"] and query["full_measure_arr_min"] == ["50000"]
    assert parse_qs(whatif.draft_query(rules.ENTERPRISE_RULES), keep_blank_values=True)["engagement_arr_min"] == [""]
    assert set(query) == set(inputs.RULE_FIELDS)


def test_stored_rules_read_back_equal_whatever_the_decimal_places():
    stored = {**rules.COMMERCIAL_RULES.as_dict(), "full_measure_arr_min": "50000.00", "retired_field": 1}
    assert rules.Rules.from_dict(stored) == rules.COMMERCIAL_RULES
    assert rules.Rules.from_dict(rules.ENTERPRISE_RULES.as_dict()) == rules.ENTERPRISE_RULES
    changed = dataclasses.replace(rules.COMMERCIAL_RULES, engagement_arr_min=None, points_yellow=40)
    assert rules.COMMERCIAL_RULES.diff(changed) == [
        ("engagement_arr_min", Decimal("20000"), None),
        ("points_yellow", 50, 40),
    ]


# --- Versions on snapshots -------------------------------------------------------------------


def test_each_seeded_configuration_starts_at_version_1():
    assert sorted(ScorecardVersion.objects.values_list("segment", "number")) == [("commercial", 1), ("enterprise", 1)]
    versions = inputs.rules_by_segment().versions
    assert versions["enterprise"] == ScorecardVersion.objects.get(segment="enterprise").pk


def test_the_engine_writes_the_version_of_the_rules_it_used(segment_accounts, fixed_today, admin_user):
    account = segment_accounts["y1"]
    first = ScorecardVersion.objects.get(segment="enterprise", number=1)
    assert HealthSnapshot.objects.get(account=account, date=fixed_today).config_version == first
    config = ScorecardConfig.objects.get(segment="enterprise")
    config.green_min_score = 60
    second = accounts_services.scorecard_config_apply(config=config, by=admin_user, base_version=1)
    assert (second.number, second.created_by, second.as_rules().green_min_score) == (2, admin_user, 60)
    snapshot = HealthSnapshot.objects.get(account=account, date=fixed_today)
    assert (snapshot.color, snapshot.config_version) == ("green", second)
    # The other segment's snapshots keep their own version.
    other = HealthSnapshot.objects.get(account=segment_accounts["c1"], date=fixed_today)
    assert other.config_version == ScorecardVersion.objects.get(segment="commercial", number=1)


def test_rules_changed_without_a_version_leave_snapshots_unversioned(segment_accounts, fixed_today):
    ScorecardConfig.objects.filter(segment="enterprise").update(green_min_score=60)  # around the admin
    assert inputs.rules_by_segment().versions["enterprise"] is None
    scoring.segment_rescore(segment="enterprise", as_of=fixed_today)
    assert HealthSnapshot.objects.get(account=segment_accounts["y1"], date=fixed_today).config_version is None


def test_apply_refuses_a_stale_base_version(segment_accounts, admin_user):
    config = ScorecardConfig.objects.get(segment="enterprise")
    config.green_min_score = 60
    accounts_services.scorecard_config_apply(config=config, by=admin_user, base_version=1)
    config.green_min_score = 90
    with pytest.raises(accounts_services.StaleScorecard):
        accounts_services.scorecard_config_apply(config=config, by=admin_user, base_version=1)
    assert ScorecardConfig.objects.get(segment="enterprise").green_min_score == 60


# --- History ---------------------------------------------------------------------------------


def page_history(account, today):
    return history.account_history(account=account, snapshots=selectors.account_snapshots(account=account, today=today))


def test_history_says_rules_changed_and_what_changed(segment_accounts, fixed_today, admin_user):
    yesterday = fixed_today - dt.timedelta(days=1)
    account, steady = segment_accounts["y1"], segment_accounts["g1"]
    scoring.scores_recompute(as_of=yesterday, accounts=Account.objects.filter(pk__in=[account.pk, steady.pk]))
    config = ScorecardConfig.objects.get(segment="enterprise")
    config.green_min_score = 60
    accounts_services.scorecard_config_apply(config=config, by=admin_user, base_version=1)
    [item] = [i for i in page_history(account, fixed_today) if i.date == fixed_today and i.what == "Overall health"]
    assert (item.old, item.new) == ("yellow", "green")
    assert item.who == "Healthscore (rules changed: version 2)"
    assert item.why == "Rules changed (version 1 → 2): green min score 76 → 60"
    # A color the change did not move still gets a line saying the rules changed.
    [item] = [i for i in page_history(steady, fixed_today) if i.what == history.RULES_CHANGED]
    assert (item.old, item.new, item.date) == ("green", "green", fixed_today)


def test_history_before_versions_claims_no_rule_change(segment_accounts, fixed_today):
    account = segment_accounts["y1"]
    HealthSnapshot.objects.filter(account=account).update(config_version=None)
    yesterday = HealthSnapshot.objects.get(account=account, date=fixed_today)
    yesterday.pk, yesterday.date = None, fixed_today - dt.timedelta(days=1)
    yesterday.save()
    scoring.scores_recompute(as_of=fixed_today, accounts=Account.objects.filter(pk=account.pk))
    assert not [i for i in page_history(account, fixed_today) if i.what == history.RULES_CHANGED]


# --- The admin: preview, apply, cancel -------------------------------------------------------


def change_url(config):
    return f"/admin/accounts/scorecardconfig/{config.pk}/change/"


def apply(values, base_version):
    return {**values, "_whatif_apply": "1", "_whatif_base_version": base_version}


def test_saving_shows_the_preview_and_saves_nothing(client, admin_user, segment_accounts):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    response = client.post(change_url(config), config_form(config, green_min_score=60))
    assert response.status_code == 200
    assert response.templates[0].name == "admin/accounts/scorecardconfig/whatif.html"
    html = response.content.decode()
    assert "2 of 7 accounts" in html and "30,000 of 633,000 ARR" in html
    assert segment_accounts["y2"].name in html and segment_accounts["g1"].name not in html
    assert 'name="_whatif_base_version" value="1"' in html
    assert ScorecardConfig.objects.get(segment="enterprise").green_min_score == 76
    assert ScorecardVersion.objects.filter(segment="enterprise").count() == 1
    assert Account.objects.get(pk=segment_accounts["y1"].pk).health_color == "yellow"


def test_the_preview_names_who_would_be_notified(client, admin_user, segment_accounts, people):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    # Yellow from 70: the two yellow accounts (62.5) turn red, which tells the red list.
    response = client.post(change_url(config), config_form(config, yellow_min_score=70))
    html = response.content.decode()
    for person, role in [
        (people.rtm, "Regional TAM Manager (EMEA)"),
        (people.vp, "Vice President of Customer Success"),
    ]:
        assert f"{person.get_full_name() or person.username} ({role}): 2 accounts" in html
    assert "(APAC)" not in html


def test_apply_saves_a_new_version_and_rescores_the_segment(client, admin_user, segment_accounts, fixed_today):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    response = client.post(change_url(config), apply(config_form(config, green_min_score=60), 1))
    assert response.status_code == 302
    version = ScorecardVersion.objects.get(segment="enterprise", number=2)
    assert version.created_by == admin_user and version.values["green_min_score"] == 60
    assert Account.objects.get(pk=segment_accounts["y1"].pk).health_color == "green"
    assert Account.objects.get(pk=segment_accounts["c1"].pk).health_color == "yellow"  # other segment


def test_apply_after_someone_else_applied_is_refused(client, admin_user, segment_accounts):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    preview = client.post(change_url(config), config_form(config, green_min_score=60))
    assert 'value="1"' in preview.content.decode()
    assert client.post(change_url(config), apply(config_form(config, green_min_score=70), 1)).status_code == 302
    response = client.post(change_url(config), apply(config_form(config, green_min_score=60), 1), follow=True)
    assert "someone else changed this scorecard since your preview" in response.content.decode()
    assert ScorecardConfig.objects.get(segment="enterprise").green_min_score == 70
    assert ScorecardVersion.objects.filter(segment="enterprise").count() == 2


def test_invalid_values_show_the_field_errors_not_the_preview(client, admin_user, segment_accounts):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    for values in (config_form(config, weight_sentiment=80), apply(config_form(config, weight_sentiment=80), 1)):
        response = client.post(change_url(config), values)
        assert response.status_code == 200
        assert "The four weights must add up to 100" in response.content.decode()
        assert response.templates[0].name != "admin/accounts/scorecardconfig/whatif.html"
    assert ScorecardVersion.objects.filter(segment="enterprise").count() == 1


def test_cancel_goes_back_to_the_unchanged_form(client, admin_user, segment_accounts):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    html = client.post(change_url(config), config_form(config, green_min_score=60)).content.decode()
    assert f'href="{change_url(config)}" class="button cancel-link"' in html
    response = client.get(change_url(config))
    assert response.status_code == 200 and 'name="green_min_score" value="76"' in response.content.decode()


def test_adding_a_configuration_previews_then_applies(client, admin_user, segment_accounts):
    ScorecardConfig.objects.filter(segment="commercial").delete()  # the segment runs on the defaults
    client.force_login(admin_user)
    values = config_form(ScorecardConfig(segment="commercial", **rules.COMMERCIAL_RULES.as_dict()), green_min_score=60)
    response = client.post("/admin/accounts/scorecardconfig/add/", values)
    assert response.status_code == 200 and "1 of 1 accounts" in response.content.decode()
    assert 'name="_whatif_base_version" value="1"' in response.content.decode()
    assert client.post("/admin/accounts/scorecardconfig/add/", apply(values, 1)).status_code == 302
    assert ScorecardConfig.objects.get(segment="commercial").green_min_score == 60
    assert ScorecardVersion.objects.filter(segment="commercial").count() == 2
    assert Account.objects.get(pk=segment_accounts["c1"].pk).health_color == "green"


def staff_who_may_only_view():
    user = UserFactory(username="viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_scorecardconfig"))
    return user


def test_only_users_who_may_change_the_configuration_preview_or_apply(client, segment_accounts, tam):
    config = ScorecardConfig.objects.get(segment="enterprise")
    values = config_form(config, green_min_score=60)
    client.force_login(staff_who_may_only_view())
    assert client.post(change_url(config), values).status_code == 403
    assert client.post(change_url(config), apply(values, 1)).status_code == 403
    assert client.post("/admin/accounts/scorecardconfig/add/", values).status_code == 403
    client.force_login(tam)  # not staff: the admin sends them to its login
    assert client.post(change_url(config), apply(values, 1)).status_code == 302
    assert ScorecardConfig.objects.get(segment="enterprise").green_min_score == 76
    assert ScorecardVersion.objects.filter(segment="enterprise").count() == 1


def test_versions_are_listed_read_only(client, admin_user):
    client.force_login(admin_user)
    version = ScorecardVersion.objects.get(segment="enterprise")
    assert client.get("/admin/accounts/scorecardversion/").status_code == 200
    assert client.get("/admin/accounts/scorecardversion/add/").status_code == 403
    assert client.post(f"/admin/accounts/scorecardversion/{version.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/accounts/scorecardversion/{version.pk}/change/", {"number": 9})
    assert response.status_code == 403
    assert ScorecardVersion.objects.get(pk=version.pk).number == 1


def test_the_preview_page_query_count_does_not_grow_with_the_segment(
    client, admin_user, fixed_today, tam, people, monkeypatch
):
    monkeypatch.setattr(whatif, "RECIPIENTS_FOR", 2)
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    values = config_form(config, yellow_min_score=70)  # yellow accounts turn red: recipients asked

    def queries(n):
        for _ in range(n):
            healthy_account(today=fixed_today, sentiment="yellow", segment="enterprise", tam=tam)
        with CaptureQueriesContext(connection) as captured:
            assert client.post(change_url(config), values).status_code == 200
        return len(captured)

    assert queries(3) == queries(9)
