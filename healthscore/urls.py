from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from healthscore import sso
from healthscore.health import healthz

# Passwords may be off for all but the break-glass admin: the admin's login asks the same.
admin.site.login_form = sso.AdminLoginForm
admin.site.login_template = "admin/login_sso.html"

urlpatterns = [
    path("login/", sso.LoginView.as_view(), name="login"),
    # Single sign-on: 404 unless OIDC_RP_CLIENT_ID is set.
    path("oidc/", include(sso.urlpatterns)),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # One "triage" namespace for the TAM's follow-up pages: the triage app's (cockpit, records)
    # and the notifications app's (/triage/notifications/), as the links in sent emails expect.
    path(
        "triage/",
        include(([path("", include("triage.urls")), path("notifications/", include("notifications.urls"))], "triage")),
    ),
    path("notes/", include("notes.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/", include("api.urls")),
    path("imports/", include("imports.urls")),
    path("quality/", include("quality.urls")),
    path("", include("accounts.urls")),
]
