"""Included by healthscore/urls.py under /triage/, in the "triage" URL namespace."""

from django.urls import path

from triage import cockpit_views, views

urlpatterns = [
    path("", cockpit_views.cockpit, name="cockpit"),
    path("ctas/bulk/", cockpit_views.cta_bulk, name="cta_bulk"),
    path("ctas/<int:pk>/open-triage/", cockpit_views.cta_open_triage, name="cta_open_triage"),
    path("ctas/<int:pk>/dismiss/", cockpit_views.cta_dismiss, name="cta_dismiss"),
    path("ctas/<int:pk>/snooze/", cockpit_views.cta_snooze, name="cta_snooze"),
    path("ctas/<int:pk>/done/", cockpit_views.cta_done, name="cta_done"),
    path("records/", views.record_list, name="record_list"),
    path("records/export.csv", views.record_list_export, name="record_list_export"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/updates/", views.record_note, name="record_note"),
    path("records/<int:pk>/close/", views.record_close, name="record_close"),
    path("accounts/<str:external_id>/open/", views.record_open, name="record_open"),
]
