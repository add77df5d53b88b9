from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    # Sign-up, double opt-in, preferences and unsubscribing (the links of every e-mail).
    path("", views.signup, name="signup"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("desinscription/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
