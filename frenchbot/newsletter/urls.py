from django.urls import path

from .views import archive

app_name = "newsletter"

urlpatterns = [
    # The public archive (the sending part).
    path("archives/", archive.archive, name="archive"),
    path("archives/rss/", archive.ArchiveFeed(), name="feed"),
    path("archives/<slug:slug>/", archive.issue, name="issue"),
]
