"""The booking's e-mails: plain text in the visitor's language, the invitation attached as text/calendar."""

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from frenchbot.core.dates import when_text, zone_label  # noqa: F401 - imported from here by booking
from frenchbot.core.ics import ics_mime_part
from frenchbot.core.mail import Attachment, mail_send

from .ics import booking_ics
from .models import Booking


def booking_links(booking: Booking) -> dict[str, str]:
    from .services import booking_token

    return {
        action: settings.SITE_URL
        + reverse(f"booking:{action}", args=[booking_token(booking=booking, action=action)])
        for action in ("view", "cancel", "reschedule")
    }


def _send(
    *,
    to: list[str],
    subject: str,
    body: str,
    ics: bytes | None,
    method: str,
    reply_to: list[str] | None = None,
    attachments: Iterable[Attachment] = (),
) -> int:
    parts = list(attachments)
    if ics is not None:
        parts.append(ics_mime_part(ics, method=method))
    return mail_send(to=to, subject=subject, body=body, attachments=parts, reply_to=reply_to)


def _audit_attachment(booking: Booking) -> tuple[dict, list[tuple[str, bytes, str]]]:
    """The audit report the visitor brought: its summary for the e-mail body and its PDF."""
    from frenchbot.audits.reports import audit_report_context, audit_report_filename, audit_report_pdf
    from frenchbot.core.pdf import PdfError

    if booking.audit_id is None:
        return {}, []
    audit = booking.audit
    context = {
        "audit": audit_report_context(audit=audit),
        "audit_url": settings.SITE_URL + reverse("audits:result", args=[audit.pk]),
    }
    try:
        return context, [
            (audit_report_filename(audit=audit), audit_report_pdf(audit=audit), "application/pdf")
        ]
    except PdfError:
        # The link in the body still leads to the report; the booking's e-mail must not be lost for a PDF.
        return context, []


def _member_context(booking: Booking) -> dict:
    from frenchbot.leads.selectors import lead_timeline_summary

    context = {}
    if booking.lead_id:
        context["lead"] = booking.lead
        context["lead_timeline"] = lead_timeline_summary(lead=booking.lead, limit=12)
        context["lead_url"] = settings.SITE_URL + reverse("backoffice:lead_detail", args=[booking.lead_id])
    return context


def send_visitor_confirmation(*, booking: Booking, rescheduled: bool = False) -> int:
    links = booking_links(booking)
    with translation.override(booking.locale):
        context = {
            "booking": booking,
            "when": when_text(booking.start, booking.timezone),
            "links": links,
            "rescheduled": rescheduled,
            "site_url": settings.SITE_URL,
        }
        body = render_to_string("booking/email/visitor_confirmation.txt", context)
        subject = (
            _("Rendez-vous déplacé : %(name)s") if rescheduled else _("Rendez-vous confirmé : %(name)s")
        ) % {"name": booking.event_type.name}
        description = _("Pour annuler ou déplacer ce rendez-vous : %(url)s") % {"url": links["view"]}
        ics = booking_ics(booking=booking, method="REQUEST", description=description, url=links["view"])
    reply_to = [booking.member.user.email] if booking.member.user.email else None
    return _send(to=[booking.email], subject=subject, body=body, ics=ics, method="REQUEST", reply_to=reply_to)


def send_member_confirmation(*, booking: Booking, rescheduled: bool = False) -> int:
    if not booking.member.user.email:
        return 0
    # The team reads French, in the member's own zone.
    with translation.override("fr"):
        context = {
            "booking": booking,
            "when": when_text(booking.start, booking.member.timezone),
            "visitor_when": when_text(booking.start, booking.timezone),
            "rescheduled": rescheduled,
            "site_url": settings.SITE_URL,
            **_member_context(booking),
        }
        audit_context, attachments = _audit_attachment(booking)
        context.update(audit_context)
        body = render_to_string("booking/email/member_confirmation.txt", context)
        subject = (
            _("Rendez-vous déplacé : %(visitor)s — %(when)s")
            if rescheduled
            else _("Nouveau rendez-vous : %(visitor)s — %(when)s")
        ) % {"visitor": booking.name, "when": context["when"]}
        ics = booking_ics(booking=booking, method="REQUEST", description=booking.message)
    return _send(
        to=[booking.member.user.email],
        subject=subject,
        body=body,
        ics=ics,
        method="REQUEST",
        reply_to=[booking.email],
        attachments=attachments,
    )


def send_cancellation(*, booking: Booking, notify_visitor: bool = True) -> int:
    sent = 0
    if notify_visitor:
        with translation.override(booking.locale):
            body = render_to_string(
                "booking/email/visitor_cancellation.txt",
                {
                    "booking": booking,
                    "when": when_text(booking.start, booking.timezone),
                    "site_url": settings.SITE_URL,
                    "book_url": settings.SITE_URL + reverse("booking:start"),
                },
            )
            subject = _("Rendez-vous annulé : %(name)s") % {"name": booking.event_type.name}
            ics = booking_ics(booking=booking, method="CANCEL")
        sent += _send(to=[booking.email], subject=subject, body=body, ics=ics, method="CANCEL")
    if booking.member.user.email:
        with translation.override("fr"):
            body = render_to_string(
                "booking/email/member_cancellation.txt",
                {
                    "booking": booking,
                    "when": when_text(booking.start, booking.member.timezone),
                    **_member_context(booking),
                },
            )
            subject = _("Rendez-vous annulé : %(visitor)s — %(when)s") % {
                "visitor": booking.name,
                "when": when_text(booking.start, booking.member.timezone),
            }
            ics = booking_ics(booking=booking, method="CANCEL")
        sent += _send(to=[booking.member.user.email], subject=subject, body=body, ics=ics, method="CANCEL")
    return sent


def send_visitor_reminder(*, booking: Booking) -> int:
    links = booking_links(booking)
    with translation.override(booking.locale):
        body = render_to_string(
            "booking/email/visitor_reminder.txt",
            {"booking": booking, "when": when_text(booking.start, booking.timezone), "links": links},
        )
        subject = _("Rappel : %(name)s demain") % {"name": booking.event_type.name}
    return _send(to=[booking.email], subject=subject, body=body, ics=None, method="REQUEST")
