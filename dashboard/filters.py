"""The risk dashboard's filter form (GET): it only turns query parameters into DashboardFilters
(the dashboard writes nothing, so it has no forms.py)."""

from __future__ import annotations

from django import forms

from accounts.models import Color, Region, Segment
from dashboard import selectors
from dashboard.selectors import NO_TAM, UNSCORED, DashboardFilters

ANY = ""
YES, NO = "yes", "no"


class DashboardFilterForm(forms.Form):
    """Region, segment, TAM, color, public sector and stale; every field optional ("any")."""

    region = forms.ChoiceField(required=False, choices=[(ANY, "All regions"), *Region.choices])
    segment = forms.ChoiceField(required=False, choices=[(ANY, "All segments"), *Segment.choices])
    tam = forms.ChoiceField(label="TAM", required=False)
    color = forms.ChoiceField(required=False, choices=[(ANY, "All colors"), *Color.choices, (UNSCORED, "Unscored")])
    public_sector = forms.ChoiceField(
        label="Public sector",
        required=False,
        choices=[(ANY, "Public and private"), (YES, "Public sector only"), (NO, "Not public sector")],
    )
    stale = forms.ChoiceField(
        label="Health score date",
        required=False,
        choices=[(ANY, "Stale or current"), (YES, "Stale only"), (NO, "Current only")],
    )

    def __init__(self, *args, tam_choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tam"].choices = [(ANY, "All TAMs"), (NO_TAM, "No TAM"), *((str(pk), n) for pk, n in tam_choices)]

    def filters(self) -> DashboardFilters:
        """The valid filters; a field with an error is shown with its message and not applied."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def yes_no(name):
            value = data.get(name)
            return None if not value else value == YES

        tam = data.get("tam")
        return DashboardFilters(
            region=data.get("region") or None,
            segment=data.get("segment") or None,
            tam=None if not tam else 0 if tam == NO_TAM else int(tam),
            color=data.get("color") or None,
            public_sector=yes_no("public_sector"),
            stale=yes_no("stale"),
        )


def dashboard_filter_form(params) -> DashboardFilterForm:
    """The bound, validated filter form for a request's GET parameters."""
    form = DashboardFilterForm(params, tam_choices=selectors.dashboard_tam_choices())
    form.is_valid()
    return form
