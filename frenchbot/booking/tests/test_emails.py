"""E-mails go out through a real SMTP server on loopback; the invitations are parsed back with icalendar."""

import datetime
from email.header import decode_header, make_header

import pytest
from django.core.management import call_command
from icalendar import Calendar

from frenchbot.booking import services
from frenchbot.booking.models import Booking
from frenchbot.booking.tasks import reminder_schedule, send_booking_reminder

from .factories import EventTypeFactory, StaffUserFactory, TeamMemberFactory, every_day
from .helpers import UTC, last_sunday, paris

pytestmark = pytest.mark.django_db


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def _invitation(message) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_filename() == "invitation.ics"
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def _event(calendar):
    return next(c for c in calendar.walk("VEVENT"))


def _book(
    event_type,
    start,
    *,
    capture,
    locale="fr",
    tz="Europe/Paris",
    email="jeanne@example.fr",
    name="Jeanne Dupont",
    company="Boulangerie Dupont",
):
    with capture(execute=True):
        return services.booking_create(
            event_type=event_type,
            start=start,
            name=name,
            email=email,
            company=company,
            message="Automatiser nos devis.",
            consent=True,
            consent_text="J'accepte.",
            locale=locale,
            tz=tz,
            now=paris(2027, 2, 22, 9),
        )


@pytest.fixture
def event_type():
    member = TeamMemberFactory(display_name="Camille Laurent", user=StaffUserFactory(username="camille"))
    return EventTypeFactory(members=[member], booking_window_days=400, name="Appel d'audit offert")


def test_confirmation_to_the_visitor_and_notice_to_the_member(
    smtp_server, event_type, django_capture_on_commit_callbacks
):
    booking = _book(event_type, paris(2027, 3, 1, 14, 30), capture=django_capture_on_commit_callbacks)
    assert len(smtp_server) == 2
    visitor, member = smtp_server
    assert visitor["To"] == "jeanne@example.fr"
    assert _subject(visitor) == "Rendez-vous confirmé\u00a0: Appel d'audit offert"
    body = _body(visitor)
    assert "lundi 1 mars 2027 à 14 h 30 (heure de Paris)" in body
    assert "Avec Camille Laurent" in body
    assert "/rendez-vous/gerer/" in body and "/annuler/" in body and "/deplacer/" in body

    calendar = _invitation(visitor)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    event = _event(calendar)
    assert str(event["UID"]).startswith(booking.ics_uid + "@")
    assert event["DTSTAMP"]
    assert event.decoded("DTSTART") == datetime.datetime(2027, 3, 1, 13, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime.datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    assert str(event["ORGANIZER"]) == "mailto:camille@thefrenchbot.fr"
    assert str(event["ATTENDEE"]) == "mailto:jeanne@example.fr"
    assert event["ATTENDEE"].params["CN"] == "Jeanne Dupont"

    assert member["To"] == "camille@thefrenchbot.fr"
    assert member["Reply-To"] == "jeanne@example.fr"
    assert "Nouveau rendez-vous\u00a0: Jeanne Dupont" in _subject(member)
    member_body = _body(member)
    assert "Boulangerie Dupont" in member_body and "Automatiser nos devis." in member_body
    # The lead's context: status and timeline.
    assert "Prospect\u00a0: Audit réservé" in member_body
    assert "Rendez-vous réservé\u00a0: Appel d'audit offert" in member_body
    assert f"/equipe/prospects/{booking.lead_id}/" in member_body
    assert _event(_invitation(member)).decoded("DTSTART") == datetime.datetime(2027, 3, 1, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize(("month", "before_utc", "after_utc"), [(3, 8, 7), (10, 7, 8)])
def test_invitation_times_follow_daylight_saving(
    smtp_server, event_type, django_capture_on_commit_callbacks, month, before_utc, after_utc
):
    change = last_sunday(2027, month)
    friday, monday = change - datetime.timedelta(days=2), change + datetime.timedelta(days=1)
    for number, day in enumerate((friday, monday)):
        _book(
            event_type,
            paris(day.year, day.month, day.day, 9),
            capture=django_capture_on_commit_callbacks,
            email=f"v{number}@example.fr",
        )
    starts = [_event(_invitation(m)).decoded("DTSTART") for m in smtp_server if m["To"].startswith("v")]
    assert [s.hour for s in starts] == [before_utc, after_utc]
    assert all(s.utcoffset() == datetime.timedelta(0) and s.minute == 0 for s in starts)
    assert all("à 9 h 00 (heure de Paris)" in _body(m) for m in smtp_server if m["To"].startswith("v"))


def test_english_visitor_gets_english_dates_and_their_own_zone(
    smtp_server, event_type, django_capture_on_commit_callbacks
):
    _book(
        event_type,
        paris(2027, 3, 1, 14, 30),
        capture=django_capture_on_commit_callbacks,
        locale="en",
        tz="America/New_York",
    )
    body = _body(smtp_server[0])
    assert "Monday 1 March 2027" in body
    assert "08:30" in body and "America/New York" in body
    # The team still reads French, in Paris time.
    assert "lundi 1 mars 2027 à 14 h 30 (heure de Paris)" in _body(smtp_server[1])


def test_cancellation_sends_method_cancel_with_the_same_uid(
    smtp_server, event_type, django_capture_on_commit_callbacks
):
    booking = _book(event_type, paris(2027, 3, 1, 14, 30), capture=django_capture_on_commit_callbacks)
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, now=paris(2027, 2, 23, 9))
    assert [m["To"] for m in smtp_server] == ["jeanne@example.fr", "camille@thefrenchbot.fr"]
    calendar = _invitation(smtp_server[0])
    assert calendar["METHOD"] == "CANCEL"
    event = _event(calendar)
    assert str(event["UID"]).startswith(booking.ics_uid + "@")
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) > booking.ics_sequence
    assert "annulé" in _subject(smtp_server[0])


