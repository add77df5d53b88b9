"""Satisfaction: the hot survey at the end, once; the cold one sent by the worker three months later, once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from frenchbot.sessions import tasks
from frenchbot.sessions.models import SurveyResponse

from .factories import AttendanceFactory, HalfDayFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def _session_ended(days_ago: int):
    session = TrainingSessionFactory()
    HalfDayFactory(session=session, date=timezone.localdate() - datetime.timedelta(days=days_ago))
    return session


def test_hot_survey_opens_at_the_end_and_takes_one_answer(client):
    upcoming = RegistrationFactory(session=HalfDayFactory().session)
    page = client.get(reverse("sessions:survey", args=[upcoming.token, "chaud"])).content.decode()
    assert "s’ouvre à la fin de la session" in page.replace("'", "’")

    registration = RegistrationFactory(session=_session_ended(1))
    url = reverse("sessions:survey", args=[registration.token, "chaud"])
    refused = client.post(url, {"rating": "9", "objectives_met": "4", "comment": "Très concret"})
    assert refused.status_code == 400 and "Très concret" in refused.content.decode()
    answer = {"rating": "5", "objectives_met": "4", "would_recommend": "1", "comment": "Très concret"}
    assert "Merci" in client.post(url, answer).content.decode()
    again = client.post(url, {**answer, "rating": "1"}).content.decode()
    assert "déjà répondu" in again
    (response,) = SurveyResponse.objects.all()
    assert (response.kind, response.rating, response.would_recommend) == ("hot", 5, True)


def test_cold_survey_sent_by_the_worker_three_months_after(client, settings):
    settings.SESSIONS_COLD_SURVEY_DAYS = 90
    attended = RegistrationFactory(session=_session_ended(91))
    AttendanceFactory(registration=attended, half_day=attended.session.half_days.get())
    absent = RegistrationFactory(session=attended.session)  # never came: no cold survey
    recent = RegistrationFactory(session=_session_ended(30))
    AttendanceFactory(registration=recent, half_day=recent.session.half_days.get())

    assert tasks.cold_surveys_send_due.call() == 1
    (message,) = mail.outbox
    assert message.to == [attended.email]
    survey_url = reverse("sessions:survey", args=[attended.token, "froid"])
    assert survey_url in message.body
    assert tasks.cold_surveys_send_due.call() == 0  # once only
    assert absent.email not in {m.to[0] for m in mail.outbox}

    answer = {"rating": "4", "objectives_met": "4", "applied": "5", "would_recommend": "1"}
    assert "Merci" in client.post(survey_url, answer).content.decode()
    assert SurveyResponse.objects.get(kind="cold").applied == 5
