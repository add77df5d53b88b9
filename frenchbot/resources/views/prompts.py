"""The prompt library: the list with its filters, a prompt's page with the fill-in form, favourites."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frenchbot.core.pagecache import render_cached
from frenchbot.resources.selectors import prompts as selectors
from frenchbot.resources.services import prompts as services

USE_CASE_PARAM = "usage"
TOOL_PARAM = "outil"


def _filter_url(*, use_case: str = "", tool: str = "") -> str:
    """The list's address with these filters (plain links: they work without JavaScript and combine)."""
    query = urlencode(
        [(name, value) for name, value in ((USE_CASE_PARAM, use_case), (TOOL_PARAM, tool)) if value]
    )
    path = reverse("resources:prompts")
    return f"{path}?{query}" if query else path


def _list_context(request: HttpRequest) -> dict:
    filters = selectors.prompt_filters(
        use_case_slug=request.GET.get(USE_CASE_PARAM, "").strip(),
        tool_slug=request.GET.get(TOOL_PARAM, "").strip(),
    )
    prompts = list(selectors.prompt_list(filters=filters))
    use_case_slug = filters.use_case.slug if filters.use_case else ""
    tool_slug = filters.tool.slug if filters.tool else ""
    use_cases = selectors.use_cases_with_counts(tool=filters.tool)
    for use_case in use_cases:
        use_case.filter_url = _filter_url(use_case=use_case.slug, tool=tool_slug)
    tools = selectors.tools_with_counts(use_case=filters.use_case)
    for tool in tools:
        tool.filter_url = _filter_url(use_case=use_case_slug, tool=tool.slug)
    return {
        "filters": filters,
        "groups": selectors.prompt_groups(prompts=prompts),
        "prompt_count": len(prompts),
        "use_cases": use_cases,
        "tools": tools,
        "all_use_cases_url": _filter_url(tool=tool_slug),
        "all_tools_url": _filter_url(use_case=use_case_slug),
    }


@require_safe
def prompt_list(request: HttpRequest) -> HttpResponse:
    # Filtered lists carry a query string, which the shared page cache never serves: only the full list is shared.
    return render_cached(
        request, template="resources/prompt_list.html", context=lambda values: _list_context(request)
    )


@login_required
@require_safe
def prompt_favourites(request: HttpRequest) -> HttpResponse:
    # Behind the session cookie, so never a shared cached copy (core/pagecache.py skips such requests).
    prompts = list(selectors.prompt_favourites(user=request.user))
    return render(request, "resources/prompt_favourites.html", {"prompts": prompts})


def _get_prompt(slug: str):
    prompt = selectors.prompt_get_public(slug=slug)
    if prompt is None:
        raise Http404(_("Ce prompt n'existe pas ou n'est plus en ligne."))
    return prompt


def _detail_context(request: HttpRequest, prompt, *, values: dict[str, str]) -> dict:
    return {
        "prompt": prompt,
        "text": selectors.prompt_text(body=prompt.body, values=values),
        "related": selectors.prompt_related(prompt=prompt),
        "is_favourite": selectors.prompt_is_favourite(user=request.user, prompt=prompt),
        "use_case_url": _filter_url(use_case=prompt.use_case.slug),
    }


@require_safe
def prompt_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # With the fill-in form's values the page has a query string and is rendered for this request only; the
    # star is the visitor's own state, and signed-in visitors (session cookie) never get a shared copy.
    return render_cached(
        request,
        template="resources/prompt_detail.html",
        context=lambda values: _detail_context(request, _get_prompt(slug), values=request.GET.dict()),
    )


def _back(request: HttpRequest, prompt) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return prompt.get_absolute_url()


@require_POST
def prompt_favourite_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    prompt = _get_prompt(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(prompt.get_absolute_url())
    htmx = request.headers.get("HX-Request") == "true"
    try:
        is_favourite = services.prompt_favourite_toggle(user=request.user, prompt=prompt)
    except services.PromptError as error:
        is_favourite = selectors.prompt_is_favourite(user=request.user, prompt=prompt)
        # With htmx, a 200 answer: htmx swaps nothing on a 4xx, and the visitor must read why nothing changed.
        notice = error.message
        if not htmx:
            messages.error(request, notice)
            return redirect(_back(request, prompt))
    else:
        notice = _("Ajouté à vos favoris.") if is_favourite else _("Retiré de vos favoris.")
        if not htmx:
            messages.success(request, notice)
            return redirect(_back(request, prompt))
    return render(
        request,
        "resources/prompt_favourite_button.html",
        {"prompt": prompt, "is_favourite": is_favourite, "favourite_notice": notice},
    )
