from django.urls import path

from dashboard import views

# Included at "dashboard/" by healthscore/urls.py.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.dashboard_export, name="dashboard_export"),
    path("renewals/", views.renewals_page, name="renewals"),
    path("renewals/export.csv", views.renewals_export, name="renewals_export"),
]
