"""Demo data of the notes app, called by seed_demo after the accounts exist."""

import datetime as dt
import random


def seed(*, today: dt.date, rng: random.Random) -> None:
    """Nothing yet."""
