"""Settings for the benchmarks: production-like (DEBUG off, no query log), any DATABASE_URL."""

import os

os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

from healthscore.settings import *  # noqa: F403

# No collectstatic for a benchmark: serve the source files' names as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # no collectstatic: no STATIC_ROOT to scan at start

# Production runs the outbox drain on a worker; here the enqueue after commit goes to an
# in-process queue that nobody drains, so no timing includes notifications or emails.
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = False
