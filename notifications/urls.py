"""Included by healthscore/urls.py under /triage/notifications/, in the "triage" URL namespace
(the paths and names the emails and bookmarks already use)."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
    path("email/", views.notification_email_mode, name="notification_email_mode"),
]
