"""Whole-page cache for anonymous visitors, with the per-visitor parts filled in at each request.

A page rendered for an anonymous visitor is the same for everyone but for a few tokens: the CSRF token
of its forms and, on articles, the signed time stamp of the comment form. The page is rendered once with
placeholders, kept in the cache, and each request gets a copy with fresh tokens — a string replacement
instead of a template rendering.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import translation

CSRF_PLACEHOLDER = "fbcsrfplaceholder0000000000000000000000000000000000000000000000"


def page_cache_applies(request: HttpRequest) -> bool:
    """Only plain GETs from visitors with no session and no pending message share a cached page."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def render_cached(
    request: HttpRequest,
    *,
    key: str,
    template: str,
    context: Callable[[dict[str, str]], dict],
    tokens: dict[str, Callable[[], str]] | None = None,
) -> HttpResponse:
    """Render `template` once per `key` (and language and host), then serve copies with fresh tokens.

    `tokens` maps a placeholder to the function that makes the visitor's value; `context(values)` builds
    the template context from `values`, which holds either the placeholders (for the cached copy) or
    real values (when the page cannot be shared).
    """
    tokens = tokens or {}
    if not page_cache_applies(request):
        return render(request, template, context({name: make() for name, make in tokens.items()}))
    full_key = f"page:{key}:{translation.get_language()}:{request.get_host()}"
    html = cache.get(full_key)
    if html is None:
        data = context({name: name for name in tokens})
        data["csrf_token"] = CSRF_PLACEHOLDER
        html = render(request, template, data).content.decode()
        cache.set(full_key, html, settings.PAGE_CACHE_SECONDS)
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    for placeholder, make in tokens.items():
        html = html.replace(placeholder, make())
    return HttpResponse(html)