def test_reschedule_sends_an_updated_invitation(smtp_server, event_type, django_capture_on_commit_callbacks):
    booking = _book(event_type, paris(2027, 3, 1, 14, 30), capture=django_capture_on_commit_callbacks)
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = services.booking_reschedule(
            booking=booking, start=paris(2027, 3, 2, 9), now=paris(2027, 2, 23, 9)
        )
    visitor = smtp_server[0]
    assert _subject(visitor) == "Rendez-vous déplacé\u00a0: Appel d'audit offert"
    event = _event(_invitation(visitor))
    assert str(event["UID"]).startswith(booking.ics_uid + "@")
    assert int(event["SEQUENCE"]) == new.ics_sequence == 1
    assert event.decoded("DTSTART") == datetime.datetime(2027, 3, 2, 8, 0, tzinfo=UTC)


def test_reminder_goes_out_once_when_due_and_never_for_a_cancelled_booking(
    smtp_server, django_capture_on_commit_callbacks
):
    event_type = EventTypeFactory(members=[TeamMemberFactory(hours=every_day())], booking_window_days=30)
    from django.utils import timezone

    start = (
        (timezone.now() + datetime.timedelta(days=3))
        .astimezone(UTC)
        .replace(hour=9, minute=0, second=0, microsecond=0)
    )
    bookings = []
    for number in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            bookings.append(
                services.booking_create(
                    event_type=event_type,
                    start=start + datetime.timedelta(hours=2 * number),
                    name="Jeanne",
                    email=f"r{number}@example.fr",
                    consent=True,
                    consent_text="oui",
                )
            )
    assert bookings[0].reminder_due_at == bookings[0].start - datetime.timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=bookings[1])
    smtp_server.clear()
    # Time passes: both reminders are due.
    Booking.objects.update(reminder_due_at=timezone.now() - datetime.timedelta(minutes=5))
    call_command("send_reminders", stdout=__import__("io").StringIO())
    assert [m["To"] for m in smtp_server] == ["r0@example.fr"]
    assert _subject(smtp_server[0]).startswith("Rappel\u00a0: ")
    assert "Petit rappel\u00a0: votre rendez-vous a lieu demain." in _body(smtp_server[0])
    # A second run (or a deferred task arriving later) sends nothing more.
    call_command("send_reminders", stdout=__import__("io").StringIO())
    assert send_booking_reminder.call(booking_id=bookings[0].pk) == 0
    assert len(smtp_server) == 1


def test_no_reminder_for_a_booking_made_less_than_a_day_ahead(event_type):
    from django.utils import timezone

    soon_type = EventTypeFactory(
        members=[TeamMemberFactory(hours=every_day(datetime.time(0), datetime.time(23, 45)))],
        min_notice_minutes=60,
    )
    start = (
        (timezone.now() + datetime.timedelta(hours=6))
        .astimezone(UTC)
        .replace(minute=0, second=0, microsecond=0)
    )
    booking = services.booking_create(
        event_type=soon_type, start=start, name="Paul", email="p@example.fr", consent=True, consent_text="oui"
    )
    assert booking.reminder_due_at is None
    assert reminder_schedule(booking_id=booking.pk) is False


def test_a_line_break_in_the_name_adds_no_header_and_loses_no_e_mail(
    smtp_server, event_type, django_capture_on_commit_callbacks
):
    booking = _book(
        event_type,
        paris(2027, 3, 1, 14, 30),
        capture=django_capture_on_commit_callbacks,
        name="Jeanne\r\nBcc: x@evil.example",
        company="Dupont\nX-Injected: oui",
    )
    member = next(m for m in smtp_server if m["To"] == "camille@thefrenchbot.fr")
    assert member["Bcc"] is None and member["X-Injected"] is None
    assert "Jeanne Bcc: x@evil.example" in _subject(member)
    assert all("evil" not in (m["To"] or "") + (m["Cc"] or "") for m in smtp_server)
    assert all(m["X-RcptTo"] is None or "evil" not in m["X-RcptTo"] for m in smtp_server)
    booking.refresh_from_db()
    assert booking.name == "Jeanne Bcc: x@evil.example"
    assert booking.company == "Dupont X-Injected: oui"
    assert booking.lead.name == "Jeanne Bcc: x@evil.example"
