"""Forms of the triage pages. The rules live in triage.services; forms shape the input and
show the services' ValidationErrors next to their fields."""

from django import forms

from triage.models import Classification, RiskReason

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
    classification = forms.ChoiceField(choices=CLASSIFICATION_CHOICES, required=False)
    risk_reasons = forms.MultipleChoiceField(
        label="Risk reasons", choices=RiskReason.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
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
    until = forms.DateField(label="Snooze until", widget=forms.DateInput(attrs={"type": "date"}), required=False)


class ConfirmForm(forms.Form):
    """A button: nothing to fill in."""
