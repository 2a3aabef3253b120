"""Who records renewal outcomes: the account's TAM, and managers and admins (who own renewals
across teams). Built on healthscore.permissions' roles, so a role means the same everywhere."""

from django.core.exceptions import PermissionDenied

from healthscore import permissions

OUTCOME_DENIED = "Only the account's TAM, a manager or an admin can record its renewal outcomes."
QUALITY_DENIED = "Scorecard quality is for managers and admins."


def can_record_outcome(user, account) -> bool:
    if not user.is_authenticated:
        return False
    return permissions.is_manager(user) or (permissions.is_tam(user) and account.tam_id == user.pk)


def require_outcome_record(user, account) -> None:
    if not can_record_outcome(user, account):
        raise PermissionDenied(OUTCOME_DENIED)


def require_quality_read(user) -> None:
    """The Scorecard quality page: managers and admins (permissions.is_manager counts both)."""
    if not permissions.is_manager(user):
        raise PermissionDenied(QUALITY_DENIED)
