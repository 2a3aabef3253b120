"""The accounts app's step of the daily pipeline (registered in AccountsConfig.ready())."""

import datetime as dt

from accounts.models import Account
from accounts.scoring.services import scores_recompute
from healthscore.pipeline import Progress


def scoring_step(*, as_of: dt.date, progress: Progress = None) -> str:
    return f"Scores: {scores_recompute(as_of=as_of, progress=progress)} accounts scored as of {as_of}."


def scoring_total(as_of: dt.date) -> int:
    return Account.objects.count()
