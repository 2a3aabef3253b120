from django.urls import path

from accounts import list_views, views

urlpatterns = [
    path("", list_views.home, name="home"),
    path("my/", views.my_accounts, name="my_accounts"),
    path("accounts/", list_views.account_list, name="account_list"),
    path("accounts/export.csv", list_views.account_list_export, name="account_list_export"),
    path("search/", list_views.account_search, name="account_search"),
    path("accounts/<str:external_id>/", views.account_detail, name="account_detail"),
    path("accounts/<str:external_id>/sentiment/", views.account_sentiment, name="account_sentiment"),
    path("accounts/<str:external_id>/preview/", views.account_sentiment_preview, name="account_sentiment_preview"),
    path("accounts/<str:external_id>/confirm/", views.account_health_confirm, name="account_health_confirm"),
    path("accounts/<str:external_id>/activity/", views.account_activity, name="account_activity"),
    path("accounts/<str:external_id>/override/", views.account_override, name="account_override"),
    path(
        "accounts/<str:external_id>/override/<int:pk>/<str:action>/",
        views.account_override_decide,
        name="account_override_decide",
    ),
]
