"""The calendar invitation of a registration (built by `frenchbot.core.ics`): one UID per registration, so
that the cancellation (METHOD:CANCEL, next SEQUENCE) removes the very event the confirmation added."""

from django.conf import settings
from django.utils.translation import gettext as _

from frenchbot.core.ics import ics_invitation, ics_site_address

from .models import Event, Registration

PRODID = "-//The French Bot//Evenements//FR"


def registration_ics_uid(registration: Registration) -> str:
    return f"evenement-{registration.public_id.hex}"


def event_location(event: Event) -> str:
    """Where it happens: the workshop's place, else the webinar's join link (for confirmed registrants only)."""
    return event.place or event.join_url or (_("En ligne") if event.kind == Event.Kind.WEBINAR else "")


def registration_ics(
    *, registration: Registration, method: str = "REQUEST", description: str = "", url: str = ""
) -> bytes:
    """The invitation of a confirmed registration (METHOD:REQUEST), or its removal (METHOD:CANCEL)."""
    event = registration.event
    return ics_invitation(
        prodid=PRODID,
        uid=registration_ics_uid(registration),
        start=event.starts_at,
        end=event.ends_at,
        summary=f"{event.title} — {settings.SITE_NAME}",
        organizer=(ics_site_address(), settings.SITE_NAME),
        attendee=(registration.email, registration.name),
        method=method,
        # An update (the event moved) carries the event's version; a cancellation comes after all of them.
        sequence=event.schedule_version + (1 if method == "CANCEL" else 0),
        description=description,
        url=url,
        location="" if method == "CANCEL" else event_location(event),
    )
