from django import forms

from imports.csv_sources import MAX_BYTES
from imports.models import CsvSource


class CsvUploadForm(forms.Form):
    source = forms.ChoiceField(choices=CsvSource.choices, label="Export from")
    file = forms.FileField(label="CSV file", help_text="UTF-8 (with or without BOM), ';' or ',' between cells.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
        return upload
