"""Where the settings come from: the process environment, and a `.env` file next to manage.py
for what it does not set (read once, at the first import). Shared by the settings modules."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    REDIS_URL=(str, ""),
    TIME_ZONE=(str, "UTC"),
    DEFAULT_FROM_EMAIL=(str, "healthscore@localhost"),
    SITE_URL=(str, "http://127.0.0.1:8000"),
    SECURE_COOKIES=(bool, False),
    API_THROTTLE_RATE=(str, "600/minute"),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
