"""Healthscore settings, read from the environment (see the README's configuration table).

Embedded default: SQLite file in the project, Celery tasks run eagerly, email to the console.
Production: set DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false.
"""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from healthscore.environment import BASE_DIR, env

# Embedded mode (no DATABASE_URL: SQLite in the project) is for a laptop, so debug is on unless
# said otherwise; once a real database is configured it is off unless said otherwise, so a
# forgotten variable in production never means debug pages or the dev secret key.
EMBEDDED = not env("DATABASE_URL", default="")
DEBUG = env.bool("DEBUG", default=EMBEDDED)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README, Configuration).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env("ALLOWED_HOSTS")
# Absolute links in emails point here; production must say where it lives.
if not DEBUG and "SITE_URL" not in env.ENVIRON:
    raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off (links in emails use it).")
SITE_URL = env("SITE_URL").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    # Single sign-on (OpenID Connect), used only when OIDC_RP_CLIENT_ID is set (healthscore/sso.py).
    "mozilla_django_oidc",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    # The floor is an app only for the daily pipeline's record of each day (DailyRun).
    "healthscore",
    # Login throttling: failed attempts per user and per address, admin unlock (docs/security.md).
    "axes",
    "csp",
    # Who changed the scorecard configuration and role assignments, when, what (healthscore/audit.py).
    "simple_history",
    "accounts",
    "dashboard",
    # Before triage: its outbox consumer (people told) runs before triage's on each change.
    "notifications",
    "triage",
    "notes",
    "imports",
    # After triage: its outbox consumer relabels the GitLab issue once triage has run on a change.
    "integrations",
    # Scorecard quality: renewal outcomes and the backtest of the scorecard against them.
    "quality",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The REST API sits on top of every app (see docs/architecture.md).
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything looks a URL or a filter up: a NUL there is a 404 (PostgreSQL refuses NUL).
    "healthscore.middleware.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Keeps the request so an audited change made in it is attributed to the signed-in user.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Right after authentication: an idle or too old session is logged out before any view runs.
    "healthscore.sessions.SessionLifetimeMiddleware",
    # Pages for a signed-in user show accounts, sentiment reasons or notes: never cached.
    "healthscore.sessions.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "healthscore.urls"
WSGI_APPLICATION = "healthscore.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "csp.context_processors.nonce",
                "healthscore.sso.login_options",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "healthscore.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # Writers queue for the lock at BEGIN instead of failing half-way ("database is locked"
        # when a read transaction tries to upgrade); WAL lets pages read while a save writes.
        transaction_mode="IMMEDIATE",
        timeout=20,
        # A page cache of up to 64 MiB per connection (SQLite's default is 2 MiB), filled only
        # as pages are read: a large import or scoring run stops re-reading index pages from
        # the file (a 158,000-account import 7 % faster); a page request touches a few pages.
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Healthscore's queries are short index range scans; PostgreSQL's JIT compiled them anew on
    # every chunk of the scoring run (50-190 ms each, measured) and never paid back.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ASVS 2.1.1: at least 12 characters; common and all-digit passwords are refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login (the app's and the admin's) before the password is compared.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Lock a username after AXES_FAILURE_LIMIT failures from anywhere, and an address after as many
# failures for any usernames, for AXES_COOLOFF_MINUTES; an admin unlocks earlier by deleting the
# access attempt in Django admin (Axes > Access attempts) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "healthscore.login_security.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Its start-up banner would be a second line on every command's stderr.
AXES_VERBOSE = False
# Behind PROXY_COUNT reverse proxies the client's address is the entry the outermost one added
# to X-Forwarded-For (a client can prepend anything, so never the left-most).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "healthscore.login_security.client_ip"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Single sign-on: OpenID Connect, optional (healthscore/sso.py, docs/security.md) -------------
# Off unless OIDC_RP_CLIENT_ID is set. The endpoints are the provider's (its
# /.well-known/openid-configuration lists them); its callback URL is SITE_URL + /oidc/callback/.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
# When set, an ID token from any other issuer is refused.
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
# A provider that does not answer must not hold a web worker for long.
OIDC_TIMEOUT = 10
# Which claim lists the person's groups, and which of the provider's groups give each role
# (comma-separated group names; the role names are healthscore.permissions.ROLES).
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLE_GROUPS = {
    "TAM": env.list("OIDC_TAM_GROUPS", default=[]),
    "Manager": env.list("OIDC_MANAGER_GROUPS", default=[]),
    "Admin": env.list("OIDC_ADMIN_GROUPS", default=[]),
}
# A first sign-in creates the user; false: only people who already have a user may sign in.
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=True)
# false: passwords are refused for everyone but the break-glass admin (the app's and admin's login).
OIDC_PASSWORD_LOGIN = env.bool("OIDC_PASSWORD_LOGIN", default=True)
OIDC_BREAK_GLASS_USERNAME = env("OIDC_BREAK_GLASS_USERNAME", default="")
if SSO_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(f"Single sign-on needs {', '.join(_missing)} (see README, Single sign-on).")
    AUTHENTICATION_BACKENDS.append("healthscore.sso.RoleMappingBackend")
