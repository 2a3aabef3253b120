"""Reads for the notifications app: who is told about a color, and a person's notifications."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import Account, Color
from notifications.models import REGIONAL_ROLES, EmailMode, EmailPreference, Notification, NotifyRole, RoleAssignment


@dataclass
class Recipient:
    user: User
    roles: list[str] = field(default_factory=list)


def role_assignments() -> list[RoleAssignment]:
    """Every assignment of a notified role, with its user (a few dozen rows: read once per batch)."""
    return list(RoleAssignment.objects.select_related("user").order_by("role", "user__username"))


def notification_recipients(
    *, account: Account, color: str, assignments: list[RoleAssignment] | None = None
) -> list[Recipient]:
    """Exactly the people the handbook's Communication Guidelines name for a color, once each.

    Yellow: the account team (SAL/AE, SA), the Regional TAM Manager, and the TAM Director (or the
    Director of Customer Success Public Sector for public sector accounts). Red: all of those,
    plus the Area Sales Manager and the Regional Director, and the VP of Customer Success.
    `assignments` (from role_assignments()) saves the query when many accounts are handled.
    """
    if color not in (Color.YELLOW, Color.RED):
        return []
    people: dict[int, Recipient] = {}

    def add(user: User | None, label: str) -> None:
        if user is None or not user.is_active:
            return
        people.setdefault(user.pk, Recipient(user)).roles.append(label)

    add(account.sal, "SAL / AE")
    add(account.solutions_architect, "SA")
    roles = [
        NotifyRole.REGIONAL_TAM_MANAGER,
        NotifyRole.DIRECTOR_CS_PUBLIC_SECTOR if account.public_sector else NotifyRole.TAM_DIRECTOR,
    ]
    if color == Color.RED:
        roles += [NotifyRole.AREA_SALES_MANAGER, NotifyRole.REGIONAL_DIRECTOR, NotifyRole.VP_CUSTOMER_SUCCESS]
    if assignments is None:
        assignments = role_assignments()
    by_role: dict[str, list[RoleAssignment]] = {}
    for assignment in assignments:
        regional = assignment.role in REGIONAL_ROLES
        if (regional and assignment.region == account.region) or (not regional and assignment.region == ""):
            by_role.setdefault(assignment.role, []).append(assignment)
    for role in roles:  # in the handbook's order
        for assignment in by_role.get(role, []):
            where = f" ({assignment.region})" if assignment.region else ""
            add(assignment.user, f"{NotifyRole(role).label}{where}")
    return list(people.values())


def recipients_preview(*, account: Account, old_color: str | None, new_color: str | None) -> list[str]:
    """Who would be told if the account's overall color moved from old to new now (the sentiment
    forms' preview): a first score or an unchanged color tells no one (accounts.events)."""
    if not old_color or not new_color or old_color == new_color:
        return []
    return [
        f"{recipient.user.get_full_name() or recipient.user.username} ({', '.join(recipient.roles)})"
        for recipient in notification_recipients(account=account, color=new_color)
    ]


def notifications_for(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user).select_related("account", "change").order_by("-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_about(account: Account) -> QuerySet[Notification]:
    """Every notification sent about an account, latest first (its page's panel)."""
    return Notification.objects.filter(account=account).select_related("recipient").order_by("-created_at", "-pk")


def email_mode(user: User) -> str:
    """How the person gets notification emails (each at once unless they chose the digest)."""
    return EmailPreference.objects.filter(user=user).values_list("mode", flat=True).first() or EmailMode.IMMEDIATE
