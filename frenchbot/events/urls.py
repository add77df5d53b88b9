from django.urls import path  # noqa: F401

from . import views_survey

app_name = "events"

urlpatterns = [
    path("avis/<str:token>/", views_survey.survey, name="survey"),
]
