from contextlib import ExitStack

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from accounts.management.commands._shared import progress_bar
from imports import services
from imports.document import DocumentUnreadable, ImportErrors, document_apply, document_parse, document_read
from imports.models import CsvSource


class Command(BaseCommand):
    help = (
        "Import accounts, meetings, tickets, success plans, sentiments, feature requests and champion "
        "changes from a JSON export, or a Salesforce account report or Zendesk ticket export as CSV "
        "(--source). "
        "The whole file is validated first: on any problem every one is listed and nothing is written. "
        "The accounts the import changed are rescored at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON or CSV file (see the README for the formats)")
        parser.add_argument(
            "--source",
            choices=[s.value for s in CsvSource],
            help="the file is a CSV export from this system (columns per the saved or default mapping)",
        )

    def handle(self, *args, file, verbosity, source=None, **options):
        if source is None and file.lower().endswith(".csv"):
            raise CommandError(f"{file}: a CSV file needs --source ({' or '.join(s.value for s in CsvSource)})")
        try:
            if source:
                with open(file, "rb") as fh:
                    parsed = services.csv_parse(data=fh.read(), source=source)
                return self._apply(file, parsed, verbosity)
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except ImportErrors as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{file}: {len(exc.problems)} problem(s), nothing imported") from None
        try:
            document = document_read(file)
        except DocumentUnreadable as exc:
            raise CommandError(f"{file}: {exc}; nothing imported") from None
        try:
            parsed = document_parse(document)
        except ImportErrors as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{file}: {len(exc.problems)} problem(s), nothing imported") from None
        del document  # the parsed rows are all the rest needs: the raw document's memory goes back
        return self._apply(file, parsed, verbosity)

    def _apply(self, file, parsed, verbosity):
        bars = ExitStack()

        def rescoring(total):
            return bars.enter_context(progress_bar(self, total=total, desc="Rescoring", verbosity=verbosity))

        try:
            with bars, progress_bar(self, total=parsed.total(), desc="Importing", verbosity=verbosity) as tick:
                created = document_apply(parsed, progress=tick, rescoring=rescoring)
        except (ValidationError, IntegrityError) as exc:
            # The parsers check what they can without writing; a rule only the database or a
            # model knows still rolls the whole import back, and is reported in one line.
            detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc).splitlines()[0]
            raise CommandError(f"{file}: nothing imported: {detail}") from None
        summary = ", ".join(
            f"{s.section.name.replace('_', ' ')} {len(s.rows)} ({created[s.section.name]} new)" for s in parsed.sections
        )
        self.stdout.write(self.style.SUCCESS(f"Imported {summary}."))
