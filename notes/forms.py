"""Forms of the notes app. They validate input; the services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.forms import formset_factory, modelformset_factory

from accounts.models import Color, MeetingKind
from healthscore import clock
from healthscore.limits import LONG_TEXT
from notes import health_signals
from notes.models import RISK_NOTE_MAX_LENGTH, ActionItem, ChampionChange, Deployment, FeatureRequest, RiskCategory
from notes.services import CONFIRM, NO_CHANGE

# The product's DevOps stages, offered as checkboxes for "product stages in use".
PRODUCT_STAGES = [
    "manage",
    "plan",
    "create",
    "verify",
    "package",
    "secure",
    "release",
    "configure",
    "monitor",
    "govern",
    "deploy",
]

HEALTH_CHOICES = [
    (NO_CHANGE, "Not assessed in this meeting"),
    (CONFIRM, "No change: confirm the health is current"),
    *[(color, f"Changed: sentiment is now {label}") for color, label in Color.choices],
]


def _markdown_area(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=LONG_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class NoteEntryForm(forms.Form):
    """A meeting's entry, in the handbook's agenda order, ending with the health question."""

    date = forms.DateField(label="Meeting date", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="Meeting type", choices=MeetingKind.choices, initial=MeetingKind.CADENCE)
    attendees = forms.CharField(label="Attendees", required=False, max_length=500)

    done_items = forms.TypedMultipleChoiceField(
        label="Done since the last meeting",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the open action items that are done.",
    )
    action_item_updates = _markdown_area("Updates on action items")
    architecture_changes = _markdown_area("Architectural changes")
    new_deployments = _markdown_area("New deployments")
    product_feedback = _markdown_area("Product feedback")
    support_review = _markdown_area("Review of open support tickets")
    questions_answers = _markdown_area("Q&A", rows=4)
    health_business = _markdown_area("From a business standpoint")
    health_operational = _markdown_area("From an operational standpoint")

    health = forms.ChoiceField(
        label="Did customer health change?",
        choices=HEALTH_CHOICES,
        required=False,
        initial=NO_CHANGE,
        widget=forms.RadioSelect,
    )
    health_reason = forms.CharField(
        label="Why did it change?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the sentiment changes color. Recorded with the sentiment (not in the notes).",
    )
    risks = forms.MultipleChoiceField(
        label="Which risk categories apply?",
        choices=RiskCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_note = forms.CharField(
        label="Note on the risks",
        required=False,
        max_length=RISK_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded when the categories change or a note is given.",
    )

    def __init__(self, *args, open_items=(), current_sentiment: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_sentiment = current_sentiment
        self.fields["done_items"].choices = [(item.pk, _item_label(item)) for item in open_items]
        self.fields["date"].widget.attrs["max"] = clock.today().isoformat()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > clock.today():
            raise forms.ValidationError("A meeting note is for a meeting that took place: not a future date.")
        return date

    def clean(self):
        cleaned = super().clean()
        # Said here too (the service decides) so that every error shows on the first submit.
        health = cleaned.get("health")
        if health in Color.values and health != self.current_sentiment and not cleaned.get("health_reason", "").strip():
            self.add_error("health_reason", "Say why the sentiment changes.")
        return cleaned


class NoteEntryEditForm(forms.Form):
    """Corrections to an entry's text (same sections as NoteEntryForm)."""

    attendees = NoteEntryForm.base_fields["attendees"]
    action_item_updates = NoteEntryForm.base_fields["action_item_updates"]
    architecture_changes = NoteEntryForm.base_fields["architecture_changes"]
    new_deployments = NoteEntryForm.base_fields["new_deployments"]
    product_feedback = NoteEntryForm.base_fields["product_feedback"]
    support_review = NoteEntryForm.base_fields["support_review"]
    questions_answers = NoteEntryForm.base_fields["questions_answers"]
    health_business = NoteEntryForm.base_fields["health_business"]
    health_operational = NoteEntryForm.base_fields["health_operational"]


def _item_label(item: ActionItem) -> str:
    due = f", due {item.due:%Y-%m-%d}" if item.due else ""
    return f"{item.text} (owner: {item.owner}{due})"


class NewActionItemForm(forms.Form):
    text = forms.CharField(label="Action item", max_length=500, required=False)
    owner = forms.CharField(label="Owner", max_length=200, required=False)
    due = forms.DateField(label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        text, owner = cleaned.get("text"), cleaned.get("owner")
        if (owner or cleaned.get("due")) and not text:
            self.add_error("text", "Say what the action item is (or clear the row).")
        if text and not owner:
            self.add_error("owner", "Every action item needs an owner.")
        return cleaned

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("text"))


NewActionItemFormSet = formset_factory(NewActionItemForm, extra=3, max_num=20, validate_max=True)


class RiskAssessmentForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="Risk categories that apply",
        choices=RiskCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to record that none apply.",
    )
    note = forms.CharField(label="Note", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class SignalDataForm(forms.Form):
    """The account's data behind the utilization and upgrade signals."""

    deployment = forms.ChoiceField(choices=Deployment.choices)
    licences_purchased = forms.IntegerField(label="Licences purchased", min_value=0, max_value=10_000_000)
    licences_used = forms.IntegerField(label="Licences used", min_value=0, max_value=10_000_000)
    product_stages = forms.MultipleChoiceField(
        label="Product stages in use", required=False, widget=forms.CheckboxSelectMultiple
    )
    current_version = forms.CharField(
        label="Version the customer runs",
        required=False,
        max_length=20,
        help_text="Self-managed only, e.g. 16.4 or 16.4.2.",
    )

    def __init__(self, *args, current_stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Keep stages recorded elsewhere (imports) selectable, so saving does not drop them.
        stages = PRODUCT_STAGES + sorted(set(current_stages) - set(PRODUCT_STAGES))
        self.fields["product_stages"].choices = [(s, s.capitalize()) for s in stages]

    def clean_current_version(self):
        version = self.cleaned_data["current_version"].strip()
        if version and health_signals.parse_version(version) is None:
            raise forms.ValidationError("Write the version as major.minor, e.g. 16.4 (or 16.4.2).")
        return version

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deployment") == Deployment.SELF_MANAGED and not cleaned.get("current_version"):
            self.add_error("current_version", "Self-managed accounts need the version they run.")
        return cleaned


class FeatureRequestForm(forms.ModelForm):
    class Meta:
        model = FeatureRequest
        fields = ["title", "important", "status", "opened", "external_id"]
        widgets = {"opened": forms.DateInput(attrs={"type": "date"})}
        labels = {"external_id": "Tracker id"}


class ChampionChangeForm(forms.ModelForm):
    class Meta:
        model = ChampionChange
        fields = ["person", "role", "change", "date", "external_id"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"external_id": "CRM id"}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > clock.today() + dt.timedelta(days=366):
            raise forms.ValidationError("That date is too far in the future.")
        return date


FeatureRequestFormSet = modelformset_factory(
    FeatureRequest, form=FeatureRequestForm, extra=1, can_delete=True, max_num=200, validate_max=True
)
ChampionChangeFormSet = modelformset_factory(
    ChampionChange, form=ChampionChangeForm, extra=1, can_delete=True, max_num=200, validate_max=True
)


class NoteSearchForm(forms.Form):
    """The notes search box (posted, so the term stays out of URLs and logs)."""

    SEARCH_MAX_LENGTH = 200

    q = forms.CharField(label="Search for", max_length=SEARCH_MAX_LENGTH)
