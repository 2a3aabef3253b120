"""What a draft scorecard configuration would do to a segment, before it is saved: which accounts
would change color (from what to what), how much ARR that is, and who would be notified.

Read-only: every account of the segment is read with the engine's set-based read
(accounts.scoring.inputs.read_inputs, in chunks, a fixed number of queries per chunk, no lock,
no write) and scored twice with the pure rules, under the rules in force and under the draft.
Both scores are as of the same day on the same inputs, so the difference is the rules' alone
(not a day's new meetings or tickets, which the nightly run would pick up anyway).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from accounts import preview
from accounts.models import Account
from accounts.scoring import inputs, rules

# Accounts read per round trip (as the engine): bounds memory; each chunk costs a fixed number of queries.
CHUNK = 5000
# The changed accounts listed by name (riskiest, then largest, first); the counts cover all.
LIST_LIMIT = 200
# Who would be notified is asked of the notifications app per account: for the first this many
# listed accounts (a bounded number of queries, whatever the segment's size).
RECIPIENTS_FOR = 50

# Riskiest first: an account that would turn red, then yellow, then unscored, then green.
_RISK = {rules.RED: 0, rules.YELLOW: 1, None: 2, rules.GREEN: 3}


@dataclass(frozen=True, slots=True)
class ChangedAccount:
    """One account whose overall color the draft would change."""

    account_id: int
    arr: Decimal
    old: str | None
    new: str | None
    old_score: Decimal | None
    new_score: Decimal | None
    name: str = ""
    external_id: str = ""
    tam: str = ""


@dataclass
class WhatIf:
    """A draft's effect on a segment, as of a day."""

    segment: str
    as_of: dt.date
    current: rules.Rules
    draft: rules.Rules
    accounts: int = 0
    arr: Decimal = Decimal(0)
    changed: int = 0
    changed_arr: Decimal = Decimal(0)
    # (old color, new color) -> [accounts, ARR]
    pairs: dict[tuple[str | None, str | None], list] = field(default_factory=dict)
    listed: list[ChangedAccount] = field(default_factory=list)
    # "Pat Lee (Regional TAM Manager (EMEA))" -> how many of the first RECIPIENTS_FOR accounts
    recipients: list[tuple[str, int]] = field(default_factory=list)
    recipients_of: int = 0  # of how many changed accounts the recipients were asked

    @property
    def diff(self) -> list[tuple[str, object, object]]:
        """The configuration's changed fields: [(field, old, new)]."""
        return self.current.diff(self.draft)

    @property
    def pair_rows(self) -> list[tuple[str | None, str | None, int, Decimal]]:
        """Counts per from -> to pair, the riskiest destination and the most accounts first."""
        rows = [(old, new, n, arr) for (old, new), (n, arr) in self.pairs.items()]
        return sorted(rows, key=lambda r: (_RISK[r[1]], -r[2], _RISK[r[0]]))


def whatif_compute(
    *,
    segment: str,
    draft: rules.Rules,
    as_of: dt.date,
    current: rules.Rules | None = None,
    limit: int = LIST_LIMIT,
    chunk_size: int = CHUNK,
) -> WhatIf:
    """Score every account of `segment` under the rules in force (or `current`) and under
    `draft`, as of a day; reads only."""
    current = current or inputs.rules_by_segment()[segment]
    result = WhatIf(segment=segment, as_of=as_of, current=current, draft=draft)
    changed: list[ChangedAccount] = []
    if current != draft:
        now_rules = {segment: current}
        draft_rules = {segment: draft}
        # The draft counts tickets over another window: read its inputs too (rare, same cost again).
        reread = draft.support_window_days != current.support_window_days
        last_pk = 0
        while True:
            accounts = list(
                Account.objects.filter(segment=segment, pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "segment", "arr")[:chunk_size]
            )
            if not accounts:
                break
            # The segment's ids (an IN list): measured faster than the id range, which would also
            # read the other segment's rows.
            which = inputs.AccountSet(ids=tuple(pk for pk, _, _ in accounts))
            now_rows = inputs.read_inputs(accounts, which, as_of, now_rules)
            draft_rows = inputs.read_inputs(accounts, which, as_of, draft_rules) if reread else now_rows
            for (pk, _, arr), now_row, draft_row in zip(accounts, now_rows, draft_rows, strict=True):
                result.accounts += 1
                result.arr += arr
                old = now_row.compute(current, as_of)
                new = draft_row.compute(draft, as_of)
                if old.color != new.color:
                    changed.append(ChangedAccount(pk, arr, old.color, new.color, old.score_rounded, new.score_rounded))
            last_pk = accounts[-1][0]
            if len(accounts) < chunk_size:
                break
    else:
        # The draft is the rules in force: nothing can change; count the segment only.
        for _, arr in Account.objects.filter(segment=segment).values_list("pk", "arr").order_by():
            result.accounts += 1
            result.arr += arr
    for account in changed:
        result.changed += 1
        result.changed_arr += account.arr
        pair = result.pairs.setdefault((account.old, account.new), [0, Decimal(0)])
        pair[0] += 1
        pair[1] += account.arr
    changed.sort(key=lambda a: (_RISK[a.new], -a.arr, a.account_id))
    _describe(result, changed[:limit])
    return result


def _describe(result: WhatIf, listed: list[ChangedAccount]) -> None:
    """Names, TAMs and who would be notified, for the listed accounts only (one query for the
    accounts, and the notifications app's for the first RECIPIENTS_FOR)."""
    if not listed:
        return
    by_pk = Account.objects.select_related("tam", "sal", "solutions_architect").in_bulk([a.account_id for a in listed])
    told: Counter[str] = Counter()
    for position, changed in enumerate(listed):
        account = by_pk[changed.account_id]
        tam = account.tam.get_full_name() or account.tam.username if account.tam else ""
        result.listed.append(dataclasses.replace(changed, name=account.name, external_id=account.external_id, tam=tam))
        if position < RECIPIENTS_FOR:
            told.update(set(preview.recipients_preview(account=account, old_color=changed.old, new_color=changed.new)))
    result.recipients_of = min(len(listed), RECIPIENTS_FOR)
    result.recipients = sorted(told.items(), key=lambda item: (-item[1], item[0]))


def draft_query(draft: rules.Rules) -> str:
    """The draft as a query string named like ScorecardConfig's fields (an empty value for an
    empty ARR minimum), e.g. for a page that recomputes its figures under a draft."""
    return urlencode({name: "" if value is None else value for name, value in draft.as_dict().items()})
