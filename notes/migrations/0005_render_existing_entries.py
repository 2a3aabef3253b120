"""Render every existing entry's sections once, as saving an entry now does (notes.rendering)."""

from django.db import migrations


def render_existing(apps, schema_editor):
    from notes.models import SECTION_FIELDS
    from notes.rendering import render_markdown

    NoteEntry = apps.get_model("notes", "NoteEntry")
    batch = []
    for entry in NoteEntry.objects.only("pk", *SECTION_FIELDS).iterator(chunk_size=500):
        entry.sections_html = {name: str(render_markdown(getattr(entry, name))) for name in SECTION_FIELDS}
        batch.append(entry)
        if len(batch) == 500:
            NoteEntry.objects.bulk_update(batch, ["sections_html"])
            batch = []
    NoteEntry.objects.bulk_update(batch, ["sections_html"])


class Migration(migrations.Migration):
    dependencies = [("notes", "0004_text_fields_bounded_and_sections_html")]

    operations = [migrations.RunPython(render_existing, migrations.RunPython.noop)]
