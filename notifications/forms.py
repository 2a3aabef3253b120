"""Forms of the notifications pages."""

from django import forms

from notifications.models import EmailMode


class EmailModeForm(forms.Form):
    mode = forms.ChoiceField(
        label="Emails about notifications",
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the emails reach you.", "invalid_choice": "Choose one of the two."},
    )
