from django.urls import path

from .views import registrations, survey

app_name = "events"

urlpatterns = [
    path("", registrations.event_list, name="list"),
    path("inscription/<str:token>/", registrations.registration, name="registration"),
    path("inscription/<str:token>/invitation.ics", registrations.registration_ics_download, name="ics"),
    path("inscription/<str:token>/annuler/", registrations.cancel, name="cancel"),
    path("avis/<str:token>/", survey.survey, name="survey"),
    path("<slug:slug>/", registrations.event_detail, name="detail"),
    path("<slug:slug>/inscription/", registrations.register, name="register"),
]
