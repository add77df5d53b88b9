"""The e-mails of registrations go out through a real SMTP server on loopback; invitations are parsed back
with icalendar; reminders are sent by the worker's periodic job, once each."""

import datetime
import zoneinfo
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from icalendar import Calendar

from frenchbot.events import tasks
from frenchbot.events.models import Registration
from frenchbot.events.services.registrations import (
    registration_cancel,
    registration_reminders_enqueue_due,
)

from .factories import EventFactory, in_hours, register

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def _calendars(message) -> list[Calendar]:
    return [
        Calendar.from_ical(part.get_payload(decode=True))
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]


def _vevent(calendar):
    return next(iter(calendar.walk("VEVENT")))


def _register(capture, event, n, **overrides):
    with capture(execute=True):
        return register(event, n, **overrides)


def _cancel(capture, registration):
    with capture(execute=True):
        return registration_cancel(registration=registration)


def test_confirmation_carries_the_invitation_the_join_link_and_the_links(
    smtp_server, django_capture_on_commit_callbacks
):
    starts = datetime.datetime(2027, 12, 14, 14, 0, tzinfo=PARIS)  # a Tuesday, winter time (UTC+1)
    event = EventFactory(title="ChatGPT pour les artisans", starts_at=starts, duration_minutes=90)
    registration = _register(django_capture_on_commit_callbacks, event, 1, name="Jeanne Dupont")

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "personne1@example.fr"
    assert _subject(message) == "Inscription confirmée\u00a0: ChatGPT pour les artisans"
    body = _body(message)
    assert "Bonjour Jeanne Dupont," in body
    assert "mardi 14 décembre 2027 à 14\u00a0h\u00a000 (heure de Paris)" in body
    assert "1\u00a0h\u00a030" in body
    assert "https://visio.example.fr/salle-secrete-4821" in body
    assert "/evenements/inscription/" in body
    assert "/annuler/" in body

    calendars = _calendars(message)
    assert len(calendars) == 1
    calendar = calendars[0]
    assert str(calendar["method"]) == "REQUEST"
    vevent = _vevent(calendar)
    assert vevent.decoded("dtstart") == datetime.datetime(2027, 12, 14, 13, 0, tzinfo=datetime.UTC)
    assert vevent.decoded("dtstart").astimezone(PARIS).hour == 14
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == datetime.timedelta(minutes=90)
    assert str(vevent["uid"]).startswith(f"evenement-{registration.public_id.hex}@")
    assert str(vevent["location"]) == "https://visio.example.fr/salle-secrete-4821"
    assert "ChatGPT pour les artisans" in str(vevent["summary"])
    assert "personne1@example.fr" in str(vevent["attendee"])


def test_a_workshop_invitation_gives_its_place(smtp_server, django_capture_on_commit_callbacks):
    event = EventFactory(kind="workshop", place="12 rue de la Paix, 75002 Paris", join_url="")
    _register(django_capture_on_commit_callbacks, event, 1)
    vevent = _vevent(_calendars(smtp_server[0])[0])
    assert str(vevent["location"]) == "12 rue de la Paix, 75002 Paris"
    assert "12 rue de la Paix" in _body(smtp_server[0])


def test_the_waiting_list_mail_gives_the_position_and_no_invitation_nor_join_link(
    smtp_server, django_capture_on_commit_callbacks
):
    event = EventFactory(seats=1)
    _register(django_capture_on_commit_callbacks, event, 1)
    _register(django_capture_on_commit_callbacks, event, 2)
    _register(django_capture_on_commit_callbacks, event, 3)
    assert len(smtp_server) == 3
    third = smtp_server[2]
    assert _subject(third).startswith("Liste d'attente")
    body = _body(third)
    assert (
        "L'événement est complet\u00a0: vous êtes inscrit(e) sur la liste d'attente, en position 2." in body
    )
    assert _calendars(third) == []
    assert event.join_url not in body


def test_a_freed_seat_goes_to_the_first_waiting_person_who_gets_the_invitation(
    smtp_server, django_capture_on_commit_callbacks
):
    event = EventFactory(seats=1)
    seated = _register(django_capture_on_commit_callbacks, event, 1)
    _register(django_capture_on_commit_callbacks, event, 2)
    _register(django_capture_on_commit_callbacks, event, 3)
    smtp_server.clear()

    _cancel(django_capture_on_commit_callbacks, seated)
    by_recipient = {message["To"]: message for message in smtp_server}
    assert set(by_recipient) == {"personne1@example.fr", "personne2@example.fr"}

    cancellation = by_recipient["personne1@example.fr"]
    assert _subject(cancellation).startswith("Inscription annulée")
    (removal,) = _calendars(cancellation)
    assert str(removal["method"]) == "CANCEL"
    assert str(_vevent(removal)["uid"]).startswith(f"evenement-{seated.public_id.hex}@")
    assert int(_vevent(removal)["sequence"]) == 1

    promotion = by_recipient["personne2@example.fr"]
    assert _subject(promotion) == f"Une place s'est libérée\u00a0: {event.title}"
    body = _body(promotion)
    assert "une place s'est libérée" in body
    assert event.join_url in body
    (invitation,) = _calendars(promotion)
    assert str(invitation["method"]) == "REQUEST"


