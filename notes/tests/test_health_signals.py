"""The pure signal rules, at their boundaries (no database)."""

import dataclasses
import datetime as dt

import pytest

from notes import health_signals as hs

TODAY = dt.date(2026, 11, 24)
BASE = hs.SignalInputs(
    today=TODAY,
    self_managed=False,
    licences_purchased=100,
    licences_used=90,
    product_stages=("create", "verify"),
    current_version="",
    latest_release=(17, 6),
    open_important_requests=0,
    tickets_per_month=(2, 2, 2),
    support_green_max=5,
    support_yellow_max=15,
    onboarding=False,
    missed_cadence_calls=0,
    last_held_cadence=TODAY - dt.timedelta(days=10),
)


def inputs(**changes):
    return dataclasses.replace(BASE, **changes)


# --- Utilization ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("used", "level"),
    [(80, hs.OK), (79, hs.WATCH), (50, hs.WATCH), (49, hs.FLAG), (0, hs.FLAG), (130, hs.OK)],
)
def test_utilization_licence_bands_flag_below_half_and_watch_below_80_percent(used, level):
    signal = hs.utilization(inputs(licences_used=used))
    assert signal.level == level
    assert f"{used} of 100 licences used ({used} %)" in signal.data


def test_utilization_flags_a_single_stage_as_a_single_facet():
    signal = hs.utilization(inputs(product_stages=("create",)))
    assert signal.level == hs.FLAG
    assert "1 stage in use: create" in signal.data
    assert signal.verdict == "Only a single facet of the product is used."
    assert signal.mitigation


def test_utilization_with_two_stages_and_full_use_looks_fine():
    signal = hs.utilization(BASE)
    assert signal.level == hs.OK and not signal.mitigation
    assert signal.verdict == "Healthy use of the licences across several stages."


def test_utilization_says_both_problems_in_one_verdict():
    signal = hs.utilization(inputs(licences_used=10, product_stages=("plan",)))
    assert signal.verdict == "Fewer than 50 % of the licences are used; only a single facet of the product is used."


def test_utilization_without_data_is_unknown_not_fine():
    signal = hs.utilization(inputs(licences_purchased=0, licences_used=0, product_stages=()))
    assert signal.level == hs.UNKNOWN
    assert signal.data == "no purchased licences recorded; no product stages recorded"


# --- Feature requests -----------------------------------------------------------------------


@pytest.mark.parametrize(("count", "level"), [(0, hs.OK), (2, hs.OK), (3, hs.FLAG), (9, hs.FLAG)])
def test_feature_requests_flag_from_three_open_important_ones(count, level):
    signal = hs.feature_requests(inputs(open_important_requests=count))
    assert signal.level == level
    assert signal.data.startswith(f"{count} open important feature request")
    assert bool(signal.mitigation) == (level == hs.FLAG)


def test_feature_request_data_uses_singular_for_one():
    assert hs.feature_requests(inputs(open_important_requests=1)).data == "1 open important feature request"


# --- Support load ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "trend"),
    [
        ((4, 4, 6), "up"),  # +2 and +50 %
        ((4, 4, 5), "flat"),  # +1: below the minimum change
        ((10, 10, 12), "flat"),  # +2 but only +20 %
        ((10, 10, 13), "up"),  # +3 and +30 %
        ((8, 8, 6), "down"),
        ((0, 0, 0), "flat"),
        ((0, 0, 2), "up"),
    ],
)
def test_support_trend_compares_the_latest_month_to_the_earlier_average(counts, trend):
    assert hs.support_trend(counts) == trend


@pytest.mark.parametrize(
    ("latest", "level"),
    [(5, hs.OK), (6, hs.WATCH), (15, hs.WATCH), (16, hs.FLAG)],
)
def test_support_load_bands_follow_the_scorecard_support_limits(latest, level):
    signal = hs.support_load(inputs(tickets_per_month=(latest, latest, latest)))
    assert signal.level == level
    assert f"{latest}, {latest}, {latest}; trend flat" in signal.data


def test_support_load_rising_but_low_is_worth_watching():
    signal = hs.support_load(inputs(tickets_per_month=(0, 1, 4)))
    assert signal.level == hs.WATCH
    assert signal.verdict == "Support requests are rising (4 in the last 30 days)."


def test_support_flag_suggests_an_architecture_review():
    signal = hs.support_load(inputs(tickets_per_month=(3, 9, 20)))
    assert signal.level == hs.FLAG and "architecture review" in signal.mitigation


def test_support_months_are_three_30_day_windows_ending_today():
    assert hs.support_months(TODAY) == [
        (dt.date(2026, 8, 27), dt.date(2026, 9, 25)),
        (dt.date(2026, 9, 26), dt.date(2026, 10, 25)),
        (dt.date(2026, 10, 26), TODAY),
    ]


