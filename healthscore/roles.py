"""Changing a person's Healthscore roles (the TAM / Manager / Admin groups), audited.

Single sign-on calls it at each login with the roles the identity provider's groups map to; the
audit trail (healthscore.audit, RoleChange) records each grant and removal with who acted.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.db import transaction

from healthscore import audit, permissions


@transaction.atomic
def user_roles_set(
    *, user: User, roles: set[str], by: AbstractBaseUser | None = None, via: str = ""
) -> tuple[set[str], set[str]]:
    """Make the user's roles exactly `roles` (other groups stay). The Admin role is also the
    superuser and staff flags (Django admin is where admins work); roles_of() counts a superuser
    as Admin, so losing Admin must drop the flags too. Returns (added, removed)."""
    unknown = set(roles) - set(permissions.ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))} (known: {', '.join(permissions.ROLES)}).")
    held = set(user.groups.filter(name__in=permissions.ROLES).values_list("name", flat=True))
    added, removed = set(roles) - held, held - set(roles)
    with audit.acting_user(by, via=via):
        if removed:
            user.groups.remove(*Group.objects.filter(name__in=removed))
        if added:
            user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in sorted(added)))
        admin = permissions.ADMIN in roles
        if (user.is_superuser, user.is_staff) != (admin, admin):
            user.is_superuser = user.is_staff = admin
            user.save(update_fields=["is_superuser", "is_staff"])
    user.__dict__.pop("_healthscore_roles", None)  # roles_of's cache
    return added, removed
