from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from api import exports, pages, views

# Any path segment: the view answers an id the web app's addresses never allow with a JSON 404
# before any query (a NUL byte in a lookup is a 500 on PostgreSQL).
ACCOUNT = r"accounts/(?P<external_id>[^/]+)"

v1 = [
    path("accounts/", views.AccountList.as_view(), name="api_accounts"),
    re_path(rf"^{ACCOUNT}/$", views.AccountDetail.as_view(), name="api_account"),
    re_path(rf"^{ACCOUNT}/scorecard/$", views.AccountScorecard.as_view(), name="api_account_scorecard"),
    re_path(rf"^{ACCOUNT}/history/$", views.AccountHistory.as_view(), name="api_account_history"),
    re_path(rf"^{ACCOUNT}/triage/$", views.AccountTriage.as_view(), name="api_account_triage"),
    re_path(rf"^{ACCOUNT}/ctas/$", views.AccountCtas.as_view(), name="api_account_ctas"),
    re_path(rf"^{ACCOUNT}/sentiment/$", views.AccountSentiment.as_view(), name="api_account_sentiment"),
    re_path(
        rf"^{ACCOUNT}/renewal-outcomes/$", views.AccountRenewalOutcomes.as_view(), name="api_account_renewal_outcomes"
    ),
    path("dashboard/", views.Dashboard.as_view(), name="api_dashboard"),
    path("bulk/", views.BulkUpsert.as_view(), name="api_bulk"),
]

urlpatterns = [
    path("v1/", include(v1)),
    # The API's description is public (it holds no data); every endpoint it describes is not.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api_schema"),
    path(
        "docs/", SpectacularSwaggerView.as_view(url_name="api_schema", permission_classes=[AllowAny]), name="api_docs"
    ),
    path(
        "redoc/", SpectacularRedocView.as_view(url_name="api_schema", permission_classes=[AllowAny]), name="api_redoc"
    ),
    path("exports/accounts.<str:fmt>", exports.accounts_export, name="export_accounts"),
    path("exports/scorecards.<str:fmt>", exports.scorecards_export, name="export_scorecards"),
    path("exports/accounts/<str:external_id>/history.<str:fmt>", exports.history_export, name="export_history"),
    path("tokens/", pages.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="api_token_revoke"),
]
