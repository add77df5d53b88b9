from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("", views.page, name="page"),
    path("reserver/", views.book, name="book"),
    path("message-equipe/", views.handoff, name="handoff"),
]
