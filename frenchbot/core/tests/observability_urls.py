"""The site's URLs plus two test-only views: one that logs while serving, one that fails."""

import logging

from django.http import HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the site's error pages
from config.urls import urlpatterns as site_urlpatterns

logger = logging.getLogger("frenchbot.tests.observability")


def logs_a_warning(request, slug, token):
    logger.warning("Vue de test : un avertissement")
    return HttpResponse("ok")


def fails(request):
    raise RuntimeError("Panne volontaire de la vue de test")


urlpatterns = [
    path("essai-observabilite/<slug:slug>/<str:token>/", logs_a_warning),
    path("essai-observabilite/panne/", fails),
    *site_urlpatterns,
]
