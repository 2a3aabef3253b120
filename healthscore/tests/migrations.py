"""Moving a test database between migration states: an installation's upgrade, seeded in the
previous layout, migrated forward and compared (the migration tests of every app use this)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate the test database to `targets` ([(app, migration), ...]); that state's apps."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    """The current layout's targets, to migrate back to when a test is done."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
