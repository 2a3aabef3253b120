import json

from django import forms
from django.contrib import admin

from imports.csv_sources import FORMATS, mapping_problems
from imports.models import CsvMapping


class CsvMappingForm(forms.ModelForm):
    class Meta:
        model = CsvMapping
        fields = ["source", "columns", "values"]
        help_texts = {
            "columns": 'Import field -> your export\'s column, e.g. {"name": "Account Name"}. '
            "Fields left out keep the default column.",
            "values": 'Extra words per field, e.g. {"segment": {"Key Account": "enterprise"}}.',
        }

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source:
            for problem in mapping_problems(source, cleaned.get("columns") or {}, cleaned.get("values") or {}):
                self.add_error(None, problem)
        return cleaned


@admin.register(CsvMapping)
class CsvMappingAdmin(admin.ModelAdmin):
    """An org's column names for the Salesforce and Zendesk CSV imports (defaults shown below)."""

    form = CsvMappingForm
    list_display = ["source", "updated_at"]
    readonly_fields = ["defaults"]

    @admin.display(description="Default columns and words")
    def defaults(self, obj):
        if obj is None or not obj.source:
            return "Choose a source and save to see its defaults."
        fmt = FORMATS[obj.source]
        return json.dumps({"columns": fmt.columns, "values": fmt.values}, indent=1)