elif not OIDC_PASSWORD_LOGIN:
    raise ImproperlyConfigured("OIDC_PASSWORD_LOGIN=false needs single sign-on (OIDC_RP_CLIENT_ID and the endpoints).")
if not OIDC_PASSWORD_LOGIN:
    # Sessions opened with a password by anyone else end too: their backend is no longer listed.
    AUTHENTICATION_BACKENDS[AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend")] = (
        "healthscore.sso.BreakGlassPasswordBackend"
    )

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
# A mail server that does not answer must not hold a worker (or a web request) for long.
EMAIL_TIMEOUT = 10
# Who gets Django's error emails (a 500 in production): comma-separated addresses.
ADMINS = [("Healthscore admin", address) for address in env.list("ADMINS", default=[])]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every error report (the ADMINS' emails, the debug page) blanks all posted values and every
# frame's local variables: sentiment reasons, triage plans and meeting text appear in all of them.
DEFAULT_EXCEPTION_REPORTER_FILTER = "healthscore.privacy.NotesExceptionReporterFilter"


def _sentry_before_send(event, hint):
    # Imported when an event is sent: at settings time Django is not set up yet.
    from healthscore.privacy import scrub_error_event

    return scrub_error_event(event, hint)


# Errors to Sentry as well when SENTRY_DSN is set, with the same blanking (healthscore/privacy.py):
# no request bodies, cookies, query strings or local variables, and no personal data.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        before_send=_sentry_before_send,
    )

# --- HTTPS, headers, sessions: healthscore/settings_security.py (docs/security.md) ----------------
from healthscore.settings_security import *  # noqa: E402, F403

# --- REST API (api/) ------------------------------------------------------
REST_FRAMEWORK = {
    # A personal API token (Authorization: Bearer hs_...) or the browser's session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env("API_THROTTLE_RATE")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.TextJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Healthscore API",
    "DESCRIPTION": "Customer health for Technical Account Managers. Meeting notes are never served.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ColorEnum": "api.serializers.COLORS", "ColorOrNoneEnum": "api.serializers.COLOR_FILTER"},
}

# --- Celery -----------------------------------------------------------------
# No REDIS_URL: tasks run eagerly in the web process (embedded mode).
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# No result backend: nothing waits on results, and it is one less thing to hang on.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = "UTC"
# django-celery-beat's database scheduler, installing CELERY_BEAT_SCHEDULE as defaults only:
# an entry an admin edited (time, enabled) keeps the admin's version across beat restarts.
CELERY_BEAT_SCHEDULER = "healthscore.beat:DefaultsOnlyDatabaseScheduler"
# A dead or hung Redis must make delay() fail within seconds, never hang a web request
# (verified on this kind of machine; see shared RECIPES).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 2, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The daily pipeline's task lives in healthscore, which is not an app autodiscovery looks in.
CELERY_IMPORTS = ["healthscore.tasks"]
# Every periodic job and the daily jobs' hour: healthscore/schedule.py.
from healthscore.schedule import CELERY_BEAT_SCHEDULE, DAILY_JOBS_HOUR_UTC  # noqa: E402, F401

# --- GitLab Account Triage project (docs/integrations.md) -------------------------------------
# All three set: every triage record is mirrored as an issue in that project. Any one missing:
# nothing is sent and nothing is attempted.
GITLAB_URL = env("GITLAB_URL", default="").rstrip("/")
GITLAB_TOKEN = env("GITLAB_TOKEN", default="")
GITLAB_TRIAGE_PROJECT = env("GITLAB_TRIAGE_PROJECT", default="")  # "group/account-triage" or a numeric id
# Each call to GitLab gives up after this long: a slow GitLab delays a sync, never a save.
GITLAB_TIMEOUT_SECONDS = env.float("GITLAB_TIMEOUT_SECONDS", default=5.0)

# --- Health overrides (docs/scoring.md, "Overrides") -----------------------------------------
# On: a TAM may request an override of their own account's color, which a manager approves or
# rejects. Off: only managers and admins set overrides.
HEALTH_OVERRIDE_TAM_REQUESTS = env.bool("HEALTH_OVERRIDE_TAM_REQUESTS", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django.utils.autoreload": {"level": "WARNING"}},
}
