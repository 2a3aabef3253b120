"""Access rules of the triage app's URLs, checked by healthscore/tests/test_access_matrix.py.

Objects are made on w.other_account (another TAM's account): the TAM under test reads them
but may not act (403, nothing changed); only an admin acts there.
"""

import datetime as dt

from accounts.models import Account, Color
from healthscore.tests.access import FORBIDDEN, Rule
from triage.models import Cta, CtaKind, Risk, TriageRecord, TriageStatus


def _scored(account, color=Color.YELLOW):
    Account.objects.filter(pk=account.pk).update(health_color=color)
    account.health_color = color
    return account


def _cta(w, kind=CtaKind.DECIDE_TRIAGE) -> Cta:
    account = _scored(w.other_account)
    cta, _ = Cta.objects.get_or_create(
        account=account, kind=kind, key="access", defaults={"detail": "access test", "opened_on": dt.date.today()}
    )
    return cta


def _record(w) -> TriageRecord:
    account = _scored(w.other_account)
    record, _ = TriageRecord.objects.get_or_create(
        account=account,
        status=TriageStatus.OPEN,
        defaults={"origin": "manual", "risk": Risk.YELLOW, "region": account.region, "opened_on": dt.date.today()},
    )
    return record


def _labelled_record(w) -> TriageRecord:
    """An open record whose classification and risk reasons are saved: closing asks only the
    resolution (the labels are set in one place, the record's Plan and labels form)."""
    record = _record(w)
    TriageRecord.objects.filter(pk=record.pk).update(
        classification=CLOSE["classification"], risk_reasons=CLOSE["risk_reasons"]
    )
    return record


def _ctas_state(w):
    return sorted(Cta.objects.filter(account=w.other_account).values_list("state", "snoozed_until", "dismiss_reason"))


def _records_state(w):
    return sorted(
        TriageRecord.objects.filter(account=w.other_account).values_list(
            "status", "classification", "risk_reasons", "plan", "resolution"
        )
    ) + [TriageRecord.objects.get(account=w.other_account).updates.count() if _open(w) else 0]


def _open(w):
    return TriageRecord.objects.filter(account=w.other_account, status=TriageStatus.OPEN).exists()


ACT = {"tam": FORBIDDEN, "manager": FORBIDDEN, "admin": 302, "no_role": FORBIDDEN}
CLOSE = {"classification": "E&A", "risk_reasons": ["risk::competition"], "resolution": "Resolved"}

RULES = [
    Rule("triage:cockpit", lambda w: "/triage/", no_role=FORBIDDEN),
    Rule(
        "triage:cta_open_triage",
        lambda w: f"/triage/ctas/{_cta(w).pk}/open-triage/",
        method="post",
        unchanged=lambda w: (_ctas_state(w), TriageRecord.objects.count()),
        **ACT,
    ),
    Rule(
        "triage:cta_dismiss",
        lambda w: f"/triage/ctas/{_cta(w).pk}/dismiss/",
        method="post",
        data=lambda w: {"reason": "Not needed"},
        unchanged=_ctas_state,
        **ACT,
    ),
    Rule(
        "triage:cta_snooze",
        lambda w: f"/triage/ctas/{_cta(w, CtaKind.MISSED_CADENCE).pk}/snooze/",
        method="post",
        data=lambda w: {"until": (dt.date.today() + dt.timedelta(days=7)).isoformat()},
        unchanged=_ctas_state,
        **ACT,
    ),
    Rule(
        "triage:cta_done",
        lambda w: f"/triage/ctas/{_cta(w, CtaKind.UPDATE_HEALTH).pk}/done/",
        method="post",
        unchanged=_ctas_state,
        **ACT,
    ),
    Rule(
        "triage:cta_bulk",
        lambda w: "/triage/ctas/bulk/",
        method="post",
        data=lambda w: {"cta": [_cta(w, CtaKind.UPDATE_HEALTH).pk], "action": "done"},
        # The CTA exists before the state is read: data() would otherwise create it in between.
        unchanged=lambda w: (_cta(w, CtaKind.UPDATE_HEALTH), _ctas_state(w))[1],
        **ACT,
    ),
    Rule("triage:record_list", lambda w: "/triage/records/", no_role=FORBIDDEN),
    Rule("triage:record_list_export", lambda w: "/triage/records/export.csv", no_role=FORBIDDEN),
    Rule("triage:record_detail", lambda w: f"/triage/records/{_record(w).pk}/", no_role=FORBIDDEN),
    Rule(
        "triage:record_edit",
        lambda w: f"/triage/records/{_record(w).pk}/edit/",
        method="post",
        data=lambda w: {"classification": "E&A", "risk_reasons": ["risk::competition"], "plan": "A plan"},
        unchanged=_records_state,
        **ACT,
    ),
    Rule(
        "triage:record_note",
        lambda w: f"/triage/records/{_record(w).pk}/updates/",
        method="post",
        data=lambda w: {"text": "An update"},
        unchanged=_records_state,
        **ACT,
    ),
    Rule(
        "triage:record_close",
        lambda w: f"/triage/records/{_labelled_record(w).pk}/close/",
        method="post",
        data=lambda w: {"resolution": CLOSE["resolution"]},
        unchanged=_records_state,
        **ACT,
    ),
    Rule(
        "triage:record_open",
        lambda w: f"/triage/accounts/{_scored(w.other_account).external_id}/open/",
        method="post",
        unchanged=lambda w: TriageRecord.objects.filter(account=w.other_account).count(),
        **ACT,
    ),
]
