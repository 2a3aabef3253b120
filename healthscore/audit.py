"""Who changed what, and when: the audit trail of configuration and of people's access.

Two records, one rule for "who":
- Configuration models (accounts.ScorecardConfig, notifications.RoleAssignment, and whatever is
  registered next) keep every version with django-simple-history. Auditing a model is one line
  on it, `history = audit.history()`, plus `AuditedAdmin` as its admin's base class (the admin's
  History button then lists each version with its author, time and changed fields).
- People's access (membership of the TAM / Manager / Admin groups, and the superuser, staff and
  active flags) is a many-to-many and user flags that simple-history does not follow, so
  `RoleChange` (healthscore.models) records each grant and removal from signals, whatever made
  it: Django admin, single sign-on, a command.

Who acted: inside `acting_user(user)` (a service that knows its caller) that user; otherwise the
signed-in user of the current request (simple-history's HistoryRequestMiddleware keeps it);
otherwise nobody (a command or a task), shown as "system".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords

# How a change was made, when the caller says (acting_user(..., via="sso")).
_actor: ContextVar[AbstractBaseUser | None] = ContextVar("audit_actor", default=None)
_via: ContextVar[str] = ContextVar("audit_via", default="")


@contextmanager
def acting_user(user: AbstractBaseUser | None, *, via: str = "") -> Iterator[None]:
    """Attribute every audited change inside the block to `user` (None: no person) and `via`."""
    actor_token, via_token = _actor.set(user), _via.set(via)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _via.reset(via_token)


def _request():
    return getattr(HistoricalRecords.context, "request", None)


def current_actor(request=None) -> AbstractBaseUser | None:
    """The person a change is attributed to (see the module docstring), or None."""
    actor = _actor.get()
    if actor is not None:
        return actor
    user = getattr(request or _request(), "user", None)
    return user if user is not None and user.is_authenticated else None


def current_via() -> str:
    """How the change was made: the caller's word, else "admin" / "web" for a request, else "system"."""
    via = _via.get()
    if via:
        return via
    request = _request()
    if request is None:
        return "system"
    return "admin" if request.path.startswith("/admin/") else "web"


def _history_user(instance=None, request=None, **kwargs):
    return current_actor(request)


def history(**options) -> HistoricalRecords:
    """The one line that audits a model: `history = audit.history()` (then makemigrations)."""
    return HistoricalRecords(get_user=_history_user, **options)


class AuditedAdmin(SimpleHistoryAdmin):
    """An audited model's admin: its History page lists every version, who and when."""


# --- People's access: group membership and the user flags that grant access ----------------

# The flags that change what a person may do (permissions.roles_of counts a superuser as Admin).
ACCESS_FLAGS = ("is_superuser", "is_staff", "is_active")
FLAG_NAMES = {"is_superuser": "superuser", "is_staff": "staff", "is_active": "active"}


def _record(rows: list[tuple[AbstractBaseUser, str, str]]) -> None:
    from healthscore.models import RoleChange

    if not rows:
        return
    by, via = current_actor(), current_via()
    RoleChange.objects.bulk_create(
        RoleChange(
            user=user,
            username=user.get_username(),
            role=role,
            action=action,
            by=by,
            by_username=by.get_username() if by else "",
            via=via,
        )
        for user, role, action in rows
    )


def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """m2m_changed of User.groups, from either side (user.groups.add, group.user_set.remove, clear)."""
    from django.contrib.auth.models import Group, User

    if action == "pre_clear":
        # clear() names nobody: remember who was there to record each removal.
        related = instance.user_set if reverse else instance.groups
        instance._audit_cleared = set(related.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    pks = instance.__dict__.pop("_audit_cleared", set()) if action == "post_clear" else set(pk_set or ())
    if not pks:
        return
    verb = "added" if action == "post_add" else "removed"
    if reverse:  # instance is a Group, the pks are users
        rows = [(user, instance.name, verb) for user in User.objects.filter(pk__in=pks).order_by("pk")]
    else:
        rows = [
            (instance, name, verb)
            for name in Group.objects.filter(pk__in=pks).order_by("name").values_list("name", flat=True)
        ]
    _record(rows)


def user_flags_before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Remember the access flags a save is about to change (one read, only when they may change)."""
    if raw:
        return
    if update_fields is not None and not set(update_fields) & set(ACCESS_FLAGS):
        return  # e.g. the last_login update of every sign-in
    if instance.pk is None:
        # A new person: a superuser or staff flag is a grant; being active is not news.
        instance._audit_flags_before = {"is_superuser": False, "is_staff": False, "is_active": instance.is_active}
        return
    before = sender.objects.filter(pk=instance.pk).values(*ACCESS_FLAGS).first()
    instance._audit_flags_before = before or dict.fromkeys(ACCESS_FLAGS, False)


def user_flags_after_save(sender, instance, raw=False, **kwargs) -> None:
    before = instance.__dict__.pop("_audit_flags_before", None)
    if raw or before is None:
        return
    rows = []
    for flag in ACCESS_FLAGS:
        now = bool(getattr(instance, flag))
        if now != bool(before[flag]):
            rows.append((instance, FLAG_NAMES[flag], "added" if now else "removed"))
    _record(rows)


def connect_access_audit() -> None:
    """Called from HealthscoreConfig.ready()."""
    from django.contrib.auth.models import User
    from django.db.models.signals import m2m_changed, post_save, pre_save

    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="audit_groups_changed")
    pre_save.connect(user_flags_before_save, sender=User, dispatch_uid="audit_user_flags_before")
    post_save.connect(user_flags_after_save, sender=User, dispatch_uid="audit_user_flags_after")
