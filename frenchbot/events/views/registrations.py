"""Public pages of events: the list, an event's page with its registration form, and the registrant's pages
reached from the e-mails' signed links (no account needed)."""

import json
from functools import cached_property

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from frenchbot.core.dates import duration_text
from frenchbot.core.formguard import form_timestamp
from frenchbot.core.net import client_ip
from frenchbot.core.pagecache import public_version
from frenchbot.core.text import render_markdown

from .. import selectors
from ..errors import EventError, EventLinkError
from ..forms import CONSENT_TEXT, RegistrationForm
from ..ics import registration_ics
from ..models import Event, Registration
from ..services import registrations as services


class EventListPage:
    """The cards of the events list, read only when the template asks: the list is kept as a fragment for as
    long as it stays the same (`selectors.events_list_period`), and a kept one runs no query."""

    def __init__(self, now):
        self.now = now

    @cached_property
    def upcoming(self) -> list[Event]:
        upcoming = selectors.events_upcoming(now=self.now)
        for event in upcoming:
            event.seats_left = max(0, event.seats - event.confirmed_count)
            event.when = services.event_when_text(event, with_zone=False)
        return upcoming

    @cached_property
    def past(self) -> list[Event]:
        return selectors.events_past(now=self.now)


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "events/list.html",
        {
            "events": EventListPage(now),
            "period": selectors.events_list_period(version=public_version(request), now=now),
        },
    )


def _get_event(slug: str) -> Event:
    event = selectors.event_get_public(slug=slug)
    if event is None:
        raise Http404(_("Cet événement n'existe pas ou n'est plus en ligne."))
    return event


def _structured_data(event: Event) -> str:
    """schema.org Event for search engines (no join link: it is for registrants only)."""
    online = event.kind == Event.Kind.WEBINAR and not event.place
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.starts_at.astimezone(timezone.get_current_timezone()).isoformat(),
        "endDate": event.ends_at.astimezone(timezone.get_current_timezone()).isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"
        if online
        else "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": settings.SITE_URL + event.get_absolute_url()}
        if online
        else {"@type": "Place", "name": event.place, "address": event.place},
        "organizer": {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL},
        "url": settings.SITE_URL + event.get_absolute_url(),
        "inLanguage": "fr",
        "isAccessibleForFree": True,
    }
    if event.speaker:
        data["performer"] = {"@type": "Person", "name": event.speaker}
    text = json.dumps(data, ensure_ascii=False)
    # Inside <script>, only "</" could end the element early: escape the characters HTML treats specially.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


class EventPage:
    """The parts of an event's page read or worked out only when the template asks: the page keeps them as
    fragments (per event and per stage: registrations open, started, over), and a kept one runs no query."""

    def __init__(self, event: Event):
        self.event = event

    @cached_property
    def seats_left(self) -> int:
        return selectors.event_seats_left(event=self.event)

    @cached_property
    def when(self) -> str:
        return services.event_when_text(self.event)

    @cached_property
    def duration(self) -> str:
        return duration_text(self.event.duration_minutes)

    @cached_property
    def description_html(self) -> str:
        return render_markdown(self.event.description_markdown)

    @cached_property
    def structured_data(self) -> str:
        return _structured_data(self.event)


def _render_detail(
    request: HttpRequest, event: Event, *, form=None, notice: str = "", status: int = 200
) -> HttpResponse:
    now = timezone.now()
    if form is None:
        form = RegistrationForm(initial={"ts": form_timestamp()})
    else:
        # A re-displayed form gets a fresh time stamp; everything the person typed stays.
        form.data = form.data.copy()
        form.data["ts"] = form_timestamp()
    context = {
        "event": event,
        "page": EventPage(event),
        "registration_open": selectors.event_registration_open(event=event, now=now),
        "is_over": event.ends_at <= now,
        "form": form,
        "consent_text": CONSENT_TEXT,
        "notice": notice,
    }
    return render(request, "events/detail.html", context, status=status)


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_detail(request, _get_event(slug))


@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(slug)
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, event, form=form, status=400)
    data = form.cleaned_data
    try:
        registration = services.registration_create(
            event=event,
            name=data["name"],
            email=data["email"],
            company=data["company"],
            consent=data["consent"],
            consent_text=str(CONSENT_TEXT),
            ip=client_ip(request),
        )
    except EventError as error:
        if error.code == "duplicate":
            # Not a mistake to correct: say where the registration already is, on the page as it was.
            return _render_detail(request, event, form=form, notice=error.message)
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return _render_detail(request, event, form=form, status=429 if error.code == "rate_limited" else 400)
    token = services.registration_token(registration=registration, action="view")
    return redirect(reverse("events:registration", args=[token]) + "?nouveau=1")


def _link_error(request: HttpRequest, error: EventLinkError) -> HttpResponse:
    return render(
        request, "events/link_invalid.html", {"message": error.message}, status=410 if error.expired else 400
    )


def _registration_context(registration: Registration) -> dict:
    event = registration.event
    now = timezone.now()
    confirmed = registration.status == Registration.Status.CONFIRMED
    return {
        "registration": registration,
        "event": event,
        "when": services.event_when_text(event),
        "duration": duration_text(event.duration_minutes),
        "position": selectors.registration_waitlist_position(registration=registration),
        # The room's address: for a seat holder only, and until the event is over.
        "join_url": event.join_url
        if confirmed and event.kind == Event.Kind.WEBINAR and event.ends_at > now
        else "",
        "has_started": event.starts_at <= now,
        "cancel_url": reverse(
            "events:cancel", args=[services.registration_token(registration=registration, action="cancel")]
        ),
        "ics_url": reverse(
            "events:ics", args=[services.registration_token(registration=registration, action="view")]
        ),
    }


@require_safe
def registration(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = services.registration_from_token(token=token, action="view")
    except EventLinkError as error:
        return _link_error(request, error)
    context = _registration_context(registration)
    context["just_registered"] = request.GET.get("nouveau") == "1"
    return render(request, "events/registration.html", context)


@require_safe
def registration_ics_download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = services.registration_from_token(token=token, action="view")
    except EventLinkError as error:
        return _link_error(request, error)
    if registration.status != Registration.Status.CONFIRMED:
        return render(
            request,
            "events/link_invalid.html",
            {
                "message": _(
                    "L'invitation pour votre agenda est disponible une fois votre place confirmée : "
                    "vous la recevrez par e-mail si une place se libère."
                )
            },
            status=404,
        )
    view_url = services.registration_url(registration=registration, action="view")
    ics = registration_ics(
        registration=registration,
        description=_("Votre inscription (annulation, lien de connexion) : %(url)s") % {"url": view_url},
        url=view_url,
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = services.registration_from_token(token=token, action="cancel")
    except EventLinkError as error:
        return _link_error(request, error)
    error_message = ""
    status = 200
    # Cancelling takes a button press (POST): mail scanners open links, they must not cancel anything.
    if request.method == "POST":
        try:
            registration = services.registration_cancel(registration=registration)
        except EventError as error:
            error_message = error.message
            status = 400
        else:
            return render(request, "events/cancelled.html", _registration_context(registration))
    context = _registration_context(registration)
    context["error_message"] = error_message
    return render(request, "events/cancel.html", context, status=status)
