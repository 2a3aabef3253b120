"""The color-change outbox: written in the change's transaction, handed to each consumer once."""

import pytest

from accounts import services as account_services
from accounts.models import Color, HealthChange

pytestmark = pytest.mark.django_db


def change_color(account, color, by=None):
    """The TAM sets the sentiment: the account is rescored in the same transaction."""
    account_services.sentiment_update(account=account, color=color, reason=f"Now {color}", by=by or account.tam)
    account.refresh_from_db()


def test_a_color_change_writes_an_outbox_row_in_its_transaction(account_in):
    account = account_in(Color.GREEN)
    change_color(account, Color.YELLOW)
    change = HealthChange.objects.get(account=account, new_color=Color.YELLOW)
    assert (change.old_color, change.processed_at) == (Color.GREEN, None)
