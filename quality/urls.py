from django.urls import path

from quality import views

app_name = "quality"
urlpatterns = [
    path("", views.quality_page, name="page"),
    path("accounts/<str:external_id>/outcomes/", views.outcome_record, name="outcome_record"),
]
