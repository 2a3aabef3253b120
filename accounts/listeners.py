"""Same-transaction listeners: what other apps do, at once, when a held meeting is logged.

accounts calls `meetings_logged` wherever meetings are written (logging an activity, a meeting
note, the import) inside the writing transaction; the apps register in AppConfig.ready()
(triage closes its "Missed cadence call" CTA). A listener must be safe to call for accounts
whose meetings did not change: it closes only what no longer applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

# listener(account_ids=..., today=...): called inside the transaction that logged the meetings.
MeetingsListener = Callable[..., object]

_meetings_logged: list[MeetingsListener] = []


def register_meetings_logged(fn: MeetingsListener) -> None:
    """An app's part in a meeting being logged; call from AppConfig.ready()."""
    if fn not in _meetings_logged:
        _meetings_logged.append(fn)


def meetings_logged(*, account_ids: Collection[int], today: dt.date) -> None:
    """Meetings of these accounts were logged (held or not) in the current transaction."""
    if not account_ids:
        return
    for listener in _meetings_logged:
        listener(account_ids=account_ids, today=today)
