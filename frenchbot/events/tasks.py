"""Background work of events: the e-mails of registrations and the reminders, run by the task queue so that
no request waits for SMTP."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from frenchbot.core.mail import mail_send_templated

from . import emails
from .models import Registration
from .services import followup
from .services import registrations as services
from .services.followup import FOLLOWUP_ATTENDED, FOLLOWUP_REPLAY
from .services.registrations import event_when_text, registration_url


def _registration(registration_id: int) -> Registration | None:
    return Registration.objects.select_related("event").filter(pk=registration_id).first()


@task()
def send_registration_confirmation(registration_id: int) -> int:
    """The confirmation with the invitation; 0 when the registration no longer holds a seat."""
    registration = _registration(registration_id)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return 0
    return emails.send_confirmation(registration=registration)


@task()
def send_registration_waitlisted(registration_id: int) -> int:
    registration = _registration(registration_id)
    if registration is None or registration.status != Registration.Status.WAITLISTED:
        return 0
    return emails.send_waitlisted(registration=registration)


@task()
def send_registration_promoted(registration_id: int) -> int:
    registration = _registration(registration_id)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return 0
    return emails.send_promoted(registration=registration)


@task()
def send_registration_cancellation(
    registration_id: int, had_seat: bool = True, email: str = "", name: str = ""
) -> int:
    """The cancellation; `email` and `name` are given when the row was anonymised once cancelled (an erasure):
    the e-mail still reaches the person, at the address they registered with."""
    registration = _registration(registration_id)
    if registration is None or registration.status != Registration.Status.CANCELLED:
        return 0
    if email:
        # Only in memory: the e-mail and its calendar cancellation are addressed as the registration was.
        registration.email, registration.name = email, name
    return emails.send_cancellation(registration=registration, had_seat=had_seat)


@task()
def send_registration_reminder(registration_id: int, hours: int) -> int:
    """The `hours` reminder, sent once (claimed by a single UPDATE), only to a registration still confirmed
    whose reminder is due and was not already past when it got its seat."""
    if not services.registration_reminder_claim(
        registration_id=registration_id, hours=hours, now=timezone.now()
    ):
        return 0
    registration = _registration(registration_id)
    return emails.send_reminder(registration=registration, hours=hours) if registration else 0


@task()
def event_reminders_enqueue() -> int:
    """The worker's periodic job (WORKER_PERIODIC_JOBS, every 5 minutes): queue every due reminder."""
    return services.registration_reminders_enqueue_due()


@task()
def send_registration_update(registration_id: int, version: int) -> int:
    """The notice of a moved event with its updated invitation; 0 when the registration no longer holds a seat,
    or when the event changed again since (the later notice carries the latest details)."""
    registration = _registration(registration_id)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return 0
    if registration.event.schedule_version != version:
        return 0
    return emails.send_update(registration=registration)


def reminders_schedule(*, registration_id: int) -> int:
    """Queue each reminder of a registration that got a seat to run at its due time, when the task backend
    can defer (the database backend can); the periodic job covers the others. Returns how many were queued."""
    if not send_registration_reminder.get_backend().supports_defer:
        return 0
    registration = _registration(registration_id)
    if registration is None:
        return 0
    now = timezone.now()
    queued = 0
    for hours in services.reminder_hours():
        due = services.reminder_due_at(event=registration.event, hours=hours)
        if due > now and services.reminder_applies(registration=registration, hours=hours):
            send_registration_reminder.using(run_after=due).enqueue(
                registration_id=registration_id, hours=hours
            )
            queued += 1
    return queued


# --- After the event: the follow-up ----------------------------------------------------------------------
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
