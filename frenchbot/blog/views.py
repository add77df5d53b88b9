import json
import secrets
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frenchbot.core.net import client_ip
from frenchbot.core.pagecache import page_cache_applies, public_version, render_cached
from frenchbot.core.text import render_markdown

from . import selectors, services
from .forms import TS_PLACEHOLDER, CommentForm, comment_form_token
from .models import Poll

VOTER_COOKIE = "fb_voter"
VOTER_COOKIE_AGE = 365 * 24 * 3600
# The held comments a browser sent: shown to their author until moderated (as WordPress does).
PENDING_COOKIE = "fb_pending"
PENDING_COOKIE_AGE = 7 * 24 * 3600
PENDING_COOKIE_KEEP = 5


def _page(request: HttpRequest, queryset, *, count=None):
    paginator = Paginator(queryset, settings.BLOG_PAGE_SIZE)
    if count is not None:
        # Known already (kept in memory): the paginator does not count again.
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


def _voter_id(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(VOTER_COOKIE, default=None, salt=VOTER_COOKIE)


def _pending_ids(request: HttpRequest) -> list[int]:
    raw = request.get_signed_cookie(PENDING_COOKIE, default="", salt=PENDING_COOKIE)
    return [int(part) for part in raw.split(",") if part.isdigit()]


def _list_context(request: HttpRequest, articles, **context) -> dict:
    """A list of articles: its size is known at once (kept per content version and set of public articles: the
    page number is part of the fragments' keys), its articles and the categories (lazy querysets) are read only
    when their fragments are rendered."""
    version = public_version(request)
    marker = selectors.articles_publication_marker(version=version)
    current = context.get("current_category") or context.get("current_tag")
    count = selectors.article_count(
        articles=articles,
        key=f"{type(current).__name__}:{getattr(current, 'pk', '')}:{marker}",
        version=version,
    )
    return {
        "page_obj": _page(request, articles, count=count),
        "categories": selectors.categories_with_articles(),
        "publication_marker": marker,
        **context,
    }


def _render_list(request: HttpRequest, articles, **context) -> HttpResponse:
    return render(request, "blog/article_list.html", _list_context(request, articles, **context))


@require_safe
def article_list(request: HttpRequest) -> HttpResponse:
    return render_cached(
        request,
        template="blog/article_list.html",
        context=lambda values: _list_context(
            request,
            selectors.article_list(with_tags=False),
            heading=_("Le blog"),
            intro=_("Actualités de l'IA et tutoriels pour l'utiliser au travail, sans jargon."),
        ),
    )


@require_safe
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_get(slug=slug, version=public_version(request))
    if category is None:
        raise Http404
    return _render_list(
        request,
        selectors.article_list(category=category, with_tags=False),
        current_category=category,
        heading=category.name,
        intro=category.description,
    )


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = selectors.tag_get(slug=slug, version=public_version(request))
    if tag is None:
        raise Http404
    return _render_list(
        request,
        selectors.article_list(tag=tag, with_tags=False),
        current_tag=tag,
        heading=_("Articles sur « %(tag)s »") % {"tag": tag.name},
    )


def _get_article(request: HttpRequest, slug: str, *, preview: bool = False):
    # The content version is read before the article: a fragment of the page is never kept under a version
    # newer than what it shows (core/templatetags/fragments.py).
    article = selectors.article_get_public(slug=slug, version=public_version(request))
    if article is None and preview and request.user.is_staff:
        # Staff preview drafts and scheduled articles at their future address, as they will look.
        article = selectors.article_get_any(slug=slug)
    if article is None:
        raise Http404(_("Cet article n'existe pas ou n'est plus en ligne."))
    return article


def _article_context(request, article, *, form=None, poll_error=None, ts: str | None, voted: bool) -> dict:
    """The article page's context. What the page shows besides the article is passed as callables, read only
    when the template shows it: inside a fragment kept in memory, not at all. `ts` is the comment form's time
    stamp (its placeholder in the shared copy), None to sign a fresh one when the form needs its own."""

    def fresh_ts() -> str:
        return comment_form_token() if ts is None else ts

    data = selectors.article_page_data(article=article)
    if form is None:
        parent_id = request.GET.get("reponse", "")
        parent_id = parent_id if parent_id.isdigit() else None
        # A fresh form without a reply is the same for every visitor: the page keeps it as a fragment whose
        # time stamp is filled in for each one (`{% form_fragment %}`, core/templatetags/fragments.py); a reply is rendered with its own.
        form = CommentForm(initial={"ts": fresh_ts() if parent_id else TS_PLACEHOLDER, "parent": parent_id})
    else:
        # A re-displayed form gets a fresh time stamp; everything the person typed stays.
        form.data = form.data.copy()
        form.data["ts"] = fresh_ts()
        parent_id = form.data.get("parent", "")
    replying_to = None
    if parent_id:
        replying_to = next((c for c in data["comments"] if str(c.pk) == str(parent_id)), None)
    return {
        "article": article,
        "form": form,
        "replying_to": replying_to,
        "comments_open": selectors.comments_are_open(article=article),
        "poll_voted": voted,
        "poll_error": poll_error,
        "is_preview": not article.is_public,
        "my_pending": selectors.comments_awaiting_for_author(
            article=article, comment_ids=_pending_ids(request)
        ),
        "publication_marker": partial(selectors.articles_publication_marker, version=public_version(request)),
        **data.lazy(),
    }


def _has_voted(request, article) -> bool:
    voter_id = _voter_id(request)
    return bool(voter_id) and selectors.poll_has_voted_on_article(article=article, voter_id=voter_id)


def _render_article(request, article, *, form=None, status=200, poll_error=None):
    context = _article_context(
        request,
        article,
        form=form,
        poll_error=poll_error,
        ts=None,
        voted=_has_voted(request, article),
    )
    return render(request, "blog/article_detail.html", context, status=status)


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if page_cache_applies(request):
        # The shared copy: no lookup at all once cached; rendered (or 404) on a miss.
        return render_cached(
            request,
            template="blog/article_detail.html",
            context=lambda values: _article_context(
                request, _get_article(request, slug), ts=values[TS_PLACEHOLDER], voted=False
            ),
        )
    return _render_article(request, _get_article(request, slug, preview=True))


@require_POST
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_article(request, slug)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.comment_create(
                article=article,
                name=data["name"],
                email=data["email"],
                body=data["body"],
                parent_id=data.get("parent"),
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                by_staff=request.user.is_staff,
            )
        except services.BlogError as error:
            form.add_error(error.field or "body", error.message)
        else:
            if outcome.held:
                messages.info(
                    request,
                    _(
                        "Merci ! Votre commentaire est en attente de modération : "
                        "il apparaîtra dès qu'un membre de l'équipe l'aura relu."
                    ),
                )
                response = redirect(article.get_absolute_url() + "#commentaires")
                kept = [*_pending_ids(request), outcome.comment.pk][-PENDING_COOKIE_KEEP:]
                response.set_signed_cookie(
                    PENDING_COOKIE,
                    ",".join(map(str, kept)),
                    salt=PENDING_COOKIE,
                    max_age=PENDING_COOKIE_AGE,
                    httponly=True,
                    samesite="Lax",
                )
                return response
            messages.success(request, _("Merci ! Votre commentaire est publié."))
            return redirect(outcome.comment.get_absolute_url())
    return _render_article(request, article, form=form, status=400)


@require_POST
def poll_vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Count a vote. Without JavaScript: redirect to the results page; with HTMX: answer the poll's section."""
    article = _get_article(request, slug)
    poll = get_object_or_404(Poll, article=article)
    voter_id = _voter_id(request) or secrets.token_urlsafe(16)
    partial = request.headers.get("HX-Request") == "true"
    try:
        services.poll_vote(
            poll=poll, option_id=request.POST.get("option"), voter_id=voter_id, ip=client_ip(request)
        )
    except services.BlogError as error:
        if error.code == "option":
            if partial:
                return _render_poll(request, article, poll, voted=False, error=error.message)
            return _render_article(request, article, status=400, poll_error=error.message)
        notice = error.message
    else:
        notice = _("Merci, votre vote est enregistré !")
    if partial:
        response = _render_poll(request, article, poll, voted=True, notice=notice)
    else:
        messages.info(request, notice)
        response = redirect(reverse("blog:poll_results", kwargs={"slug": article.slug}))
    response.set_signed_cookie(
        VOTER_COOKIE, voter_id, salt=VOTER_COOKIE, max_age=VOTER_COOKIE_AGE, httponly=True, samesite="Lax"
    )
    return response


def _render_poll(request, article, poll, *, voted: bool, error: str | None = None, notice: str | None = None):
    context = {
        "article": article,
        "poll": poll,
        "poll_results": selectors.poll_results(poll=poll),
        "poll_voted": voted,
        "poll_error": error,
        "poll_notice": notice,
    }
    return render(request, "blog/_poll.html", context)


@require_safe
def poll_results(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get_article(request, slug)
    poll = get_object_or_404(Poll, article=article)
    return render(
        request,
        "blog/poll_results.html",
        {
            "article": article,
            "poll": poll,
            "poll_results": selectors.poll_results(poll=poll),
            "poll_voted": selectors.poll_has_voted(poll=poll, voter_id=_voter_id(request)),
        },
    )


@require_safe
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An author's page: who they are and their published articles, newest first."""
    author = selectors.author_get(slug=slug)
    if author is None:
        raise Http404(_("Cet auteur n'existe pas."))
    return render(
        request,
        "blog/author_detail.html",
        {
            "author": author,
            "bio_html": render_markdown(author.bio),
            "page_obj": _page(request, selectors.author_articles(author=author)),
            "structured_data": _person_structured_data(request, author),
        },
    )


def _person_structured_data(request: HttpRequest, author) -> str:
    """schema.org Person of an author page, safe inside <script>."""
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": author.display_name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
        "worksFor": {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL},
    }
    if author.role:
        data["jobTitle"] = author.role
    if author.linkedin_url:
        data["sameAs"] = [author.linkedin_url]
    text = json.dumps(data, ensure_ascii=False)
    # Inside <script>, only "</" could end the element early: escape the characters HTML treats specially.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above
