from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from healthscore.health import healthz

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
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
    path("", include("accounts.urls")),
]
