"""The Scorecard quality page (managers and admins) and the renewal outcome form's POST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Account
from healthscore import permissions
from quality import backtest, charts, selectors, services
from quality.forms import DraftForm, OutcomeForm, PeriodForm
from quality.permissions import require_outcome_record, require_quality_read


@login_required
def quality_page(request):
    """For the renewals of a period: each horizon's outcome distribution per color, churn rate
    per color, precision and recall of red; and the same under a draft configuration."""
    require_quality_read(request.user)
    period_form = PeriodForm.from_query(request.GET)
    context = {"period_form": period_form, "horizons": [], "draft_form": None}
    if not period_form.is_valid():
        return render(request, "quality/quality.html", context)
    data = period_form.cleaned_data
    period = selectors.Period(data["start"], data["end"], data["segment"])
    draft = None
    if period.segment:
        current = selectors.current_rules(period.segment)
        draft_form = DraftForm.for_segment(period.segment, current, request.GET)
        context["draft_form"] = draft_form
        if draft_form.is_bound and draft_form.is_valid():
            draft = draft_form.draft_rules()
            context["draft_changes"] = [
                (draft_form.fields[name].label, getattr(current, name), getattr(draft, name))
                for name in draft_form.fields
                if getattr(current, name) != getattr(draft, name)
            ]
            if not context["draft_changes"]:
                draft = None
            elif blockers := backtest.draft_blockers(draft, current):
                context["draft_blocked"] = [draft_form.fields[name].label for name in blockers]
                draft = None
    context["draft"] = draft
    context["period"] = period
    if draft is None:
        context["horizons"] = [_horizon(result) for result in selectors.backtests_recorded(period).values()]
    else:
        context["horizons"] = [
            _horizon(c.recorded, c.draft, c.moved) for c in selectors.backtests_compared(period, draft).values()
        ]
    context["prediction_chart"] = _prediction_chart(context["horizons"])
    context["total"] = context["horizons"][0]["recorded"].total
    return render(request, "quality/quality.html", context)


def _horizon(recorded: backtest.Backtest, draft: backtest.Backtest | None = None, moved: int = 0) -> dict:
    shown = [("recorded", "As recorded", recorded)] + ([("draft", "Draft", draft)] if draft else [])
    return {
        "horizon": recorded.horizon,
        "recorded": recorded,
        "draft": draft,
        "moved": moved,
        "series": [
            {
                "key": key,
                "label": label,
                "result": result,
                "chart": charts.distribution(result),
                "rows": [
                    {
                        "row": row,
                        "churn": backtest.percent(row.churn_rate),
                        "loss": backtest.percent(row.loss_rate),
                    }
                    for row in result.rows
                ],
                "precision": backtest.percent(result.precision),
                "recall": backtest.percent(result.recall),
            }
            for key, label, result in shown
        ],
        "churn_chart": charts.grouped_bars(
            [
                (
                    backtest.row_label(color),
                    [
                        (f"bar-{key} bar-{color}", label, backtest.percent(result.row(color).churn_rate))
                        for key, label, result in shown
                    ],
                )
                for color in backtest.COLOR_ROWS
            ]
        ),
    }


def _prediction_chart(horizons: list[dict]) -> dict:
    groups = []
    for h in horizons:
        bars = []
        for series in h["series"]:
            suffix = " (draft)" if series["key"] == "draft" else ""
            bars.append((f"bar-{series['key']} bar-precision", f"Precision{suffix}", series["precision"]))
            bars.append((f"bar-{series['key']} bar-recall", f"Recall{suffix}", series["recall"]))
        groups.append((f"{h['horizon']} days before", bars))
    return charts.grouped_bars(groups)


@login_required
@require_POST
def outcome_record(request, external_id: str):
    """The account page's "Record a renewal outcome" form: back to the account page when saved,
    the form with its field errors when not."""
    account = get_object_or_404(Account, external_id=external_id)
    permissions.require_account_read(request.user, account)
    require_outcome_record(request.user, account)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return render(request, "quality/outcome_form.html", {"account": account, "form": form}, status=422)
    record = services.outcome_record(account=account, by=request.user, **form.cleaned_data)
    messages.success(request, f"Recorded: {record.get_outcome_display().lower()} on {record.date:%Y-%m-%d}.")
    return redirect(reverse("account_detail", args=[account.external_id]) + "#renewal-outcomes")
