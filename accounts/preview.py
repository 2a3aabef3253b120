"""What saving a sentiment (or a held meeting) would do, computed before saving and never
written: the account's overall color and score afterwards, in words, and who would be notified.

The scorecard is the pure accounts.scoring.rules.compute on today's inputs (read set-based by
accounts.scoring.inputs) with the candidate sentiment and meeting put in. Who would be notified
is the notifications app's rule, reached through a registry it fills in AppConfig.ready().
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from accounts.models import Account
from accounts.scoring import inputs, rules

# recipients(account=..., old_color=..., new_color=...) -> ["Pat Lee (Regional TAM Manager (EMEA))", ...]
RecipientsPreview = Callable[..., list[str]]
_recipients_previews: list[RecipientsPreview] = []


def register_recipients_preview(fn: RecipientsPreview) -> None:
    """Who an app would tell when an account's overall color changes; call from AppConfig.ready()."""
    if fn not in _recipients_previews:
        _recipients_previews.append(fn)


def recipients_preview(*, account: Account, old_color: str | None, new_color: str | None) -> list[str]:
    """Who every registered app would tell if the account's overall color moved from old to new."""
    recipients = []
    for preview in _recipients_previews:
        recipients += preview(account=account, old_color=old_color, new_color=new_color)
    return recipients


@dataclasses.dataclass(frozen=True)
class SentimentPreview:
    """The account before and after the candidate change, and who would be told."""

    sentiment: str | None  # the candidate sentiment (None: unchanged)
    old_color: str | None
    old_score: object
    result: rules.Result
    recipients: list[str]
    # An override in force keeps the overall color whatever the scorecard says.
    override: inputs.OverrideInForce | None = None

    @property
    def new_color(self) -> str | None:
        return self.override.color if self.override else self.result.color

    @property
    def new_score(self) -> object:
        return self.result.score_rounded

    @property
    def changes_color(self) -> bool:
        return self.new_color != self.old_color

    @property
    def sentence(self) -> str:
        """ "Yellow sentiment makes this account Red overall: ROI red, engagement yellow."."""
        subject = f"{rules.color_label(self.sentiment)} sentiment" if self.sentiment else "Saving this"
        if self.override:
            kept = rules.color_label(self.override.color)
            return (
                f"{subject} makes the computed color {rules.color_label(self.result.color)}; the override keeps "
                f"this account {kept} overall until {self.override.expires_on:%Y-%m-%d}."
            )
        verb = "makes" if self.changes_color else "keeps"
        sentence = f"{subject} {verb} this account {rules.color_label(self.new_color)} overall"
        others = [m for m in self.result.measures if m.name != "sentiment" and m.color in (rules.RED, rules.YELLOW)]
        others.sort(key=lambda m: (m.color != rules.RED, rules.MEASURES.index(m.name)))
        if others and self.new_color != rules.GREEN:
            sentence += ": " + ", ".join(f"{_measure_words(m.label)} {rules.color_words(m.color)}" for m in others)
        return sentence + "."


def _measure_words(label: str) -> str:
    return label if label.isupper() else label.lower()


def sentiment_preview(
    *, account: Account, sentiment: str | None, held_meeting_on: dt.date | None = None, today: dt.date
) -> SentimentPreview:
    """The scorecard as of today if `sentiment` were set today (None: the sentiment in force
    stays) and a meeting held on `held_meeting_on` were logged. Reads only."""
    segment_rules = inputs.rules_by_segment()
    [candidate] = inputs.read_inputs(
        [(account.pk, account.segment, account.arr)], inputs.AccountSet(ids=(account.pk,)), today, segment_rules
    )
    if sentiment:
        candidate = dataclasses.replace(candidate, sentiment=sentiment, sentiment_date=today)
    if held_meeting_on and held_meeting_on <= today:
        last = candidate.last_held
        candidate = dataclasses.replace(
            candidate, last_held=held_meeting_on if last is None else max(last, held_meeting_on)
        )
    result = candidate.compute(segment_rules[account.segment], today)
    override = inputs.overrides_in_force(inputs.AccountSet(ids=(account.pk,)), today).get(account.pk)
    new_color = override.color if override else result.color
    recipients = recipients_preview(account=account, old_color=account.health_color, new_color=new_color)
    return SentimentPreview(sentiment or None, account.health_color, account.health_score, result, recipients, override)
