"""Access rules of the notes app's URLs, checked by healthscore/tests/test_access_matrix.py.

Notes are sensitive: another TAM's account is the interesting case. Reads of its notes are 403
for the TAM under test (managers and admins read everything); writes need its TAM or an admin,
and a refused write changes nothing.
"""

from healthscore.tests.access import FORBIDDEN, LOGIN, Rule


def _entry(account):
    from notes.tests.factories import NoteEntryFactory

    return NoteEntryFactory(account=account)


def _entry_count(w):
    from notes.models import NoteEntry

    return NoteEntry.objects.count(), list(w.other_account.meetings.values_list("pk", "status"))


def _note_data(w):
    return {
        "date": "2026-01-15",
        "kind": "cadence",
        "product_feedback": "Access matrix note",
        "health": "",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
    }


_edited = {}


def _other_entry_edit(w):
    _edited["entry"] = _entry(w.other_account)
    return f"/notes/entries/{_edited['entry'].pk}/edit/"


def _edited_text(w):
    from notes.models import NoteEntry

    return NoteEntry.objects.filter(pk=_edited["entry"].pk).values_list("product_feedback", flat=True).first()


def _risk_state(w):
    from notes.models import RiskAssessment

    return RiskAssessment.objects.count()


def _signal_state(w):
    from accounts.models import Account
    from notes.selectors import signal_data_of

    account = Account.objects.get(pk=w.other_account.pk)
    data = signal_data_of(account)
    return data.licences_used, data.current_version, account.feature_requests.count()


def _signal_data(w):
    return {
        "deployment": "self_managed",
        "licences_purchased": "100",
        "licences_used": "77",
        "current_version": "16.4",
        "fr-TOTAL_FORMS": "1",
        "fr-INITIAL_FORMS": "0",
        "fr-0-title": "Matrix request",
        "fr-0-status": "open",
        "cc-TOTAL_FORMS": "0",
        "cc-INITIAL_FORMS": "0",
    }


def _other(path=""):
    return lambda w: f"/notes/accounts/{w.other_account.external_id}/{path}"


def _own(path=""):
    return lambda w: f"/notes/accounts/{w.own_account.external_id}/{path}"


RULES = [
    Rule("notes:search", lambda w: "/notes/search/", method="post", data=lambda w: {"q": "pipeline"}),
    # Reads: the TAM's own account, and another TAM's (403 for the TAM under test).
    Rule("notes:document", _own()),
    Rule("notes:document", _other(), tam=FORBIDDEN),
    Rule("notes:entry_detail", lambda w: f"/notes/entries/{_entry(w.own_account).pk}/"),
    Rule("notes:entry_detail", lambda w: f"/notes/entries/{_entry(w.other_account).pk}/", tam=FORBIDDEN),
    Rule("notes:risks", _other("risks/"), tam=FORBIDDEN),
    # Writes: the account's TAM or an admin only.
    Rule("notes:entry_create", _own("new/"), manager=FORBIDDEN),
    Rule("notes:entry_create", _other("new/"), tam=FORBIDDEN, manager=FORBIDDEN),
    Rule(
        "notes:entry_create",
        _other("new/"),
        method="post",
        data=_note_data,
        unchanged=_entry_count,
        anonymous=LOGIN,
        tam=FORBIDDEN,
        manager=FORBIDDEN,
        admin=302,
    ),
    Rule(
        "notes:risks",
        _other("risks/"),
        method="post",
        data=lambda w: {"categories": ["customer_engagement"], "note": "Matrix"},
        unchanged=_risk_state,
        tam=FORBIDDEN,
        manager=FORBIDDEN,
        admin=302,
    ),
    Rule("notes:entry_edit", lambda w: f"/notes/entries/{_entry(w.own_account).pk}/edit/", manager=FORBIDDEN),
    Rule(
        "notes:entry_edit",
        _other_entry_edit,
        method="post",
        data=lambda w: {"product_feedback": "Changed by the matrix"},
        unchanged=_edited_text,
        tam=FORBIDDEN,
        manager=FORBIDDEN,
        admin=302,
    ),
    Rule("notes:signal_data", _own("signals/"), manager=FORBIDDEN),
    Rule(
        "notes:signal_data",
        _other("signals/"),
        method="post",
        data=_signal_data,
        unchanged=_signal_state,
        tam=FORBIDDEN,
        manager=FORBIDDEN,
        admin=302,
    ),
]
