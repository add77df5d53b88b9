"""Calendar invitations (RFC 5545) written with the `icalendar` package, for every app that sends one
(booking, events).

Times are written in UTC (`DTSTART:20261127T133000Z`): valid everywhere, no VTIMEZONE needed, and every
calendar application shows them in its user's own zone — which is what makes them right across daylight
saving changes. The UID stays the same for the life of what it describes and SEQUENCE goes up, so an update
replaces the event in place; METHOD:CANCEL with the same UID removes it.
"""

import datetime
from email.mime.text import MIMEText
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText


def ics_domain() -> str:
    """The right-hand side of the UIDs: the site's host name."""
    return urlsplit(settings.SITE_URL).hostname or "thefrenchbot.fr"


def ics_site_address() -> str:
    """The organiser's address when no person organises: the sender of the site's e-mails."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def ics_invitation(
    *,
    prodid: str,
    uid: str,
    start: datetime.datetime,
    end: datetime.datetime,
    summary: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    method: str = "REQUEST",
    sequence: int = 0,
    description: str = "",
    url: str = "",
    location: str = "",
    more: tuple[tuple[datetime.datetime, datetime.datetime], ...] = (),
) -> bytes:
    """One VEVENT in a calendar with `method` (REQUEST adds or updates it, CANCEL removes it).

    `uid` is the stable part; the site's domain is appended. `organizer` and `attendee` are (address, name).
    `more`: further (start, end) periods of the same thing (the other days of a training session), each its own
    VEVENT with the same details and a UID of its own (`uid-2`, `uid-3`…).
    """
    assert method in ("REQUEST", "CANCEL")
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)

    for number, (period_start, period_end) in enumerate(((start, end), *more), start=1):
        cal.add_component(
            _event(
                uid=uid if number == 1 else f"{uid}-{number}",
                start=period_start,
                end=period_end,
                summary=summary,
                organizer=organizer,
                attendee=attendee,
                method=method,
                sequence=sequence,
                description=description,
                url=url,
                location=location,
            )
        )
    return cal.to_ical()


def _event(
    *,
    uid: str,
    start: datetime.datetime,
    end: datetime.datetime,
    summary: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    method: str,
    sequence: int,
    description: str,
    url: str,
    location: str,
) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{ics_domain()}")
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC).replace(microsecond=0))
    event.add("dtstart", start.astimezone(datetime.UTC))
    event.add("dtend", end.astimezone(datetime.UTC))
    event.add("sequence", sequence)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")

    organizer_address = vCalAddress(f"mailto:{organizer[0]}")
    organizer_address.params["cn"] = vText(organizer[1])
    event.add("organizer", organizer_address)
    attendee_address = vCalAddress(f"mailto:{attendee[0]}")
    attendee_address.params["cn"] = vText(attendee[1])
    attendee_address.params["role"] = vText("REQ-PARTICIPANT")
    attendee_address.params["partstat"] = vText("ACCEPTED")
    attendee_address.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee_address, encode=0)
    return event


def ics_mime_part(ics: bytes, *, method: str, filename: str = "invitation.ics") -> MIMEText:
    """The invitation as a text/calendar part with its METHOD, so that mail clients offer to add, update or
    remove the event."""
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part
