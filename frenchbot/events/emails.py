"""The e-mails of a registration, in French: plain text, the invitation attached as text/calendar when the
person holds a seat. The webinar's join link goes only to confirmed registrants (confirmation, promotion,
reminders); a waiting person never sees it."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frenchbot.core.dates import duration_text
from frenchbot.core.ics import ics_mime_part
from frenchbot.core.mail import mail_send

from .ics import registration_ics
from .models import Event, Registration
from .selectors import registration_waitlist_position
from .services.registrations import event_when_text, registration_url


def _links(registration: Registration) -> dict[str, str]:
    return {
        action: registration_url(registration=registration, action=action) for action in ("view", "cancel")
    }


def _context(registration: Registration, **extra) -> dict:
    event = registration.event
    confirmed = registration.status == Registration.Status.CONFIRMED
    return {
        "registration": registration,
        "event": event,
        "when": event_when_text(event),
        "duration": duration_text(event.duration_minutes),
        "is_webinar": event.kind == Event.Kind.WEBINAR,
        # Only a seat holder gets the room's address.
        "join_url": event.join_url if confirmed and event.kind == Event.Kind.WEBINAR else "",
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "links": _links(registration),
        "site_url": settings.SITE_URL,
        **extra,
    }


def _send(*, registration: Registration, subject: str, template: str, context: dict, method: str = "") -> int:
    attachments = []
    if method:
        description = _("Votre inscription (annulation, lien de connexion) : %(url)s") % {
            "url": context["links"]["view"]
        }
        ics = registration_ics(
            registration=registration,
            method=method,
            description="" if method == "CANCEL" else description,
            url="" if method == "CANCEL" else context["links"]["view"],
        )
        attachments.append(ics_mime_part(ics, method=method))
    body = render_to_string(template, context)
    return mail_send(to=[registration.email], subject=subject, body=body, attachments=attachments)


def send_confirmation(*, registration: Registration) -> int:
    """« Inscription confirmée » with the invitation, the join link (webinar), the page and cancel links."""
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Inscription confirmée : %(title)s") % {"title": registration.event.title},
            template="events/email/confirmation.txt",
            context=_context(registration),
            method="REQUEST",
        )


def send_waitlisted(*, registration: Registration) -> int:
    """The waiting-list notice with the person's position; no invitation (no seat yet)."""
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Liste d'attente : %(title)s") % {"title": registration.event.title},
            template="events/email/waitlisted.txt",
            context=_context(
                registration, position=registration_waitlist_position(registration=registration)
            ),
        )


def send_promoted(*, registration: Registration) -> int:
    """« Une place s'est libérée »: the person left the waiting list and holds a seat; with the invitation."""
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Une place s'est libérée : %(title)s") % {"title": registration.event.title},
            template="events/email/promoted.txt",
            context=_context(registration),
            method="REQUEST",
        )


def send_update(*, registration: Registration) -> int:
    """« Changement » after staff moved the event or changed its place or link: the new details and the updated
    invitation (same UID, next SEQUENCE), which replaces the old one in the person's calendar."""
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Changement : %(title)s") % {"title": registration.event.title},
            template="events/email/updated.txt",
            context=_context(registration),
            method="REQUEST",
        )


def send_cancellation(*, registration: Registration, had_seat: bool) -> int:
    """The cancellation; it removes the event from the person's calendar (METHOD:CANCEL) when an invitation
    had been sent."""
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Inscription annulée : %(title)s") % {"title": registration.event.title},
            template="events/email/cancellation.txt",
            context=_context(registration, had_seat=had_seat),
            method="CANCEL" if had_seat else "",
        )


def reminder_delay_text(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        if days == 1:
            return _("demain")
        return _("dans %(n)d jours") % {"n": days}
    return ngettext("dans %(n)d heure", "dans %(n)d heures", hours) % {"n": hours}


def send_reminder(*, registration: Registration, hours: int) -> int:
    """The reminder `hours` before the event, with the join link (webinar) or the place (workshop)."""
    with translation.override("fr"):
        delay = reminder_delay_text(hours)
        return _send(
            registration=registration,
            subject=_("Rappel : « %(title)s » commence %(delay)s")
            % {"title": registration.event.title, "delay": delay},
            template="events/email/reminder.txt",
            context=_context(registration, delay=delay, hours=hours),
        )
