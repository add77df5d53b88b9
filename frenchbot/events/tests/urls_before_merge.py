"""The site's URLs, plus placeholders for the events pages written by the registration part (`events:list`,
`events:detail`) when they are not there yet, so that links to events (home cards, sitemap, index) resolve in
the follow-up part's tests. Once both parts are merged the placeholders are not added and this module is the
site's own URLconf: it can then be deleted, with the `pytest.mark.urls` lines that name it."""

from django.http import HttpResponse
from django.urls import include, path

from config import urls as site
from frenchbot.events import urls as events_urls

handler404 = site.handler404
handler500 = site.handler500
handler403 = site.handler403
handler400 = site.handler400


def _placeholder(request, **kwargs):
    return HttpResponse("")


_names = {pattern.name for pattern in events_urls.urlpatterns}
_events_patterns = list(events_urls.urlpatterns)
if "list" not in _names:
    _events_patterns.append(path("", _placeholder, name="list"))
if "detail" not in _names:
    _events_patterns.append(path("<slug:slug>/", _placeholder, name="detail"))

urlpatterns = [
    path("evenements/", include((_events_patterns, "events"))),
    *[pattern for pattern in site.urlpatterns if str(pattern.pattern) != "evenements/"],
]
