"""Calendar invitations (RFC 5545) for bookings, built by `frenchbot.core.ics` (times in UTC, the same UID
when a booking is moved with SEQUENCE going up, METHOD:CANCEL with the same UID to remove it)."""

from django.conf import settings

from frenchbot.core.ics import ics_invitation, ics_site_address

from .models import Booking

PRODID = "-//The French Bot//Rendez-vous//FR"


def _organizer_address(booking: Booking) -> str:
    return booking.member.user.email or ics_site_address()


def booking_ics(*, booking: Booking, method: str = "REQUEST", description: str = "", url: str = "") -> bytes:
    """The invitation for `booking`: METHOD:REQUEST to add or update it, METHOD:CANCEL to remove it."""
    return ics_invitation(
        prodid=PRODID,
        uid=str(booking.ics_uid),
        start=booking.start,
        end=booking.end,
        summary=f"{booking.event_type.name} — {settings.SITE_NAME}",
        organizer=(_organizer_address(booking), booking.member.display_name),
        attendee=(booking.email, booking.name),
        method=method,
        sequence=booking.ics_sequence + (1 if method == "CANCEL" else 0),
        description=description,
        url=url,
    )
