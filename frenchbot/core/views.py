from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from .health import health_report


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
