"""Settings for HTTPS, security headers (Content-Security-Policy among them) and session
lifetimes, read from the environment (docs/security.md; the README's configuration table).
Imported by healthscore.settings."""

from csp import constants as csp

from healthscore.environment import env

# Behind HTTPS (SECURE_COOKIES=true) the secure defaults follow: HTTP redirects to HTTPS and
# browsers are told to use HTTPS only for a year (HSTS); each stays settable on its own.
HTTPS = env("SECURE_COOKIES")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
# A load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# The header a TLS-terminating proxy sets, e.g. X-Forwarded-Proto (its value is then "https").
# Set it only behind such a proxy: a client could send the header itself.
_PROXY_SSL_HEADER = env("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https") if _PROXY_SSL_HEADER else None
)
# Origins allowed to post forms when the site is reached under another name (scheme included).
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles from our own static files only; an
# inline <style> would need the request's nonce ({{ CSP_NONCE }}); no inline script at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Sessions: logged out after SESSION_IDLE_HOURS without a request, and SESSION_MAX_HOURS after
# logging in whatever the activity (healthscore/sessions.py). Changing a password logs every
# other session of that user out (Django checks the session's password hash on each request).
SESSION_IDLE_SECONDS = int(env.float("SESSION_IDLE_HOURS", default=8) * 3600)
SESSION_MAX_SECONDS = int(env.float("SESSION_MAX_HOURS", default=24) * 3600)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
