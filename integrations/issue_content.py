"""What a triage record's GitLab issue says: pure, no ORM, no network (docs/integrations.md).

The handbook's Account Triage template: the account (ARR, segment, TAM), the health with the
scorecard's reasons, the triage labels, a link back. Meeting notes and sentiment reasons are
never among the inputs, so they cannot end up in GitLab; the plan, the resolution and the log
stay in Healthscore too (the link leads there).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from accounts.mirrors import TriageFacts
from accounts.scoring import rules


@dataclass(frozen=True)
class AccountFacts:
    """The account as the issue shows it."""

    name: str
    external_id: str
    arr: Decimal
    segment: str  # "Enterprise"
    tam: str  # the TAM's name, or "" when unassigned
    path: str  # the account page


@dataclass(frozen=True)
class IssueContent:
    title: str
    description: str
    labels: tuple[str, ...]
    closed: bool

    def fingerprint(self) -> str:
        """Equal fingerprints: GitLab already has exactly this."""
        payload = json.dumps([self.title, self.description, list(self.labels), self.closed])
        return hashlib.sha256(payload.encode()).hexdigest()

    def labels_to_remove(self, vocabulary: frozenset[str]) -> tuple[str, ...]:
        """The handbook's labels (`vocabulary`) that no longer apply; a label a person added in
        GitLab is left alone."""
        return tuple(sorted(vocabulary - set(self.labels)))


def marker(record_id: int) -> str:
    """A token only this record's issue carries, to find it when a create's answer was lost."""
    return f"healthscore-triage-record-{record_id}"


def marker_line(record_id: int) -> str:
    return f"<!-- {marker(record_id)} -->"


def title_for(account_name: str) -> str:
    return f"{account_name} - Account Triage"


def labels_for(facts: TriageFacts) -> tuple[str, ...]:
    """One label of each handbook category: risk (the health), region, classification (once
    chosen) and the risk reasons."""
    labels = [facts.risk, facts.region]
    if facts.classification:
        labels.append(facts.classification)
    labels += facts.risk_reasons
    return tuple(labels)


def _cell(text: str) -> str:
    """Text inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def content_for(
    *, facts: TriageFacts, account: AccountFacts, scorecard: rules.Result | None, site_url: str
) -> IssueContent:
    record_url = f"{site_url}{facts.path}"
    lines = [
        "## Account",
        "",
        f"- **Account:** [{account.name}]({site_url}{account.path}) (CRM id {account.external_id})",
        f"- **ARR:** {rules.money(account.arr)}",
        f"- **Segment:** {account.segment}",
        f"- **Region:** {facts.region}",
        f"- **TAM:** {account.tam or 'unassigned'}",
        "",
        "## Health",
        "",
    ]
    if scorecard is None or scorecard.color is None:
        lines.append("Not scored yet.")
    else:
        lines += [
            f"**{rules.color_label(scorecard.color)}**, score {scorecard.score_rounded} "
            f"(as of {scorecard.as_of.isoformat()}).",
            "",
            "| Measure | Color | Weight | Why |",
            "| --- | --- | --- | --- |",
        ]
        for measure in scorecard.measures:
            weight = f"{rules.round2(measure.effective_weight)}%" if measure.color else "not counted"
            lines.append(
                f"| {measure.label} | {rules.color_label(measure.color) if measure.color else 'Missing'} "
                f"| {weight} | {_cell(measure.detail)} |"
            )
    classification = (
        f"{facts.classification} ({facts.classification_words})" if facts.classification else "not classified yet"
    )
    lines += [
        "",
        "## Triage",
        "",
        f"- **Status:** {'open' if facts.is_open else 'closed on ' + facts.closed_on}",
        f"- **Opened:** {facts.opened_on} ({facts.origin})",
        f"- **Classification:** {classification}",
        f"- **Risk reasons:** {', '.join(facts.risk_reasons) or 'none chosen yet'}",
        "",
        f"The plan, the updates and the resolution are kept in Healthscore: [the triage record]({record_url}).",
        "This issue is kept in sync by Healthscore; edit the record there, not this description.",
        "",
        marker_line(facts.record_id),
    ]
    return IssueContent(
        title=title_for(account.name),
        description="\n".join(lines),
        labels=labels_for(facts),
        closed=not facts.is_open,
    )
