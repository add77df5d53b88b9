from django.urls import path

from .views import archive, signup

app_name = "newsletter"

urlpatterns = [
    # Sign-up, double opt-in, preferences and unsubscribing (the links of every e-mail).
    path("", signup.signup, name="signup"),
    path("confirmer/<str:token>/", signup.confirm, name="confirm"),
    path("preferences/<str:token>/", signup.preferences, name="preferences"),
    path("desinscription/<str:token>/", signup.unsubscribe, name="unsubscribe"),
    # The public archive.
    path("archives/", archive.archive, name="archive"),
    path("archives/rss/", archive.ArchiveFeed(), name="feed"),
    path("archives/<slug:slug>/", archive.issue, name="issue"),
]
