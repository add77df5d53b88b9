"""The home page and the company's fixed pages. Like the back-office, this app reads other apps and
nothing imports it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from frenchbot.blog.selectors import article_list
from frenchbot.core.pagecache import render_cached


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render_cached(
        request,
        template="pages/home.html",
        context=lambda values: {"latest_articles": list(article_list()[:3])},
    )


@require_safe
def page(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, template)
