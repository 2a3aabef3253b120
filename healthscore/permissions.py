"""Who may do what: each rule as a predicate on one object and, beside it, the same rule as a
queryset filter, so a page and a list can never disagree. Views call these; the role names are
the groups a migration creates."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q

NO_ROLE = "Your login has no Healthscore role yet; ask an admin."
EDIT_DENIED = "Only the account's TAM or an admin can change it."
NOTES_DENIED = "Meeting notes are for the account team, managers and admins."
OVERRIDE_DENIED = "Only a manager or an admin overrides a color; the account's TAM may request it."

TAM, MANAGER, ADMIN = "TAM", "Manager", "Admin"
ROLES = (TAM, MANAGER, ADMIN)


def roles_of(user: User | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_healthscore_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMIN)
        user._healthscore_roles = cached
    return cached


def is_tam(user) -> bool:
    return TAM in roles_of(user)


def is_manager(user) -> bool:
    """Managers and admins read everything and see the dashboard."""
    return bool(roles_of(user) & {MANAGER, ADMIN})


def is_admin(user) -> bool:
    return ADMIN in roles_of(user)


def can_read_accounts(user) -> bool:
    return bool(roles_of(user))


def is_account_team(user, account) -> bool:
    """The account's TAM, SAL/AE or SA."""
    return user.is_authenticated and user.pk in {account.tam_id, account.sal_id, account.solutions_architect_id}


def can_read_account(user, account) -> bool:
    """Anyone with a role reads every account; the account team (a SAL/AE or SA emailed about
    it, say) reads its own account even without a role."""
    return can_read_accounts(user) or is_account_team(user, account)


def accounts_readable_q(user, prefix: str = "") -> Q:
    """can_read_account as a filter on Account: every account for a role, else the user's own
    account team's (the global search shows no account its page would refuse)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if can_read_accounts(user):
        return Q()
    return account_team_q(user, prefix)


def account_team_q(user, prefix: str = "") -> Q:
    """is_account_team as a filter on Account (prefix e.g. "account__" from a related model)."""
    return Q(**{f"{prefix}tam": user}) | Q(**{f"{prefix}sal": user}) | Q(**{f"{prefix}solutions_architect": user})


def can_edit_account(user, account) -> bool:
    """A TAM changes their own accounts only; admins change any."""
    if not user.is_authenticated:
        return False
    return is_admin(user) or (is_tam(user) and account.tam_id == user.pk)


def can_read_notes(user, account) -> bool:
    """Meeting notes are sensitive: the account team, managers and admins only."""
    if not user.is_authenticated:
        return False
    return is_manager(user) or is_account_team(user, account)


def notes_readable_q(user, prefix: str = "") -> Q:
    """can_read_notes as a filter on Account: the accounts whose notes the user may read."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_manager(user):
        return Q()
    return account_team_q(user, prefix)


def require_role(user) -> None:
    """403 unless the user has a Healthscore role."""
    if not can_read_accounts(user):
        raise PermissionDenied(NO_ROLE)


def require_account_read(user, account) -> None:
    """403 unless the user may open this account (a role, or its account team)."""
    if not can_read_account(user, account):
        raise PermissionDenied(NO_ROLE)


def require_account_edit(user, account) -> None:
    """403 unless the user may change this account (its TAM, or an admin)."""
    if not can_edit_account(user, account):
        raise PermissionDenied(EDIT_DENIED)


def require_notes_read(user, account) -> None:
    """403 unless the user may read this account's meeting notes."""
    if not can_read_notes(user, account):
        raise PermissionDenied(NOTES_DENIED)


# --- Overrides of an account's color (accounts.overrides) ---------------------------------


def can_override(user) -> bool:
    """Managers and admins set, approve, reject and cancel overrides, on any account."""
    return user.is_authenticated and is_manager(user)


def can_request_override(user, account) -> bool:
    """The account's TAM may ask for an override, when HEALTH_OVERRIDE_TAM_REQUESTS is on."""
    return settings.HEALTH_OVERRIDE_TAM_REQUESTS and is_tam(user) and account.tam_id == user.pk


def require_override_request(user, account) -> None:
    """403 unless the user may set (a manager) or request (the account's TAM) an override here."""
    if not (can_override(user) or can_request_override(user, account)):
        raise PermissionDenied(OVERRIDE_DENIED)


def require_override_decide(user) -> None:
    """403 unless the user may approve, reject or cancel overrides (a manager or an admin)."""
    if not can_override(user):
        raise PermissionDenied(OVERRIDE_DENIED)