# --- Missed cadence calls -------------------------------------------------------------------


@pytest.mark.parametrize(("days", "level"), [(30, hs.OK), (31, hs.FLAG)])
def test_cadence_monthly_flags_after_30_days_without_a_held_call(days, level):
    signal = hs.missed_cadence(inputs(last_held_cadence=TODAY - dt.timedelta(days=days)))
    assert signal.level == level
    assert f"{days} days since the last held one" in signal.data and "cadence monthly, every 30 days" in signal.data


@pytest.mark.parametrize(("days", "level"), [(7, hs.OK), (8, hs.FLAG)])
def test_cadence_while_onboarding_is_weekly(days, level):
    signal = hs.missed_cadence(inputs(onboarding=True, last_held_cadence=TODAY - dt.timedelta(days=days)))
    assert signal.level == level
    assert "weekly (onboarding), every 7 days" in signal.data


@pytest.mark.parametrize(("missed", "level"), [(0, hs.OK), (1, hs.WATCH), (2, hs.FLAG)])
def test_cadence_missed_calls_watch_at_one_and_flag_at_two(missed, level):
    signal = hs.missed_cadence(inputs(missed_cadence_calls=missed))
    assert signal.level == level


def test_cadence_never_held_is_a_flag_with_the_ebr_advice():
    signal = hs.missed_cadence(inputs(last_held_cadence=None, missed_cadence_calls=3))
    assert signal.level == hs.FLAG
    assert "no held cadence call on record" in signal.data
    assert signal.verdict == (
        "Cadence calls are being missed: no cadence call held in the last 30 days and 3 calls missed."
    )
    assert "EBR" in signal.mitigation


# --- Failure to upgrade ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "level"),
    [
        ("17.6", hs.OK),
        ("17.10", hs.OK),
        ("18.0", hs.OK),
        ("17.0", hs.OK),
        ("16.11", hs.WATCH),
        ("16.0.3", hs.WATCH),
        ("15.11", hs.FLAG),
        ("v14.2", hs.FLAG),
    ],
)
def test_upgrade_flags_more_than_one_major_release_behind(version, level):
    signal = hs.upgrade(inputs(self_managed=True, current_version=version))
    assert signal.level == level


def test_upgrade_flag_carries_the_handbook_mitigation():
    signal = hs.upgrade(inputs(self_managed=True, current_version="15.3"))
    assert signal.data == "Runs 15.3; latest release 17.6"
    assert signal.verdict == "2 major releases behind: more than one major release behind."
    assert "Develop an upgrade plan with the customer if appropriate." in signal.mitigation


def test_upgrade_does_not_apply_to_saas():
    assert hs.upgrade(inputs(self_managed=False, current_version="12.0")).level == hs.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("changes", "data"),
    [
        ({"latest_release": None, "current_version": "16.1"}, "No latest release configured"),
        ({"current_version": ""}, "no version; latest release 17.6"),
        ({"current_version": "sixteen"}, "version 'sixteen' not understood; latest release 17.6"),
    ],
)
def test_upgrade_without_usable_data_is_unknown(changes, data):
    signal = hs.upgrade(inputs(self_managed=True, **changes))
    assert (signal.level, signal.data) == (hs.UNKNOWN, data)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("16.4", (16, 4)), ("16.4.2", (16, 4)), (" v17.0 ", (17, 0)), ("16", None), ("16.x", None), ("", None)],
)
def test_parse_version(text, parsed):
    assert hs.parse_version(text) == parsed


# --- Sponsor or champion --------------------------------------------------------------------


def _event(days_ago, change="left"):
    return hs.ChampionEvent("Jane Doe", "Champion", change, change.title(), TODAY - dt.timedelta(days=days_ago))


@pytest.mark.parametrize(("days_ago", "level"), [(179, hs.FLAG), (180, hs.OK)])
def test_champion_loss_flags_within_180_days(days_ago, level):
    assert hs.champion(inputs(champion_events=(_event(days_ago),))).level == level


def test_a_new_champion_alone_is_worth_watching():
    signal = hs.champion(inputs(champion_events=(_event(10, "new"),)))
    assert signal.level == hs.WATCH
    assert signal.data == "Jane Doe (Champion): new on 2026-11-14"


def test_compute_returns_every_signal_in_the_handbook_order():
    names = [s.name for s in hs.compute(BASE)]
    assert names == ["utilization", "feature_requests", "support", "cadence", "upgrade", "champion"]
    assert all(s.level_label for s in hs.compute(BASE))


def test_upgrade_says_when_the_release_list_is_behind_the_customer():
    signal = hs.upgrade(inputs(self_managed=True, current_version="18.1"))
    assert signal.verdict == "Newer than the latest release on record: update the release list."
