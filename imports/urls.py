from django.urls import path

from imports import views

urlpatterns = [
    path("", views.import_page, name="import_page"),
    path("runs/<int:pk>/", views.import_run, name="import_run"),
    path("runs/<int:pk>/status/", views.import_run_status, name="import_run_status"),
]
