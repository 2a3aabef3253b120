"""SQLite backend: the library's real bound-parameter limit, and placeholders converted once
per statement text.

Django 5.2 assumes SQLite's old compile-time default of 999 parameters, so a bulk insert of a
few hundred snapshots splits into many statements. Modern SQLite allows 32,766; Python 3.11
can ask the connection (Django 6.0 does the same).

Django's SQLite cursor turns every `%s` into `?` with a regular expression on each execute: for
a bulk statement of 500 rows (10,000 placeholders) that is 0.4 ms, and a first import of 158,000
accounts spent 2.3 s in it on statements whose text repeats batch after batch. The conversion
is a pure function of the text, so it is memoised (the sqlite3 module's own statement cache is
keyed by the converted text, which stays the same object and hashes once).

Used only when DATABASE_URL is SQLite.
"""

import sqlite3
from functools import lru_cache

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


@lru_cache(maxsize=256)
def _qmark(query: str) -> str:
    """Django's "format" style to sqlite3's "qmark" style, as SQLiteCursorWrapper.convert_query."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
