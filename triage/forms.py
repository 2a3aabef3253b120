"""Forms of the triage pages. The rules live in triage.services; forms shape the input and
show the services' ValidationErrors next to their fields."""

from django import forms

from healthscore import clock
from triage.models import Classification, RiskReason
from triage.snooze import SnoozePreset, snooze_preset_until

CLASSIFICATION_CHOICES = [("", "Not classified yet"), *Classification.choices]


class TriageEditForm(forms.Form):
    classification = forms.ChoiceField(choices=CLASSIFICATION_CHOICES, required=False)
    risk_reasons = forms.MultipleChoiceField(
        label="Risk reasons", choices=RiskReason.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    plan = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10000,
        help_text="How the risks will be addressed, by whom, by when.",
    )


class TriageCloseForm(forms.Form):
    """Closing asks only the resolution: the classification and risk reasons are set in one
    place, the record's "Plan and labels" form, and closing uses the saved ones."""

    resolution = forms.CharField(
        label="Resolution note", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000
    )


class TriageNoteForm(forms.Form):
    text = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10000)


class CtaDismissForm(forms.Form):
    reason = forms.CharField(
        label="Why no triage is needed", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class CtaSnoozeForm(forms.Form):
    """A date, or a preset (1 week, 1 month, next quarter) that names one."""

    until = forms.DateField(label="Snooze until", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    preset = forms.ChoiceField(label="Snooze for", choices=[("", "Pick a date"), *SnoozePreset.choices], required=False)

    def clean(self):
        data = super().clean()
        if data.get("preset"):
            data["until"] = snooze_preset_until(data["preset"], clock.today())
        return data


class IdListField(forms.Field):
    """Several ids sent under one name (the cockpit's checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return sorted({int(v) for v in value or []})
        except (TypeError, ValueError):
            raise forms.ValidationError("Choose CTAs from the list.") from None


class CtaBulkForm(CtaSnoozeForm):
    """The cockpit's bulk action: snooze (until a date or a preset) or mark done the chosen CTAs."""

    cta = IdListField(required=False)
    action = forms.ChoiceField(choices=[("snooze", "Snooze"), ("done", "Mark done")])


class ConfirmForm(forms.Form):
    """A button: nothing to fill in."""
