"""Note URLs carry ids only (the account's CRM id, an entry's number): never note text."""

from django.urls import path

from notes import views

app_name = "notes"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("accounts/<str:external_id>/", views.document, name="document"),
    path("accounts/<str:external_id>/new/", views.entry_create, name="entry_create"),
    path("accounts/<str:external_id>/risks/", views.risks, name="risks"),
    path("accounts/<str:external_id>/signals/", views.signal_data, name="signal_data"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
]
