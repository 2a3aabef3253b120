import json

from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands._shared import as_of_option
from accounts.models import Account
from accounts.scoring import rules
from accounts.scoring.inputs import scorecards_explain


class Command(BaseCommand):
    help = "Compute and print accounts' scorecards (read-only: nothing is stored)."

    def add_arguments(self, parser):
        parser.add_argument("account_ids", nargs="*", metavar="ACCOUNT_ID", help="CRM ids; all accounts when none")
        parser.add_argument("--as-of", help="score as of this date, YYYY-MM-DD (default: today, UTC)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, account_ids, as_of, json: bool, **options):
        as_of = as_of_option(as_of)
        accounts = Account.objects.order_by("external_id")
        if account_ids:
            accounts = accounts.filter(external_id__in=account_ids)
            missing = sorted(set(account_ids) - set(accounts.values_list("external_id", flat=True)))
            if missing:
                raise CommandError(f"unknown account(s): {', '.join(missing)}")
        for account, result, confidence in scorecards_explain(accounts, as_of):
            self.stdout.write(
                self._json(account, result, confidence) if json else self._text(account, result, confidence)
            )

    @staticmethod
    def _json(account, result, confidence) -> str:
        score = result.score_rounded
        return json_dumps(
            {
                "account": account.external_id,
                "as_of": result.as_of.isoformat(),
                "score": None if score is None else float(score),
                "color": result.color,
                "measures": result.measures_dict(),
                "confidence": None if confidence is None else confidence.percent,
                "confidence_reasons": [] if confidence is None else list(confidence.reasons),
            }
        )

    @staticmethod
    def _text(account, result, confidence) -> str:
        score = "-" if result.score is None else f"{result.score_rounded}"
        lines = [f"{account.external_id}  {account.name}: {score} ({result.color or 'no score'}) as of {result.as_of}"]
        for m in result.measures:
            eff = f"{float(m.effective_weight):.2f}"
            lines.append(
                f"  {m.label:<14} {(m.color or 'missing'):<8} weight {m.weight:>3}  effective {eff:>6}  {m.detail}"
            )
        if confidence is not None:
            lines.append(f"  {rules.confidence_words(confidence.percent, confidence.reasons)}")
        return "\n".join(lines)


def json_dumps(value) -> str:
    return json.dumps(value, separators=(", ", ": "))
