"""What the API sends and accepts. Output serializers read plain objects (accounts, the pure
scorecard's Result, history items, triage records, CTAs, dashboard totals); they never reach
meeting notes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import Color, Region, Segment
from accounts.scoring import rules
from api.selectors import UNSCORED
from quality import rules as quality_rules

COLORS = [c.value for c in Color]
COLOR_FILTER = [*COLORS, UNSCORED]


# --- Errors -----------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Where the problem is, e.g. accounts[3].arr; (body) for the whole request.")
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer):
    errors = ProblemSerializer(many=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- Accounts ---------------------------------------------------------------------------


class AccountFilterSerializer(serializers.Serializer):
    """The account list's filters (query parameters)."""

    # An empty filter means "any", as on the dashboard's form.
    segment = serializers.ChoiceField(choices=Segment.choices, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True)
    tam = serializers.RegexField(
        r"^[\w.@+-]{0,150}$",
        required=False,
        allow_blank=True,
        help_text="The TAM's username; 'none' for accounts without a TAM.",
    )
    color = serializers.ChoiceField(
        choices=COLOR_FILTER, required=False, allow_blank=True, help_text="'none': not scored yet."
    )
    stale = serializers.BooleanField(required=False, allow_null=True, default=None)
    cursor = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="The page: from the previous answer's next."
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500, help_text="50 by default.")
    renewal_within_days = serializers.IntegerField(
        required=False, min_value=0, max_value=3660, help_text="Renewing between today and this many days ahead."
    )


