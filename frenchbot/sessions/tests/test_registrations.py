"""Registering to a session: the form with its positioning questionnaire, the convocation with the invitation,
the reminder, the refusals (full, twice, started) that keep what was typed."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from frenchbot.core.formguard import form_timestamp
from frenchbot.leads.models import Lead
from frenchbot.sessions import tasks
from frenchbot.sessions.errors import SessionError
from frenchbot.sessions.models import Registration
from frenchbot.sessions.services.registrations import positioning_submit, registration_create

from .factories import HalfDayFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "usage": "tried",
    "expectations": "Rédiger mes comptes rendus plus vite",
    "tasks": "",
    "adaptations": "",
}


@pytest.fixture
def session():
    session = TrainingSessionFactory(training__is_published=True, seats=2)
    day = timezone.localdate() + datetime.timedelta(days=10)
    HalfDayFactory(session=session, date=day, period="am")
    HalfDayFactory(
        session=session,
        date=day + datetime.timedelta(days=1),
        period="pm",
        starts_at=datetime.time(14),
        ends_at=datetime.time(17, 30),
    )
    return session


def _post(client, session, **overrides):
    data = {
        "name": "Nadia Benali",
        "email": "nadia@exemple.fr",
        "company": "Atelier Benali",
        "consent": "on",
        "ts": form_timestamp(),
        **ANSWERS,
        **overrides,
    }
    return client.post(reverse("sessions:register", args=[session.pk]), data)


def test_registration_records_answers_sends_convocation_with_each_day(
    client, session, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, session)
    registration = Registration.objects.get(email="nadia@exemple.fr")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("sessions:learner", args=[registration.token])
    )
    assert registration.positioning["Qu'attendez-vous de cette formation\u00a0?"] == ANSWERS["expectations"]
    assert Lead.objects.get(email="nadia@exemple.fr").events.filter(kind="session_registered").exists()

    (message,) = mail.outbox
    assert message.subject.startswith("Convocation")
    assert registration.token in message.body and session.place in message.body
    calendar_part = next(
        part for part in message.message().walk() if part.get_content_type() == "text/calendar"
    )
    events = Calendar.from_ical(calendar_part.get_payload(decode=True)).walk("VEVENT")
    assert len(events) == 2  # one per day of the session
    registration.refresh_from_db()
    assert registration.convocation_sent_at is not None

    form_page = client.get(reverse("sessions:register", args=[session.pk])).content.decode()
    assert 'name="ts" value="' in form_page  # the time stamp the next post is checked against

    page = client.get(response["Location"])
    assert "Rédiger mes comptes rendus plus vite" in page.content.decode()


def test_refusals_keep_what_was_typed(client, session, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    response = _post(client, session, expectations="", consent="")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Répondez à cette question" in body and "Cochez la case de consentement" in body
    assert 'value="Nadia Benali"' in body and 'value="Atelier Benali"' in body
    assert not Registration.objects.exists()

    RegistrationFactory(session=session, email="nadia@exemple.fr")
    response = _post(client, session)
    assert response.status_code == 409 and "déjà inscrit(e) à cette session" in response.content.decode()

    RegistrationFactory(session=session)
    with pytest.raises(SessionError) as error:
        registration_create(
            session=session,
            name="Léo",
            email="leo@exemple.fr",
            positioning=ANSWERS,
            consent=True,
            consent_text="x",
        )
    assert error.value.code == "full"


def test_no_registration_once_started(session):
    with pytest.raises(SessionError) as error:
        registration_create(
            session=session,
            name="Léo",
            email="leo@exemple.fr",
            positioning=ANSWERS,
            consent=True,
            consent_text="x",
            now=timezone.now() + datetime.timedelta(days=30),
        )
    assert error.value.code == "past"


def test_positioning_answered_once(session):
    registration = RegistrationFactory(session=session)
    positioning_submit(registration=registration, answers=ANSWERS)
    with pytest.raises(SessionError) as error:
        positioning_submit(registration=registration, answers={**ANSWERS, "expectations": "Autre chose"})
    assert error.value.code == "answered"
    registration.refresh_from_db()
    assert "Rédiger mes comptes rendus plus vite" in registration.positioning.values()


def test_reminder_goes_once_within_the_window(session, settings):
    registration = RegistrationFactory(session=session)
    settings.SESSIONS_REMINDER_HOURS = 24 * 5
    assert tasks.reminders_send_due.call() == 0  # ten days ahead: not yet
    settings.SESSIONS_REMINDER_HOURS = 24 * 11
    assert tasks.reminders_send_due.call() == 1
    assert tasks.reminders_send_due.call() == 0
    (message,) = mail.outbox
    assert message.to == [registration.email] and "commence bientôt" in message.subject
    assert "questionnaire de positionnement" in message.body  # not answered yet


def test_a_signed_in_learner_finds_the_session_in_mes_formations(
    client, session, django_user_model, settings
):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    user = django_user_model.objects.create_user("nadia", "nadia@exemple.fr", "mot-de-passe-long-42")
    client.force_login(user)
    assert _post(client, session).status_code == 302
    assert Registration.objects.get().user == user

    page = client.get(reverse("courses:dashboard")).content.decode()
    assert "Mes sessions avec un formateur" in page
    assert reverse("sessions:learner", args=[Registration.objects.get().token]) in page
