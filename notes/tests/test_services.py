"""Writes: a note, its meeting, its action items and the health change in one transaction."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Color, Meeting, MeetingKind, MeetingStatus, SentimentEntry, SentimentSource
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, SuccessPlanFactory
from notes import selectors, services
from notes.models import ActionItem, FeatureRequest, NoteEntry, RiskAssessment
from notes.tests.factories import ActionItemFactory, FeatureRequestFactory, NoteEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(tam):
    account = AccountFactory(tam=tam)
    SuccessPlanFactory(account=account)
    SentimentFactory(account=account, color=Color.GREEN, date=dt.date(2026, 9, 1))
    return account


def create(account, by, **kwargs):
    defaults = {
        "date": dt.date(2026, 11, 23),
        "sections": services.NoteSections(product_feedback="Wants better runners"),
    }
    return services.note_create(account=account, by=by, **{**defaults, **kwargs})


def test_note_logs_the_meeting_as_held_and_rescores_engagement_at_once(account, tam, fixed_today):
    entry = create(account, tam, kind=MeetingKind.EBR, attendees="CTO; TAM")
    meeting = entry.meeting
    assert (meeting.account, meeting.date, meeting.status, meeting.kind, meeting.attendees, meeting.logged_by) == (
        account,
        dt.date(2026, 11, 23),
        MeetingStatus.HELD,
        MeetingKind.EBR,
        "CTO; TAM",
        tam,
    )
    # The note text stays in the note: the meeting record carries none of it.
    assert meeting.summary == ""
    account.refresh_from_db()
    assert account.scored_on == fixed_today
    assert account.snapshots.get(date=fixed_today).inputs["last_held_meeting"] == "2026-11-23"


def test_health_change_is_a_meeting_note_sentiment_dated_today(account, tam, fixed_today):
    create(account, tam, health=Color.RED, health_reason="Sponsor left")
    sentiment = SentimentEntry.objects.filter(account=account).latest("created_at")
    assert (sentiment.color, sentiment.reason, sentiment.source, sentiment.date, sentiment.author) == (
        Color.RED,
        "Sponsor left",
        SentimentSource.MEETING_NOTE,
        fixed_today,
        tam,
    )
    account.refresh_from_db()
    assert account.health_color == Color.RED and account.health_date == fixed_today


def test_confirming_health_moves_the_health_date_without_a_change(account, tam, fixed_today):
    create(account, tam, health=services.CONFIRM)
    account.refresh_from_db()
    assert account.health_date == fixed_today
    assert account.sentiments.latest("created_at").source == SentimentSource.CONFIRMATION


def test_a_color_change_without_a_reason_saves_nothing(account, tam, fixed_today):
    before = (NoteEntry.objects.count(), Meeting.objects.count(), SentimentEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        create(account, tam, health=Color.RED, health_reason="  ", new_items=[services.NewActionItem("Call", "Ana")])
    assert exc.value.message_dict == {"health_reason": ["Say why the sentiment changes."]}
    assert (NoteEntry.objects.count(), Meeting.objects.count(), SentimentEntry.objects.count()) == before
    assert not ActionItem.objects.exists()


def test_a_bad_action_item_rolls_back_the_note_meeting_and_sentiment(account, tam, fixed_today):
    before = (NoteEntry.objects.count(), Meeting.objects.count(), SentimentEntry.objects.count())
    with pytest.raises(ValidationError):
        create(
            account,
            tam,
            health=Color.YELLOW,
            health_reason="Adoption stalled",
            new_items=[services.NewActionItem("x" * 501, "Ana")],
        )
    assert (NoteEntry.objects.count(), Meeting.objects.count(), SentimentEntry.objects.count()) == before


def test_a_future_meeting_date_is_refused(account, tam, fixed_today):
    with pytest.raises(ValidationError) as exc:
        create(account, tam, date=fixed_today + dt.timedelta(days=1))
    assert "date" in exc.value.message_dict
    assert not Meeting.objects.filter(account=account).exists()


def test_running_notes_go_forward_from_the_latest_entry(account, tam, fixed_today):
    create(account, tam, date=dt.date(2026, 11, 20))
    with pytest.raises(ValidationError) as exc:
        create(account, tam, date=dt.date(2026, 11, 19))
    message = exc.value.message_dict["date"][0]
    assert message.startswith("The running notes go forward: the latest entry is from 2026-11-20")
    create(account, tam, date=dt.date(2026, 11, 20))  # a second meeting the same day is fine
    assert NoteEntry.objects.filter(account=account).count() == 2


def test_open_action_items_carry_over_and_are_ticked_done_in_the_next_entry(account, tam, fixed_today):
    first = create(
        account,
        tam,
        date=dt.date(2026, 11, 2),
        new_items=[
            services.NewActionItem(" Send runner docs ", " TAM ", dt.date(2026, 11, 10)),
            services.NewActionItem("Plan upgrade", "Customer ops"),
        ],
    )
    docs, plan = first.action_items.order_by("pk")
    assert (docs.text, docs.owner, docs.done) == ("Send runner docs", "TAM", False)
    second = create(account, tam, date=dt.date(2026, 11, 16), done_items=[docs.pk])
    docs.refresh_from_db()
    plan.refresh_from_db()
    assert (docs.done, docs.done_in) == (True, second)
    assert (plan.done, plan.done_in) == (False, None)


def test_ticking_an_item_of_another_account_saves_nothing(account, tam, fixed_today):
    foreign = ActionItemFactory()
    with pytest.raises(ValidationError) as exc:
        create(account, tam, done_items=[foreign.pk])
    assert "done_items" in exc.value.message_dict
    foreign.refresh_from_db()
    assert not foreign.done and not NoteEntry.objects.filter(account=account).exists()


def test_ticking_an_already_done_item_is_refused(account, tam, fixed_today):
    item = ActionItemFactory(entry=NoteEntryFactory(account=account), done=True)
    with pytest.raises(ValidationError):
        create(account, tam, done_items=[item.pk])


def test_risks_are_recorded_with_the_note_only_when_they_change(account, tam, fixed_today):
    create(account, tam, risks=["customer_engagement"], risk_note="Missed two calls")
    create(account, tam, risks=["customer_engagement"])
    assert RiskAssessment.objects.filter(account=account).count() == 1
    create(account, tam, risks=[])
    latest = RiskAssessment.objects.filter(account=account).order_by("-pk").first()
    assert latest.categories == [] and RiskAssessment.objects.count() == 2


def test_risk_assessment_keeps_history_and_refuses_unknown_categories(account, tam, fixed_today):
    services.risk_assessment_record(account=account, by=tam, categories=["product_adoption"], note=" Low use ")
    second = services.risk_assessment_record(
        account=account, by=tam, categories=["product_experience", "organizational_factors"]
    )
    assert second.categories == ["product_experience", "organizational_factors"]
    assert [r.note for r in RiskAssessment.objects.order_by("pk")] == ["Low use", ""]
    with pytest.raises(ValidationError):
        services.risk_assessment_record(account=account, by=tam, categories=["budget"])
    assert RiskAssessment.objects.count() == 2


def test_signal_data_update_saves_account_fields_and_rows_together(account, tam):
    old = FeatureRequestFactory(account=account, title="Old")
    services.signal_data_update(
        account=account,
        data=services.AccountSignalData(
            deployment="self_managed",
            licences_purchased=500,
            licences_used=420,
            product_stages=["Verify", "create ", "verify"],
            current_version=" 16.4 ",
        ),
        feature_requests=[FeatureRequest(title="SAML groups", important=True)],
        deleted=[old],
    )
    data = account.signal_data
    data.refresh_from_db()
    assert (data.licences_used, data.product_stages, data.current_version) == (
        420,
        ["create", "verify"],
        "16.4",
    )
    assert list(account.feature_requests.values_list("title", flat=True)) == ["SAML groups"]


def test_signal_data_update_refuses_rows_of_another_account_and_saves_nothing(account, tam):
    foreign = FeatureRequestFactory(title="Foreign")
    with pytest.raises(ValidationError):
        services.signal_data_update(
            account=account,
            data=services.AccountSignalData("saas", 10, 5, [], ""),
            deleted=[foreign],
        )
    assert FeatureRequest.objects.filter(pk=foreign.pk).exists()
    account.refresh_from_db()
    assert selectors.signal_data_of(account).licences_purchased == 0


def test_meeting_with_a_note_cannot_be_deleted_silently(account, tam, fixed_today):
    entry = create(account, tam)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entry.meeting.delete()


def test_other_meetings_are_left_alone(account, tam, fixed_today):
    cancelled = MeetingFactory(account=account, date=dt.date(2026, 11, 20), status=MeetingStatus.CANCELLED)
    create(account, tam)
    cancelled.refresh_from_db()
    assert cancelled.status == MeetingStatus.CANCELLED


def test_an_empty_note_is_refused_and_logs_no_held_meeting(account, tam):
    with pytest.raises(ValidationError) as error:
        create(account, tam, sections=services.NoteSections(product_feedback="   \n"))
    assert error.value.message_dict["__all__"] == [services.EMPTY_NOTE]
    assert not Meeting.objects.exists() and not NoteEntry.objects.exists()


def test_a_note_with_only_a_new_action_item_is_kept(account, tam):
    entry = create(
        account, tam, sections=services.NoteSections(), new_items=[services.NewActionItem("Send docs", "TAM")]
    )
    assert entry.meeting.status == MeetingStatus.HELD
