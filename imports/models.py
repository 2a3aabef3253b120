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
