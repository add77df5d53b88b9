"""The site search (/recherche/) and its OpenSearch description (/opensearch.xml)."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from frenchbot.core.net import client_ip
from frenchbot.core.ratelimit import rate_limit_hit

from .selectors import MAX_QUERY_LENGTH
from .sitesearch import SiteSearchResult, query_clean, search_visibilities, site_search


def _query_string(**params) -> str:
    pairs = []
    for name, value in params.items():
        if isinstance(value, list | tuple):
            pairs.extend((name, item) for item in value)
        elif value not in (None, "", False):
            pairs.append((name, value))
    return "?" + urlencode(pairs)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    typed = query_clean(raw)[:MAX_QUERY_LENGTH]
    types = tuple(dict.fromkeys(value for value in request.GET.getlist("type") if value))[:20]
    exact = request.GET.get("exact") == "1"
    status = 200
    if not query_clean(raw):
        result = SiteSearchResult()
    elif rate_limit_hit(
        scope="search",
        key=client_ip(request),
        limit=settings.SEARCH_RATE_PER_MINUTE,
        window_seconds=60,
    ):
        status = 429
        result = SiteSearchResult(
            query=typed,
            error=_(
                "Vous avez lancé beaucoup de recherches en peu de temps : patientez une minute, puis réessayez."
            ),
        )
    else:
        result = site_search(
            query=raw,
            visibilities=search_visibilities(request.user),
            types=types,
            page=request.GET.get("page", 1),
            exact=exact,
        )
        if result.error:
            status = 400
    page = result.page
    context = {
        "result": result,
        "typed": typed,
        "types": types,
        "exact_url": _query_string(q=result.typed, type=list(types), exact="1") if result.corrected else "",
        "clear_url": _query_string(q=typed),
        "previous_url": _query_string(
            q=typed, type=list(types), exact="1" if exact else "", page=page.previous_page_number()
        )
        if page and page.has_previous()
        else "",
        "next_url": _query_string(
            q=typed, type=list(types), exact="1" if exact else "", page=page.next_page_number()
        )
        if page and page.has_next()
        else "",
    }
    response = render(request, "retrieval/search.html", context, status=status)
    # What a person searched is theirs (and a learner sees their lessons): no shared cache keeps it.
    patch_cache_control(response, private=True, max_age=0)
    return response


@require_safe
def opensearch(request: HttpRequest) -> HttpResponse:
    """Lets a browser add the site's search to its own search bar."""
    response = render(
        request,
        "retrieval/opensearch.xml",
        {
            "search_url": settings.SITE_URL + reverse("search"),
            "description": _(
                "Rechercher dans les articles, les formations et les ressources de The French Bot"
            ),
            "icon_url": settings.SITE_URL + static("img/favicon.svg"),
        },
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )
    patch_cache_control(response, public=True, max_age=86400)
    return response
