"""Background work of booking, run by the task queue so that no request waits for SMTP."""

from django.utils import timezone
from django_tasks import task

from . import emails
from .models import Booking


def _booking(booking_id: int) -> Booking | None:
    return Booking.objects.select_related("event_type", "member__user", "lead").filter(pk=booking_id).first()


@task()
def send_booking_confirmation(booking_id: int, rescheduled: bool = False) -> int:
    """The visitor's confirmation and the member's notice, each with the invitation; 0 if cancelled meanwhile."""
    booking = _booking(booking_id)
    if booking is None or booking.status != Booking.Status.CONFIRMED:
        return 0
    return emails.send_visitor_confirmation(
        booking=booking, rescheduled=rescheduled
    ) + emails.send_member_confirmation(booking=booking, rescheduled=rescheduled)


@task()
def send_booking_cancellation(
    booking_id: int, notify_visitor: bool = True, visitor: dict | None = None
) -> int:
    """The visitor's and the member's cancellation. `visitor` (services.VISITOR_CONTACT_FIELDS → value) is the
    contact as it was when cancelled, for a booking anonymised since (an erasure): it replaces, in the e-mails
    only, what the row says now."""
    booking = _booking(booking_id)
    if booking is None or booking.status != Booking.Status.CANCELLED:
        return 0
    if visitor:
        from .services import VISITOR_CONTACT_FIELDS

        for name in VISITOR_CONTACT_FIELDS:
            if name in visitor:
                setattr(booking, name, visitor[name])
    return emails.send_cancellation(booking=booking, notify_visitor=notify_visitor)


@task()
def send_booking_reminder(booking_id: int) -> int:
    """The reminder, sent once, and only for a booking still confirmed whose reminder is due."""
    from .services import booking_reminder_claim

    if not booking_reminder_claim(booking_id=booking_id, now=timezone.now()):
        return 0
    booking = _booking(booking_id)
    return emails.send_visitor_reminder(booking=booking) if booking else 0


def reminder_schedule(*, booking_id: int) -> bool:
    """Queue the reminder to run at its due time when the task backend can defer (the database backend
    can); otherwise `frenchbot send_reminders` (cron) picks it up. True when a deferred task was queued."""
    booking = Booking.objects.filter(pk=booking_id).only("reminder_due_at").first()
    if booking is None or booking.reminder_due_at is None:
        return False
    if not send_booking_reminder.get_backend().supports_defer:
        return False
    send_booking_reminder.using(run_after=booking.reminder_due_at).enqueue(booking_id=booking_id)
    return True
