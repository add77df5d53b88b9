"""Calendar invitations (RFC 5545) for bookings, written with the `icalendar` package.

Times are written in UTC (`DTSTART:20261127T133000Z`): valid everywhere, no VTIMEZONE needed, and every
calendar application shows them in its user's own zone — which is what makes them right across daylight
saving changes. The UID is kept when a booking is moved and SEQUENCE goes up, so the event is updated in
place; METHOD:CANCEL with the same UID removes it.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Booking

PRODID = "-//The French Bot//Rendez-vous//FR"


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "thefrenchbot.fr"


def _organizer_address(booking: Booking) -> str:
    if booking.member.user.email:
        return booking.member.user.email
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def booking_ics(*, booking: Booking, method: str = "REQUEST", description: str = "", url: str = "") -> bytes:
    """The invitation for `booking`: METHOD:REQUEST to add or update it, METHOD:CANCEL to remove it."""
    assert method in ("REQUEST", "CANCEL")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)

    event = Event()
    event.add("uid", f"{booking.ics_uid}@{_domain()}")
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC).replace(microsecond=0))
    event.add("dtstart", booking.start.astimezone(datetime.UTC))
    event.add("dtend", booking.end.astimezone(datetime.UTC))
    event.add("sequence", booking.ics_sequence + (1 if method == "CANCEL" else 0))
    event.add("summary", f"{booking.event_type.name} — {settings.SITE_NAME}")
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")

    organizer = vCalAddress(f"mailto:{_organizer_address(booking)}")
    organizer.params["cn"] = vText(booking.member.display_name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.email}")
    attendee.params["cn"] = vText(booking.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()