def test_leaving_the_waiting_list_sends_no_calendar_removal(smtp_server, django_capture_on_commit_callbacks):
    event = EventFactory(seats=1)
    _register(django_capture_on_commit_callbacks, event, 1)
    waiting = _register(django_capture_on_commit_callbacks, event, 2)
    smtp_server.clear()
    _cancel(django_capture_on_commit_callbacks, waiting)
    assert len(smtp_server) == 1
    assert _calendars(smtp_server[0]) == []
    assert "liste d'attente" in _body(smtp_server[0])


def _seat_since(registration: Registration, hours_ago: float) -> None:
    Registration.objects.filter(pk=registration.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )


def test_reminders_24_h_and_1_h_before_are_sent_once_each(smtp_server, django_capture_on_commit_callbacks):
    event = EventFactory(starts_at=in_hours(23.5), title="Prompts pour la compta")
    registration = _register(django_capture_on_commit_callbacks, event, 1)
    waiting_event = EventFactory(starts_at=in_hours(23.5), seats=1)
    _register(django_capture_on_commit_callbacks, waiting_event, 2)
    waiting = _register(django_capture_on_commit_callbacks, waiting_event, 3)
    for seat_holder in Registration.objects.all():
        _seat_since(seat_holder, 48)  # they registered two days ago
    smtp_server.clear()

    # The worker's periodic job runs twice (an overlap, a restart): one 24 h reminder.
    assert tasks.event_reminders_enqueue.call() >= 1
    tasks.event_reminders_enqueue.call()
    reminders = [m for m in smtp_server if m["To"] == "personne1@example.fr"]
    assert len(reminders) == 1
    assert _subject(reminders[0]) == "Rappel\u00a0: «\u00a0Prompts pour la compta\u00a0» commence demain"
    assert event.join_url in _body(reminders[0])
    # The waiting person gets no reminder; the seat holder of the other event does.
    assert waiting.email not in [m["To"] for m in smtp_server]
    assert "personne2@example.fr" in [m["To"] for m in smtp_server]

    # 40 minutes before: the 1 h reminder, once.
    event.starts_at = in_hours(0.66)
    event.save()
    smtp_server.clear()
    registration_reminders_enqueue_due()
    registration_reminders_enqueue_due()
    assert [(_subject(m), m["To"]) for m in smtp_server] == [
        ("Rappel\u00a0: «\u00a0Prompts pour la compta\u00a0» commence dans 1 heure", "personne1@example.fr")
    ]
    registration.refresh_from_db()
    assert registration.reminder_day_sent_at and registration.reminder_hour_sent_at
    assert tasks.send_registration_reminder.call(registration_id=registration.pk, hours=1) == 0


def test_no_reminder_that_was_already_past_at_registration(smtp_server, django_capture_on_commit_callbacks):
    # Registered 3 hours before: the 24 h reminder was already past, only the 1 h one will go out.
    event = EventFactory(starts_at=in_hours(3))
    registration = _register(django_capture_on_commit_callbacks, event, 1)
    smtp_server.clear()
    assert registration_reminders_enqueue_due() == 0
    assert tasks.send_registration_reminder.call(registration_id=registration.pk, hours=24) == 0
    assert smtp_server == []

    # Two and a half hours later (the clock moved back instead): the 1 h reminder is due.
    event.starts_at = in_hours(0.5)
    event.save()
    _seat_since(registration, 2.5)
    assert registration_reminders_enqueue_due() == 1
    assert [_subject(m) for m in smtp_server] == [
        f"Rappel\u00a0: «\u00a0{event.title}\u00a0» commence dans 1 heure"
    ]


def test_a_cancelled_registration_gets_no_reminder(smtp_server, django_capture_on_commit_callbacks):
    event = EventFactory(starts_at=in_hours(20))
    registration = _register(django_capture_on_commit_callbacks, event, 1)
    _seat_since(registration, 48)
    _cancel(django_capture_on_commit_callbacks, registration)
    smtp_server.clear()
    assert registration_reminders_enqueue_due() == 0
    assert tasks.send_registration_reminder.call(registration_id=registration.pk, hours=24) == 0
    assert smtp_server == []


def test_reminders_are_deferred_when_the_backend_can(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    event = EventFactory(starts_at=in_hours(72))
    registration = register(event, 1)
    backend = default_task_backend
    if not backend.supports_defer:
        pytest.skip("the dummy backend of this django-tasks cannot defer")
    assert tasks.reminders_schedule(registration_id=registration.pk) == 2
    runs = sorted(
        (result.task.run_after, result.kwargs["hours"])
        for result in backend.results
        if result.task.name == "send_registration_reminder"
    )
    assert runs == [
        (event.starts_at - datetime.timedelta(hours=24), 24),
        (event.starts_at - datetime.timedelta(hours=1), 1),
    ]


def test_the_periodic_job_is_declared(settings):
    job = settings.WORKER_PERIODIC_JOBS["events_reminders"]
    assert job == {"TASK": "frenchbot.events.tasks.event_reminders_enqueue", "EVERY": 300}
