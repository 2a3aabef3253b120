"""Forms of the TAM's pages. They check types and choices; the services check the rules."""

from __future__ import annotations

import datetime as dt

from django import forms

from accounts.models import Color, MeetingKind, MeetingStatus, SentimentSource
from accounts.scoring import rules
from healthscore.limits import LONG_TEXT, SHORT_TEXT

REASON_HELP = "Required when the color changes: what moved your read of the customer?"


ORIGINS = {"list": SentimentSource.ACCOUNT_LIST, "account": SentimentSource.SCORECARD}


class SentFromMixin(forms.Form):
    """Where a health form was sent from ("list": My accounts, "account": the account page):
    says where to answer and is stored as the sentiment entry's source."""

    origin = forms.ChoiceField(
        choices=[(key, key) for key in ORIGINS], required=False, initial="account", widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def sent_from(self) -> str:
        """Also known for an invalid form: the view needs it to answer."""
        value = self.data.get("origin")
        return value if value in ORIGINS else "account"

    @property
    def source(self) -> str:
        return ORIGINS[self.sent_from]


class SentimentForm(SentFromMixin):
    """The TAM's sentiment, from My accounts (inline) or from the account page."""

    kind = "sentiment"

    color = forms.ChoiceField(
        label="TAM sentiment",
        choices=Color.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose green, yellow or red."},
    )
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, help_text=REASON_HELP, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(SentFromMixin):
    """ "Confirm health is current": nothing to fill in."""


class ActivityForm(forms.Form):
    """A call or meeting, with an optional sentiment update saved in the same transaction."""

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label="Kind", choices=MeetingKind.choices)
    status = forms.ChoiceField(label="Status", choices=MeetingStatus.choices, initial=MeetingStatus.HELD)
    attendees = forms.CharField(
        label="Attendees",
        required=False,
        max_length=500,
        help_text="Who took part, e.g. “Jo Park (platform lead), Sam Reed (AE)”.",
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Visible to the account team and managers only.",
    )
    sentiment_color = forms.ChoiceField(
        label="New TAM sentiment",
        required=False,
        choices=[("", "No change")] + list(Color.choices),
    )
    sentiment_reason = forms.CharField(
        label="Reason for the sentiment",
        required=False,
        max_length=2000,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", today)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = today.isoformat()


class SentimentPreviewForm(forms.Form):
    """What a sentiment form holds so far, for the preview before saving. Each form names its
    fields its own way: `source` says which form it is (the list row and the account page send
    `color`; logging an activity `sentiment_color`, `date`, `status`; a meeting note `health`
    ("" or "confirm": no change) and `date`, always a held meeting)."""

    source = forms.ChoiceField(choices=[("sentiment", "sentiment"), ("activity", "activity"), ("note", "note")])
    color = forms.ChoiceField(choices=[("", "")] + list(Color.choices), required=False)
    sentiment_color = forms.ChoiceField(choices=[("", "")] + list(Color.choices), required=False)
    health = forms.ChoiceField(choices=[("", ""), ("confirm", "confirm")] + list(Color.choices), required=False)
    date = forms.DateField(required=False)
    status = forms.ChoiceField(choices=[("", "")] + list(MeetingStatus.choices), required=False)

    def candidate(self) -> tuple[str | None, dt.date | None]:
        """(the sentiment the form would set or None, the day of the held meeting it would log or None)."""
        data = self.cleaned_data
        if data["source"] == "activity":
            held = data["date"] if data["status"] == MeetingStatus.HELD else None
            return data["sentiment_color"] or None, held
        if data["source"] == "note":
            health = data["health"]
            return (health if health in Color.values else None), data["date"]
        return data["color"] or None, None


class OverrideForm(forms.Form):
    """A manager's override of the overall color, or a TAM's request for one (accounts.overrides
    checks the dates: today at the earliest, 90 days at most)."""

    color = forms.ChoiceField(
        label="Overall color",
        choices=Color.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose green, yellow or red."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the computed color is wrong; shown wherever the override is.",
        error_messages={"required": "Say why the computed color is wrong."},
    )
    expires_on = forms.DateField(
        label="Until (last day)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Say until when the override holds."},
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].widget.attrs.update(
            min=today.isoformat(), max=(today + dt.timedelta(days=rules.OVERRIDE_MAX_DAYS)).isoformat()
        )
