"""Background work of the follow-up after an event: the e-mail to each registrant, and the hourly job that
sends the follow-up of events over by themselves. Run by the task queue, so that no request waits for SMTP."""

from django.utils.translation import gettext as _
from django_tasks import task

from frenchbot.core.mail import mail_send_templated

from .models import Registration
from .services import followup
from .services.followup import FOLLOWUP_ATTENDED, FOLLOWUP_REPLAY, event_when_text
from .services.registrations import registration_url


@task()
def send_event_followup(registration_id: int, kind: str) -> int:
    """One registrant's follow-up: `kind` "attended" (thanks, replay if any, survey) or "replay" (the replay
    alone). 0 when the registration was cancelled meanwhile, or when there is nothing left to send."""
    registration = (
        Registration.objects.select_related("event")
        .filter(pk=registration_id, status=Registration.Status.CONFIRMED)
        .first()
    )
    if registration is None:
        return 0
    event = registration.event
    if kind == FOLLOWUP_ATTENDED:
        template = "events/email/followup_attended.txt"
        subject = _("Merci d'avoir participé : %(title)s")
    elif kind == FOLLOWUP_REPLAY and event.replay_url:
        template = "events/email/followup_replay.txt"
        subject = _("Le replay est en ligne : %(title)s")
    else:
        return 0
    context = {
        "registration": registration,
        "event": event,
        "when": event_when_text(event),
        "replay_url": event.replay_url,
        "survey_url": registration_url(registration=registration, action="survey")
        if kind == FOLLOWUP_ATTENDED
        else "",
    }
    return mail_send_templated(
        to=[registration.email], subject=subject % {"title": event.title}, template=template, context=context
    )


@task()
def event_followups_send_due() -> int:
    """The periodic job (WORKER_PERIODIC_JOBS["events_followup"]): the follow-up of each event over for
    EVENTS_FOLLOWUP_DELAY_HOURS whose attendance is marked; returns how many e-mails were queued."""
    return followup.event_followups_send_due()
