from django.conf import settings
from django.db import models


class CsvSource(models.TextChoices):
    SALESFORCE = "salesforce", "Salesforce account report"
    ZENDESK = "zendesk", "Zendesk ticket export"


class CsvMapping(models.Model):
    """An org's column names (and value words) for one CSV source, saved by an admin."""

    source = models.CharField(max_length=20, choices=CsvSource.choices, unique=True)
    # {"name": "Account Name", ...}: the import field -> the CSV column holding it.
    columns = models.JSONField(default=dict)
    # {"segment": {"Mid-Market": "commercial"}, ...}: extra words for a field's values.
    values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "CSV column mapping"

    def __str__(self) -> str:
        return f"Columns of the {self.get_source_display()}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    CHECKING = "checking", "Checking every row"
    WRITING = "writing", "Writing and rescoring"
    DONE = "done", "Done"
    FAILED = "failed", "Refused: nothing imported"


FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)


class ImportRun(models.Model):
    """One CSV file an admin uploaded on the Import page, and how its import went."""

    source = models.CharField(max_length=20, choices=CsvSource.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField(help_text="The uploaded file; emptied once imported.")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.source})"

    @property
    def percent(self) -> int:
        """The progress bar: checking is the first half of the work, writing the second."""
        return {ImportStatus.QUEUED: 0, ImportStatus.CHECKING: 10, ImportStatus.WRITING: 50}.get(self.status, 100)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
