"""Background work of events: the e-mails of registrations and the reminders, run by the task queue so that
no request waits for SMTP."""

from django.utils import timezone
from django_tasks import task

from . import emails
from .models import Registration
from .services import registrations as services


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
def send_registration_cancellation(registration_id: int, had_seat: bool = True) -> int:
    registration = _registration(registration_id)
    if registration is None or registration.status != Registration.Status.CANCELLED:
        return 0
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
