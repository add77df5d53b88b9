"""After the event: attendance marked by staff, then the replay and the survey e-mailed once, through the real
SMTP server, by the back-office button or by the worker's hourly job."""

import datetime
import re
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from frenchbot.core.worker import periodic_jobs_enqueue_due
from frenchbot.events.errors import EventError
from frenchbot.events.models import Event, Registration
from frenchbot.events.services.followup import event_followup_send, registration_attendance_mark
from frenchbot.leads.models import Lead, LeadEvent, Source
from frenchbot.leads.services import lead_touch

from .followup_rows import event_make, registration_make

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
REPLAY = "https://video.example.com/replay-du-webinaire"


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def _by_address(received) -> dict[str, str]:
    return {message["To"]: _body(message) for message in received}


def _survey_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/evenements/avis/[^\s]+/)", body)
    assert match, body
    return match.group(1)


# --- Attendance ---------------------------------------------------------------------------------------------


def test_attendance_cannot_be_marked_before_the_event_starts():
    registration = registration_make(event_make(starts_in=2 * HOUR))
    with pytest.raises(EventError) as refused:
        registration_attendance_mark(registration=registration, attended=True)
    assert refused.value.code == "not_started"
    assert "une fois l'événement commencé" in refused.value.message
    registration.refresh_from_db()
    assert registration.attended is None


def test_only_a_confirmed_registration_is_marked():
    event = event_make(starts_in=-2 * HOUR)
    waiting = registration_make(event, status=Registration.Status.WAITLISTED)
    with pytest.raises(EventError) as refused:
        registration_attendance_mark(registration=waiting, attended=True)
    assert refused.value.code == "status"


def test_marking_present_puts_one_attended_event_on_the_lead_timeline(django_user_model):
    staff = django_user_model.objects.create_user("equipe", is_staff=True)
    event = event_make(starts_in=-3 * HOUR, title="Ce que l'AI Act change pour une PME")
    lead = lead_touch(
        email="jeanne@example.com", source=Source.EVENT, event=LeadEvent.Kind.EVENT_REGISTERED, name="Jeanne"
    )
    registration = registration_make(event, email="jeanne@example.com", lead=lead)
    registration_attendance_mark(registration=registration, attended=True, by=staff)
    # Marked again, or absent then present again: the timeline says it once.
    registration_attendance_mark(registration=registration, attended=True, by=staff)
    attended = LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.EVENT_ATTENDED)
    assert attended.count() == 1
    assert "Ce que l'AI Act change pour une PME" in attended.get().summary
    registration.refresh_from_db()
    assert registration.attended is True
    registration_attendance_mark(registration=registration, attended=False)
    registration.refresh_from_db()
    assert registration.attended is False
    assert attended.count() == 1


def test_present_absent_then_present_again_is_one_line_on_the_timeline():
    registration = registration_make(event_make(starts_in=-3 * HOUR), email="zoe@example.com")
    for attended in (True, False, True, False, True):
        registration_attendance_mark(registration=registration, attended=attended)
    registration.refresh_from_db()
    assert registration.attended is True
    assert (
        LeadEvent.objects.filter(lead__email="zoe@example.com", kind=LeadEvent.Kind.EVENT_ATTENDED).count()
        == 1
    )


def test_a_registration_without_a_lead_becomes_one_when_marked_present():
    registration = registration_make(event_make(starts_in=-3 * HOUR), email="Paul@Example.com", name="Paul")
    registration_attendance_mark(registration=registration, attended=True)
    registration.refresh_from_db()
    lead = Lead.objects.get(email="paul@example.com")
    assert registration.lead == lead and lead.name == "Paul"
    assert lead.events.filter(kind=LeadEvent.Kind.EVENT_ATTENDED).exists()


def test_marking_absent_records_nothing_on_the_timeline():
    registration = registration_make(event_make(starts_in=-3 * HOUR))
    registration_attendance_mark(registration=registration, attended=False)
    assert not LeadEvent.objects.filter(kind=LeadEvent.Kind.EVENT_ATTENDED).exists()


# --- The follow-up e-mails -----------------------------------------------------------------------------------


def _event_with_people(**fields):
    event = event_make(starts_in=-3 * HOUR, replay_url=REPLAY, title="ChatGPT au bureau", **fields)
    people = {
        "present1": registration_make(event, email="present1@example.com", attended=True),
        "present2": registration_make(event, email="present2@example.com", attended=True),
        "absent": registration_make(event, email="absent@example.com", attended=False),
        "unmarked": registration_make(event, email="unmarked@example.com"),
        "cancelled": registration_make(
            event, email="cancelled@example.com", status=Registration.Status.CANCELLED
        ),
        "waiting": registration_make(
            event, email="waiting@example.com", status=Registration.Status.WAITLISTED
        ),
    }
    return event, people


