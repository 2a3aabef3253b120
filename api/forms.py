from django import forms

from api.models import ApiToken


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "expires_on"]
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"})}
