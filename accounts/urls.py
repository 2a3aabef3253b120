from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<str:external_id>/", views.account_detail, name="account_detail"),
]

urlpatterns += [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, name="dashboard_export"),
]
