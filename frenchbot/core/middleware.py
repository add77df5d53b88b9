import logging

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from frenchbot.core.storage import StorageUnavailable

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Adds a Content-Security-Policy to the site's pages (the admin and the API docs keep their own rules)."""

    exempt_prefixes = ("/admin/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and not request.path.startswith(self.exempt_prefixes):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class StorageUnavailableMiddleware:
    """The object storage down or refusing our key during an upload (the admin): a 503 page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.warning("%s: object storage unavailable", request.path, exc_info=exception)
        context = {
            "title": _("Fichier momentanément indisponible"),
            "message": _(
                "Le stockage des fichiers ne répond pas : le fichier n'a pas été enregistré. Réessayez dans quelques minutes."
            ),
        }
        return render(request, "core/error.html", context, status=503)
