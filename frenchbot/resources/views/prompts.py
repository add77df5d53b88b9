"""The prompt library: the list with its filters, a prompt's page with the fill-in form, favourites."""

from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
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


class PromptLibraryPage:
    """The list for these filters, read only when the template asks: the page keeps it rendered as a fragment
    per filter, and a kept fragment runs no query."""

    def __init__(self, filters: selectors.PromptFilters):
        self.filters = filters
        self.use_case_slug = filters.use_case.slug if filters.use_case else ""
        self.tool_slug = filters.tool.slug if filters.tool else ""

    @cached_property
    def prompts(self) -> list:
        return list(selectors.prompt_list(filters=self.filters))

    @cached_property
    def groups(self) -> list[selectors.PromptGroup]:
        return selectors.prompt_groups(prompts=self.prompts)

    @cached_property
    def prompt_count(self) -> int:
        return len(self.prompts)

    @cached_property
    def use_cases(self) -> list:
        use_cases = selectors.use_cases_with_counts(tool=self.filters.tool)
        for use_case in use_cases:
            use_case.filter_url = _filter_url(use_case=use_case.slug, tool=self.tool_slug)
        return use_cases

    @cached_property
    def tools(self) -> list:
        tools = selectors.tools_with_counts(use_case=self.filters.use_case)
        for tool in tools:
            tool.filter_url = _filter_url(use_case=self.use_case_slug, tool=tool.slug)
        return tools

    @property
    def all_use_cases_url(self) -> str:
        return _filter_url(tool=self.tool_slug)

    @property
    def all_tools_url(self) -> str:
        return _filter_url(use_case=self.use_case_slug)


def _list_context(request: HttpRequest) -> dict:
    # The filters are resolved first (no query without a filter): the kept fragment is per resolved filter, so
    # made-up slugs in the address all share the one empty list instead of filling the memory.
    filters = selectors.prompt_filters(
        use_case_slug=request.GET.get(USE_CASE_PARAM, "").strip(),
        tool_slug=request.GET.get(TOOL_PARAM, "").strip(),
    )
    return {"filters": filters, "library": PromptLibraryPage(filters)}


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
    text = selectors.prompt_text(body=prompt.body, values=values)
    return {
        "prompt": prompt,
        "text": text,
        # Without typed values the prompt box is the same for everyone, and is kept as a fragment.
        "text_is_blank": not any(variable.value for variable in text.variables),
        # Read only if the fragment that shows them is not kept.
        "related": SimpleLazyObject(lambda: selectors.prompt_related(prompt=prompt)),
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