class AccountSerializer(serializers.Serializer):
    id = serializers.CharField(source="external_id", help_text="The CRM id.")
    name = serializers.CharField()
    segment = serializers.ChoiceField(choices=Segment.choices)
    region = serializers.ChoiceField(choices=Region.choices)
    arr = serializers.DecimalField(max_digits=14, decimal_places=2)
    public_sector = serializers.BooleanField()
    onboarding = serializers.BooleanField()
    renewal_date = serializers.DateField(allow_null=True)
    tam = serializers.SerializerMethodField(help_text="The TAM's username.")
    health_color = serializers.ChoiceField(choices=COLORS, allow_null=True)
    health_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    health_date = serializers.DateField(allow_null=True, help_text="Customer Health Score Date.")
    scored_on = serializers.DateField(allow_null=True)
    stale = serializers.SerializerMethodField(help_text="The health date is older than the segment allows.")
    confidence = serializers.IntegerField(
        source="health_confidence",
        allow_null=True,
        help_text="Percent of the score's weight backed by fresh data; null when unscored.",
    )
    # An override in force: health_color is its color; the scorecard's own color beside it.
    computed_color = serializers.ChoiceField(
        choices=COLORS, allow_null=True, help_text="The scorecard's own color (health_color unless overridden)."
    )
    override_until = serializers.DateField(allow_null=True, help_text="An override sets health_color until this day.")
    override_by = serializers.CharField(allow_null=True, help_text="Who set or approved the override in force.")
    override_reason = serializers.CharField(allow_null=True, help_text="Why the computed color is overridden.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tam(self, account) -> str | None:
        return account.tam.username if account.tam_id else None

    @extend_schema_field(serializers.BooleanField())
    def get_stale(self, account) -> bool:
        return rules.health_is_stale(account.segment, account.health_date, self.context["today"])


class AccountPageSerializer(serializers.Serializer):
    """One page of the account list; follow `next` until it is null."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AccountSerializer(many=True)


class MeasureSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=list(rules.MEASURES))
    label = serializers.CharField()
    color = serializers.ChoiceField(choices=COLORS, allow_null=True, help_text="null: missing, weight redistributed.")
    weight = serializers.IntegerField()
    effective_weight = serializers.SerializerMethodField()
    detail = serializers.CharField()

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2))
    def get_effective_weight(self, measure) -> str:
        return str(rules.round2(measure.effective_weight))


class ScorecardSerializer(serializers.Serializer):
    account = serializers.CharField(source="account_id")
    as_of = serializers.DateField()
    score = serializers.DecimalField(source="score_rounded", max_digits=4, decimal_places=1, allow_null=True)
    color = serializers.ChoiceField(choices=COLORS, allow_null=True)
    measures = MeasureSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField(), help_text="Why measures are missing, in words.")


class HistoryItemSerializer(serializers.Serializer):
    date = serializers.DateField()
    what = serializers.CharField(help_text="'TAM Sentiment', 'Overall health' or 'Scorecard rules'.")
    old = serializers.ChoiceField(choices=COLORS, allow_null=True)
    new = serializers.ChoiceField(choices=COLORS, allow_null=True)
    who = serializers.CharField()
    why = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)


class TriageRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    origin = serializers.CharField()
    risk = serializers.CharField(help_text="HS::Red, HS::Yellow or HS::Green.")
    region = serializers.CharField()
    classification = serializers.CharField(allow_blank=True)
    risk_reasons = serializers.ListField(child=serializers.CharField())
    owner = serializers.SerializerMethodField()
    plan = serializers.CharField(allow_blank=True)
    resolution = serializers.CharField(allow_blank=True)
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner(self, record) -> str | None:
        return record.owner.username if record.owner_id else None


class CtaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    detail = serializers.CharField()
    opened_on = serializers.DateField()
    snoozed_until = serializers.DateField(allow_null=True)
    resolved_on = serializers.DateField(allow_null=True)
    resolution = serializers.CharField(allow_blank=True)
    triage = serializers.IntegerField(source="triage_id", allow_null=True)


# --- Dashboard --------------------------------------------------------------------------


class ColorCountSerializer(serializers.Serializer):
    color = serializers.ChoiceField(choices=COLOR_FILTER)
    count = serializers.IntegerField()
    arr = serializers.DecimalField(max_digits=16, decimal_places=2)


class ColorTotalsSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    accounts = serializers.IntegerField()
    arr = serializers.DecimalField(max_digits=16, decimal_places=2)
    arr_at_risk = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Yellow and red ARR.")
    stale = serializers.IntegerField()
    colors = ColorCountSerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    totals = ColorTotalsSerializer()
    by_region = ColorTotalsSerializer(many=True)
    by_segment = ColorTotalsSerializer(many=True)
    by_tam = ColorTotalsSerializer(many=True)


# --- Writes -----------------------------------------------------------------------------


class SentimentInSerializer(serializers.Serializer):
    color = serializers.ChoiceField(choices=COLORS)
    reason = serializers.CharField(
        allow_blank=True, default="", max_length=2000, help_text="Required when the color changes."
    )


class SentimentOutSerializer(serializers.Serializer):
    account = AccountSerializer()
    scorecard = ScorecardSerializer()


class BulkResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows read (created or updated; unchanged rows count too).")
    created = serializers.DictField(child=serializers.IntegerField(), help_text="Rows created, per section.")


# --- Renewal outcomes (the quality app) ------------------------------------------------------


class RenewalOutcomeSerializer(serializers.Serializer):
    """One renewal's outcome. In: date, outcome, arr (the account is in the address); out: also
    who recorded it and when."""

    date = serializers.DateField(help_text="The renewal date (YYYY-MM-DD), not after today.")
    outcome = serializers.ChoiceField(choices=list(quality_rules.OUTCOME_VALUES))
    arr = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="The ARR after the renewal: 0 exactly when churned."
    )
    recorded_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_recorded_by(self, obj) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by else None

    def validate_date(self, value):
        if value > (today := self.context["today"]):
            raise serializers.ValidationError(f"Must not be after today ({today:%Y-%m-%d}).")
        return value

    def validate_arr(self, value):
        # The outcome's own problems are reported on it; the ARR is checked against a valid one,
        # so a payload with both wrong gets both problems in one answer.
        if problem := quality_rules.arr_problem(self.initial_data.get("outcome"), value):
            raise serializers.ValidationError(f"The ARR after the renewal {problem}.")
        return value