def test_the_follow_up_goes_once_replay_and_survey_to_attendees_replay_only_to_the_others(
    smtp_server, django_capture_on_commit_callbacks
):
    event, _people = _event_with_people()
    with django_capture_on_commit_callbacks(execute=True):
        queued = event_followup_send(event=event)
    assert queued == 4
    bodies = _by_address(smtp_server)
    assert set(bodies) == {
        "present1@example.com",
        "present2@example.com",
        "absent@example.com",
        "unmarked@example.com",
    }
    for address in ("present1@example.com", "present2@example.com"):
        assert REPLAY in bodies[address]
        assert "/evenements/avis/" in bodies[address]
        assert "Merci d'avoir participé" in bodies[address]
    for address in ("absent@example.com", "unmarked@example.com"):
        assert REPLAY in bodies[address]
        assert "/evenements/avis/" not in bodies[address]
    subjects = {_subject(message) for message in smtp_server}
    assert "Merci d'avoir participé\u00a0: ChatGPT au bureau" in subjects
    assert "Le replay est en ligne\u00a0: ChatGPT au bureau" in subjects
    # Each attendee's survey link is their own.
    assert _survey_path(bodies["present1@example.com"]) != _survey_path(bodies["present2@example.com"])
    # The button pressed again, or the worker's job after it: nothing goes twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert event_followup_send(event=event) == 0
        assert event_followup_send(event=Event.objects.get(pk=event.pk)) == 0
    assert len(smtp_server) == 4
    event.refresh_from_db()
    assert event.followup_sent_at is not None


def test_without_a_replay_only_the_attendees_are_written_to(smtp_server, django_capture_on_commit_callbacks):
    event = event_make(starts_in=-3 * HOUR)
    registration_make(event, email="present@example.com", attended=True)
    registration_make(event, email="absent@example.com", attended=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert event_followup_send(event=event) == 1
    assert [message["To"] for message in smtp_server] == ["present@example.com"]
    body = _body(smtp_server[0])
    assert "/evenements/avis/" in body and "replay" not in body.lower()


def test_the_follow_up_waits_for_the_end_of_the_event(smtp_server, django_capture_on_commit_callbacks):
    event = event_make(starts_in=-10 * datetime.timedelta(minutes=1), duration_minutes=60)
    registration_make(event, attended=True)
    with pytest.raises(EventError) as refused, django_capture_on_commit_callbacks(execute=True):
        event_followup_send(event=event)
    assert refused.value.code == "not_ended"
    assert smtp_server == []
    event.refresh_from_db()
    assert event.followup_sent_at is None


def test_the_follow_up_waits_for_the_attendance(smtp_server, django_capture_on_commit_callbacks):
    # Sent before anyone is marked, it would go once as the replay alone: the attendees would never get the survey.
    event = event_make(starts_in=-3 * HOUR, replay_url=REPLAY)
    registration = registration_make(event)
    registration_make(event, status=Registration.Status.CANCELLED, attended=None)
    with pytest.raises(EventError) as refused, django_capture_on_commit_callbacks(execute=True):
        event_followup_send(event=event)
    assert refused.value.code == "not_marked" and "Notez d'abord qui était présent" in refused.value.message
    assert smtp_server == []
    event.refresh_from_db()
    assert event.followup_sent_at is None
    # Once marked, it goes.
    registration_attendance_mark(registration=registration, attended=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert event_followup_send(event=event) == 1
    assert len(smtp_server) == 1 and "/evenements/avis/" in _body(smtp_server[0])


def test_a_registration_cancelled_after_queueing_gets_nothing(
    smtp_server, django_capture_on_commit_callbacks
):
    from frenchbot.events.tasks import send_event_followup

    event = event_make(starts_in=-3 * HOUR, replay_url=REPLAY)
    registration = registration_make(event, attended=True)
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CANCELLED, seat=None)
    send_event_followup.enqueue(registration_id=registration.pk, kind="attended")
    assert smtp_server == []


# --- The worker's hourly job ----------------------------------------------------------------------------------


def test_the_hourly_job_follows_up_events_over_whose_attendance_is_marked(
    smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.EVENTS_FOLLOWUP_DELAY_HOURS = 2
    assert settings.WORKER_PERIODIC_JOBS["events_followup"]["EVERY"] == 3600
    settings.WORKER_PERIODIC_JOBS = {"events_followup": settings.WORKER_PERIODIC_JOBS["events_followup"]}
    # Over for 3 hours, attendance marked: due.
    due = event_make(starts_in=-4 * HOUR, replay_url=REPLAY)
    registration_make(due, email="due@example.com", attended=True)
    # Over for 30 minutes only: too soon.
    recent = event_make(starts_in=-90 * datetime.timedelta(minutes=1))
    registration_make(recent, email="recent@example.com", attended=True)
    # Over for a day, nobody marked yet: the team has not done the attendance.
    unmarked = event_make(starts_in=-25 * HOUR, replay_url=REPLAY)
    registration_make(unmarked, email="unmarked@example.com")
    # Already followed up by the button.
    done = event_make(starts_in=-5 * HOUR, followup_sent_at=timezone.now() - HOUR)
    registration_make(done, email="done@example.com", attended=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert periodic_jobs_enqueue_due() == ["events_followup"]
    assert [message["To"] for message in smtp_server] == ["due@example.com"]
    assert "/evenements/avis/" in _body(smtp_server[0])
    # The next hour: the same event is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        periodic_jobs_enqueue_due(now=timezone.now() + 2 * HOUR)
    assert [message["To"] for message in smtp_server] == ["due@example.com"]
