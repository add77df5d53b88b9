"""The home page and the company's fixed pages. Like the back-office, this app reads other apps and
nothing imports it."""

from functools import partial

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.blog.selectors import article_list, articles_publication_marker
from frenchbot.core.net import client_ip
from frenchbot.core.pagecache import public_kept, public_version, render_cached
from frenchbot.events.selectors import events_upcoming_cards
from frenchbot.leads.forms import CONTACT_CONSENT_TEXT, ContactForm
from frenchbot.leads.services import ContactError, ContactSubject, contact_rate_limited, contact_submit


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render_cached(request, template="pages/home.html", context=lambda values: _home_context(request))


def _home_context(request: HttpRequest) -> dict:
    # The latest articles are read only when their fragment is rendered (a queryset is lazy); the fragment
    # varies on the set of public articles.
    version = public_version(request)
    events, events_until = _upcoming_events(version)
    return {
        "latest_articles": article_list(with_tags=False)[:3],
        "publication_marker": partial(articles_publication_marker, version=version),
        "upcoming_events": events,
        "events_until": events_until,
    }


def _upcoming_events(version: int | None) -> tuple[list, str]:
    """The next events' cards, kept in this process's memory per content version (an event or a registration
    changing moves it on) until the first of them ends, when the list changes without any write; with the
    moment that happens, which the events' fragment varies on."""
    if version is None or settings.FRAGMENT_CACHE_SECONDS <= 0:
        return events_upcoming_cards(limit=3), ""
    events = public_kept(
        version=version,
        key="home:events",
        make=lambda: events_upcoming_cards(limit=3),
        until=_first_end,
    )
    until = _first_end(events)
    return events, until.isoformat() if until is not None else "-"


def _first_end(events: list):
    return min((event.ends_at for event in events), default=None)


@require_safe
def page(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, template)


# Rendered for each visitor with their own CSRF token (plain `render`, never the shared page cache), and
# never_cache so that no proxy or browser history keeps a copy: after a POST the page holds their message.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    sent_url = reverse("pages:contact") + "?envoye=1"
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_robot:
            # The same answer as a person gets, so that the robot learns nothing; nothing kept, nothing sent.
            return redirect(sent_url)
        if not form.is_valid():
            status = 400
        elif contact_rate_limited(ip=client_ip(request)):
            form.add_error(
                None,
                _(
                    "Vous avez envoyé beaucoup de messages en peu de temps. Patientez un peu puis renvoyez "
                    "celui-ci : votre texte est conservé."
                ),
            )
            status = 429
        else:
            try:
                contact_submit(
                    **form.submit_kwargs(), consent_text=str(CONTACT_CONSENT_TEXT), ip=client_ip(request)
                )
            except ContactError as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
                status = 400
            else:
                return redirect(sent_url)
    else:
        subject = request.GET.get("sujet", "")
        form = ContactForm(initial={"subject": subject} if subject in ContactSubject.values else None)
    context = {
        "form": form,
        "consent_text": CONTACT_CONSENT_TEXT,
        "sent": request.method != "POST" and request.GET.get("envoye") == "1",
    }
    return render(request, "pages/contact.html", context, status=status)
