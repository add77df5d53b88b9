import logging
import mimetypes

from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from .health import health_report
from .net import client_ip

logger = logging.getLogger(__name__)

# Uploaded media keep their name once written (a new upload gets a new name), so browsers may keep them a day.
MEDIA_MAX_AGE = 24 * 3600


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and cache state for load balancers (status codes chosen in core/health.py)."""
    status, body = health_report()
    return JsonResponse(body, status=status)


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /equipe/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=24 * 3600, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, a PDF, a feed): the site's icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/500.html", status=500)


def _error(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(
        request, status=403, title=_("Accès refusé"), message=_("Vous n'avez pas accès à cette page.")
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(
        request,
        status=400,
        title=_("Nous n'avons pas compris cette demande"),
        message=_("La demande envoyée est incomplète ou mal formée."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        status=403,
        title=_("Votre formulaire a expiré"),
        message=_(
            "Pour votre sécurité, nous n'avons pas pu vérifier l'envoi. Revenez à la page précédente, "
            "rechargez-la puis renvoyez le formulaire. Si les cookies sont bloqués dans votre navigateur, "
            "autorisez-les pour ce site."
        ),
    )


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """A public upload (an article's cover) read from the default storage: the local folder or the bucket."""
    from frenchbot.core.storage import StorageUnavailable

    try:
        handle = default_storage.open(path, "rb")
    except StorageUnavailable:
        logger.warning("media %s: object storage unavailable", path, exc_info=True)
        return _error(
            request,
            status=503,
            title=_("Fichier momentanément indisponible"),
            message=_("Ce fichier ne peut pas être lu pour le moment. Réessayez dans quelques minutes."),
        )
    except (OSError, ValueError, SuspiciousOperation):
        # Missing, a folder, or a path that leaves the media root: the same answer for all.
        raise Http404(_("Ce fichier n'existe pas.")) from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")
    # The media library names each file once, with a random token (`library/2026/12/<name>-<token>-800.avif`):
    # such a file never changes, so browsers keep it for a year.
    immutable = path.startswith("library/")
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if immutable else f"public, max-age={MEDIA_MAX_AGE}"
    )
    # An upload is shown, never run: no sniffing into HTML, no script even if someone managed to upload one.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus exposition, for the addresses of METRICS_ALLOWED_IPS only: anyone else gets the site's
    404, as if the page did not exist."""
    from .metrics import metrics_allowed, metrics_render

    if not metrics_allowed(client_ip(request)):
        raise Http404
    return HttpResponse(metrics_render(), content_type=CONTENT_TYPE_LATEST)
