"""Migration operations of the notes app."""

from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """AddIndex for a PostgreSQL-only index (GIN full-text search): the model state always has it,
    so `makemigrations --check` stays clean; the database gets it on PostgreSQL only (SQLite
    searches with a plain LIKE fallback and has no GIN)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return super().describe() + " (PostgreSQL only)"


class RemoveIndexOnPostgres(migrations.RemoveIndex):
    """RemoveIndex for the PostgreSQL-only index. A migration that makes SQLite rebuild the note
    table removes it from the state first (SQLite would otherwise try to build the GIN index)
    and adds it back after."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return super().describe() + " (PostgreSQL only)"
