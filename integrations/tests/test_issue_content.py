"""What a GitLab issue says, from plain facts (pure: no database, no network)."""

import datetime as dt
from decimal import Decimal

from accounts.mirrors import TriageFacts
from accounts.scoring import rules
from integrations import issue_content

FACTS = TriageFacts(
    record_id=7,
    account_id=3,
    is_open=True,
    risk="HS::Red",
    region="Commercial",
    classification="U&A",
    classification_words="Unexpected and Avoidable",
    risk_reasons=("risk::lack of adoption", "risk::competition"),
    origin="Opened automatically: health is red",
    opened_on="2026-11-20",
    closed_on="",
    path="/triage/records/7/",
)
ACCOUNT = issue_content.AccountFacts(
    name="Globex",
    external_id="0015f1",
    arr=Decimal("45000"),
    segment="Commercial",
    tam="Tess",
    path="/accounts/0015f1/",
)
VOCABULARY = frozenset({"HS::Green", "HS::Yellow", "HS::Red", "EMEA", "Commercial", "U&A", "E&A", "risk::competition"})


def scorecard() -> rules.Result:
    return rules.compute(
        rules.Inputs(
            segment="commercial",
            arr=Decimal("45000"),
            last_held_meeting=dt.date(2026, 11, 1),
            tickets_in_window=20,
            sentiment="red",
            sentiment_date=dt.date(2026, 11, 19),
        ),
        rules.COMMERCIAL_RULES,
        dt.date(2026, 11, 24),
    )


def test_one_label_of_each_handbook_category_in_order():
    assert issue_content.labels_for(FACTS) == (
        "HS::Red",
        "Commercial",
        "U&A",
        "risk::lack of adoption",
        "risk::competition",
    )


def test_an_unclassified_record_has_no_classification_label():
    facts = TriageFacts(**{**FACTS.__dict__, "classification": "", "risk_reasons": ()})
    assert issue_content.labels_for(facts) == ("HS::Red", "Commercial")


def test_the_labels_to_remove_are_the_handbooks_that_no_longer_apply_only():
    content = issue_content.content_for(facts=FACTS, account=ACCOUNT, scorecard=None, site_url="https://hs")
    assert content.labels_to_remove(VOCABULARY | {"risk::lack of adoption"}) == (
        "E&A",
        "EMEA",
        "HS::Green",
        "HS::Yellow",
    )


def test_the_description_follows_the_template_with_the_scorecards_reasons():
    content = issue_content.content_for(facts=FACTS, account=ACCOUNT, scorecard=scorecard(), site_url="https://hs")
    assert content.title == "Globex - Account Triage"
    text = content.description
    assert "[Globex](https://hs/accounts/0015f1/) (CRM id 0015f1)" in text
    assert "**ARR:** $45,000" in text and "**Segment:** Commercial" in text and "**TAM:** Tess" in text
    assert "| Support | Red |" in text and "20 tickets opened in the last 30 days" in text
    assert "| ROI | Missing | not counted | Not measured for Commercial accounts under $50,000 ARR |" in text
    assert "| Engagement | Green | 11.11% | 23 days since last meeting on 2026-11-01" in text
    assert "**Classification:** U&A (Unexpected and Avoidable)" in text
    assert "[the triage record](https://hs/triage/records/7/)" in text
    assert text.splitlines()[-1] == "<!-- healthscore-triage-record-7 -->"
    assert not content.closed


def test_a_pipe_in_a_reason_does_not_break_the_table():
    assert issue_content._cell("a | b\nc") == "a \\| b c"


def test_the_fingerprint_changes_with_what_gitlab_would_show_only():
    one = issue_content.content_for(facts=FACTS, account=ACCOUNT, scorecard=None, site_url="https://hs")
    same = issue_content.content_for(facts=FACTS, account=ACCOUNT, scorecard=None, site_url="https://hs")
    closed = issue_content.content_for(
        facts=TriageFacts(**{**FACTS.__dict__, "is_open": False, "closed_on": "2026-11-24"}),
        account=ACCOUNT,
        scorecard=None,
        site_url="https://hs",
    )
    assert one.fingerprint() == same.fingerprint() != closed.fingerprint()
    assert closed.closed and "**Status:** closed on 2026-11-24" in closed.description
    assert "Not scored yet." in one.description


def test_the_marker_of_one_record_is_not_found_in_anothers():
    assert issue_content.marker_line(4) not in issue_content.marker_line(42)
