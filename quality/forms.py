"""The renewal outcome form (the account page's panel), and the Scorecard quality page's period
and draft configuration forms (GET: a page with bad values shows field errors, never a 500)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms

from accounts.models import ScorecardConfig, Segment
from accounts.scoring import inputs, rules
from healthscore import clock
from quality.models import Outcome
from quality.rules import arr_problem

# The longest period the page reads at once (a year of renewals is the bounded cost it is sized for).
MAX_PERIOD_DAYS = 3 * 366
DEFAULT_PERIOD_DAYS = 365


class OutcomeForm(forms.Form):
    date = forms.DateField(label="Renewal date", widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(choices=Outcome.choices)
    arr = forms.DecimalField(
        label="ARR after the renewal",
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text="0 for a churned account.",
    )

    def __init__(self, *args, **kwargs):
        # Ids of their own: the account page has other forms with a "date" field.
        kwargs.setdefault("auto_id", "outcome_%s")
        super().__init__(*args, **kwargs)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > (today := clock.today()):
            raise forms.ValidationError(f"Record a renewal once it happened (not after {today:%Y-%m-%d}).")
        return date

    def clean(self):
        data = super().clean()
        if problem := arr_problem(data.get("outcome"), data.get("arr")):
            self.add_error("arr", f"The ARR after the renewal {problem}.")
        return data


class PeriodForm(forms.Form):
    """Which renewals: a period (both days included) and one segment or all."""

    start = forms.DateField(label="Renewals from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    segment = forms.ChoiceField(label="Segment", choices=[("", "All segments"), *Segment.choices], required=False)

    @classmethod
    def from_query(cls, query) -> PeriodForm:
        """Bound to the query, the period defaulting to the year up to today (shown in the fields)."""
        data = query.copy()
        end = clock.today()
        data.setdefault("end", end.isoformat())
        data.setdefault("start", (end - dt.timedelta(days=DEFAULT_PERIOD_DAYS)).isoformat())
        return cls(data)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or clock.today()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_PERIOD_DAYS)
        if start > end:
            self.add_error("start", "Must not be after the end of the period.")
        elif (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("start", f"A period is at most {MAX_PERIOD_DAYS} days long.")
        data["start"], data["end"] = start, end
        return data


class DraftForm(forms.ModelForm):
    """A draft of one segment's scorecard configuration, named like ScorecardConfig's fields and
    validated by its own rules (model clean and check constraints): field errors, never a 500.
    Unsaved: the page only recomputes with it."""

    class Meta:
        model = ScorecardConfig
        fields = inputs.RULE_FIELDS

    @classmethod
    def for_segment(cls, segment: str, current: rules.Rules, query) -> DraftForm:
        """Pre-filled from the segment's configuration in force (`current`); bound (validated) as
        soon as the query names any of its fields, the fields it leaves out keeping the current
        values."""
        instance = ScorecardConfig(segment=segment, **{name: getattr(current, name) for name in inputs.RULE_FIELDS})
        if not any(name in query for name in inputs.RULE_FIELDS):
            return cls(instance=instance)
        data = {name: "" if value is None else value for name, value in current.__dict__.items()}
        data.update({name: query[name] for name in inputs.RULE_FIELDS if name in query})
        return cls(data=data, instance=instance)

    def _post_clean(self):
        # As ModelForm's, without the uniqueness and the check constraints' queries: an unsaved
        # draft is never stored, and ScorecardConfig.clean() states every check constraint's rule
        # in Python with a field error (five SELECTs per page view saved).
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields)
            self.instance.full_clean(exclude=["segment"], validate_unique=False, validate_constraints=False)
        except forms.ValidationError as exc:
            self._update_errors(exc)

    def draft_rules(self) -> rules.Rules:
        """The draft as the pure rules take it (call once the form is valid)."""
        return inputs.rules_from_config(self.instance)
