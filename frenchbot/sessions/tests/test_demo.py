"""The demo sessions: loaded once, with dates relative to the day, the evidence of a past session and the
indicators of the demo trainings; taken out again by `demo_remove`. And the public information of the demo
trainings, read from their data files with French typography."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from frenchbot.courses.demo import courses_demo_load
from frenchbot.courses.models import Training
from frenchbot.sessions import demo
from frenchbot.sessions.models import (
    Attendance,
    Complaint,
    HalfDay,
    IndicatorSnapshot,
    Registration,
    SurveyResponse,
    TrainingSession,
)
from frenchbot.sessions.selectors import indicators_public

pytestmark = pytest.mark.django_db

COUNTS = (TrainingSession, HalfDay, Registration, Attendance, SurveyResponse, Complaint, IndicatorSnapshot)


def _counts() -> list[int]:
    return [model.objects.count() for model in COUNTS]


@pytest.fixture
def trainings():
    courses_demo_load()
    return Training.objects.get(slug="chatgpt-au-quotidien"), Training.objects.get(slug="ia-dans-votre-pme")


def test_the_demo_loads_once_with_a_past_session_and_the_indicators(trainings, client):
    chatgpt, pme = trainings
    assert demo.sessions_demo_load() == {"sessions": 3, "registrations": 9, "complaints": 1}
    counts = _counts()
    assert demo.demo_report() == ""
    assert _counts() == counts

    today = timezone.localdate()
    past, remote = sorted(
        TrainingSession.objects.filter(training=chatgpt), key=lambda session: session.half_days.first().date
    )
    past_days = sorted({half_day.date for half_day in past.half_days.all()})
    assert 110 <= (today - past_days[0]).days <= 130 and len(past_days) == 2
    assert past.half_days.count() == 4 and not past.half_days.filter(countersigned_at__isnull=True).exists()
    attendances = Attendance.objects.filter(half_day__session=past)
    assert attendances.count() == 24
    assert attendances.filter(status="absent").count() == 1 and attendances.filter(status="late").count() == 1
    assert attendances.filter(signed_at__isnull=False, method="typed").count() == 23
    registrations = past.registrations.all()
    assert all(registration.positioning for registration in registrations)
    assert not registrations.filter(cold_survey_sent_at__isnull=True).exists()
    assert past.survey_responses.filter(kind="hot").count() == 5
    assert past.survey_responses.filter(kind="cold").count() == 3
    complaint = Complaint.objects.get(session=past)
    assert complaint.status == Complaint.Status.CLOSED and complaint.action
    assert complaint.created_at < complaint.answered_at < complaint.action_at < complaint.closed_at

    assert remote.format == "remote" and 18 <= (remote.half_days.first().date - today).days <= 26
    assert remote.registrations.count() == 3 and all(r.positioning for r in remote.registrations.all())
    intra = TrainingSession.objects.get(training=pme)
    assert intra.kind == "intra" and intra.company_name and intra.half_days.first().date > today

    # 6 learners, 5 of them present on every half-day (one was absent once); 5 hot answers.
    indicators = indicators_public(training=chatgpt)
    assert (indicators.computed_on, indicators.learners, indicators.completion_rate) == (today, 6, 83)
    assert (str(indicators.satisfaction), indicators.satisfaction_answers) == ("4.6", 5)
    assert indicators_public(training=pme) is None

    html = client.get(chatgpt.get_absolute_url()).content.decode()
    assert "6 stagiaires, 83\xa0% ont terminé, satisfaction 4,6/5 (5 réponses)" in html
    assert "5 places restantes" in html
    assert (
        "Indicateurs publiés à partir de 5 stagiaires." in client.get(pme.get_absolute_url()).content.decode()
    )


def test_remove_takes_the_demo_sessions_and_their_trainer_out(trainings):
    demo.sessions_demo_load()
    assert "3 sessions de démonstration" in demo.demo_remove()
    assert _counts() == [0] * len(COUNTS)
    assert not get_user_model().objects.filter(username="formateur-demo").exists()
    assert demo.demo_remove() == ""


def test_the_demo_trainings_tell_the_public_what_criterion_1_asks(trainings):
    for training in trainings:
        for field in ("prerequisites", "audience_details", "format_details", "access_delay", "accessibility"):
            assert getattr(training, field), (training.slug, field)
        assert training.assessment_methods
    chatgpt = trainings[0]
    assert "En ligne\xa0: accès immédiat" in chatgpt.access_delay
    assert "70\xa0% de bonnes réponses" in chatgpt.assessment_methods


def test_a_session_starting_on_a_weekend_moves_to_the_monday():
    # 5 December 2026 is a Saturday.
    assert demo._working_days(datetime.date(2026, 12, 5), 2) == [
        datetime.date(2026, 12, 7),
        datetime.date(2026, 12, 8),
    ]
