"""The account page's panels registry: feature apps add their panel in AppConfig.ready(), so the
account page shows triage, notes and whatever comes next without `accounts` importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template import Context

from accounts.models import Account


@dataclass(frozen=True)
class AccountPanel:
    """One panel: its template and the context it is rendered with (None: not shown)."""

    name: str
    template: str
    context: Callable[[Context, Account], dict | None]
    order: int  # lower first: what to act on comes before what to read


_panels: dict[str, AccountPanel] = {}


def register_account_panel(*, name: str, template: str, context: Callable[[Context, Account], dict | None], order: int):
    """Add (or replace, on a second ready()) a panel of the account page."""
    _panels[name] = AccountPanel(name=name, template=template, context=context, order=order)


def account_panels() -> list[AccountPanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))
