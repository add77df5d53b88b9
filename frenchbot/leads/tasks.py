"""Background work of the leads pipeline, run by the task queue so that no request waits for SMTP."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from frenchbot.core.mail import mail_send_templated
from frenchbot.core.text import single_line

from .models import LeadEvent, Source
from .selectors import lead_timeline_summary
from .services import ContactSubject


def _contact_event(event_id: int) -> LeadEvent | None:
    return LeadEvent.objects.select_related("lead").filter(pk=event_id, kind=LeadEvent.Kind.CONTACT).first()


def _subject_label(event: LeadEvent) -> str:
    value = event.payload.get("subject", "")
    return str(ContactSubject(value).label) if value in ContactSubject.values else value


def contact_recipients() -> list[str]:
    """Who reads the contact messages: STAFF_NOTIFICATION_EMAILS, else the address shown on the site."""
    return list(settings.STAFF_NOTIFICATION_EMAILS) or [settings.CONTACT_EMAIL]


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


@task()
def send_contact_to_team(event_id: int) -> int:
    """The team's notice of one contact message: the message, the lead's history and back-office link;
    replying writes to the sender. 0 when the message is gone (the lead was deleted meanwhile)."""
    event = _contact_event(event_id)
    if event is None:
        return 0
    lead = event.lead
    with translation.override("fr"):
        subject_label = _subject_label(event)
        context = {
            "event": event,
            "lead": lead,
            "subject_label": subject_label,
            "message": event.payload.get("message", event.text),
            "conversation": event.payload.get("conversation", ""),
            "lead_timeline": lead_timeline_summary(lead=lead, limit=8),
            "lead_url": settings.SITE_URL + reverse("backoffice:lead_detail", args=[lead.pk]),
        }
        heading = (
            _("Demande d'échange depuis le bot : %(name)s")
            if event.payload.get("source") == Source.ASSISTANT
            else _("Message de contact : %(subject)s — %(name)s")
        )
        # One line first, then cut: the 200 characters are those the team's mail client shows.
        subject = single_line(heading % {"subject": subject_label, "name": lead.name or lead.email})[:200]
    return mail_send_templated(
        to=contact_recipients(),
        subject=subject,
        template="leads/email/contact_team.txt",
        context=context,
        language="fr",
        reply_to=[lead.email],
    )


@task()
def send_contact_copy(event_id: int) -> int:
    """The sender's copy of their message, in French, with when to expect an answer; nothing else."""
    event = _contact_event(event_id)
    if event is None:
        return 0
    with translation.override("fr"):
        subject_label = _subject_label(event)
        subject = _("Votre message à The French Bot : %(subject)s") % {"subject": subject_label}
    return mail_send_templated(
        to=[event.lead.email],
        subject=subject,
        template="leads/email/contact_copy.txt",
        context={
            "name": event.lead.name,
            "subject_label": subject_label,
            "quoted_message": _quoted(event.payload.get("message", event.text)),
            "contact_email": settings.CONTACT_EMAIL,
        },
        language="fr",
    )
