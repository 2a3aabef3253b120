"""SQLite backend that uses the library's real bound-parameter limit.

Django 5.2 assumes SQLite's old compile-time default of 999 parameters, so a bulk insert of a
few hundred snapshots splits into many statements. Modern SQLite allows 32,766; Python 3.11
can ask the connection (Django 6.0 does the same). Used only when DATABASE_URL is SQLite.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
