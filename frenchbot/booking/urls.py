from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.start, name="start"),
    # Links from the e-mails: a signed token, no account (before the event type routes: "gerer" is no slug).
    path("gerer/<str:token>/", views.view, name="view"),
    path("gerer/<str:token>/annuler/", views.cancel, name="cancel"),
    path("gerer/<str:token>/deplacer/", views.reschedule, name="reschedule"),
    path("<slug:slug>/", views.calendar_view, name="calendar"),
    path("<slug:slug>/reserver/", views.book, name="book"),
]
