from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("inscription/<str:token>/", views.registration, name="registration"),
    path("inscription/<str:token>/invitation.ics", views.registration_ics_download, name="ics"),
    path("inscription/<str:token>/annuler/", views.cancel, name="cancel"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/inscription/", views.register, name="register"),
]
