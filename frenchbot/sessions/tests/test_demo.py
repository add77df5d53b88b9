"""The demo sessions: loaded once, with dates relative to the day, the evidence of the past sessions (and their
learners' online training and final quiz) and the indicators of the demo trainings; taken out again by
`demo_remove`. And the public information of the demo trainings, read from their data files with French
typography."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from frenchbot.courses.demo import courses_demo_load
from frenchbot.courses.models import Certificate, Enrolment, QuizAttempt, Training
from frenchbot.sessions import demo
from frenchbot.sessions.models import (
    Attendance,
    Complaint,
    Convention,
    HalfDay,
    IndicatorSnapshot,
    Registration,
    SurveyResponse,
    TrainingSession,
)
from frenchbot.sessions.selectors import indicators_public

pytestmark = pytest.mark.django_db

COUNTS = (
    TrainingSession,
    HalfDay,
    Registration,
    Attendance,
    SurveyResponse,
    Complaint,
    Convention,
    IndicatorSnapshot,
    Enrolment,
    QuizAttempt,
)

SHOWN = "83\xa0% ont terminé, {success}\xa0% de réussite au quiz final, satisfaction {satisfaction}/5 (5 réponses)"


def _counts() -> list[int]:
    return [model.objects.count() for model in COUNTS] + [get_user_model().objects.count()]


@pytest.fixture
def trainings():
    courses_demo_load()
    return Training.objects.get(slug="chatgpt-au-quotidien"), Training.objects.get(slug="ia-dans-votre-pme")


def test_the_demo_loads_once_with_a_past_session_and_the_indicators(trainings, client):
    chatgpt, pme = trainings
    created = {
        "sessions": 4,
        "past": 2,
        "registrations": 15,
        "conventions": 1,
        "accounts": 12,
        "complaints": 1,
    }
    assert demo.sessions_demo_load() == created
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
    intra_past, intra = sorted(
        TrainingSession.objects.filter(training=pme), key=lambda session: session.half_days.first().date
    )
    assert intra.kind == "intra" and intra.company_name and intra.half_days.first().date > today
    assert not intra.registrations.exists() and not intra.conventions.exists()

    # The past intra session: one day, under its company's convention signed before it.
    assert intra_past.kind == "intra" and intra_past.format == "in_person"
    assert 55 <= (today - intra_past.half_days.first().date).days <= 65 and intra_past.half_days.count() == 2
    assert not intra_past.half_days.filter(countersigned_at__isnull=True).exists()
    convention = Convention.objects.get()
    assert convention.session == intra_past and convention.company_name == intra_past.company_name
    assert (
        convention.created_at
        < convention.signed_at
        < intra_past.half_days.order_by("date", "starts_at")[0].start
    )
    assert convention.signer_name and convention.seats == 6 and len(convention.snapshot["half_days"]) == 2
    assert list(intra_past.registrations.values_list("convention", flat=True)) == [convention.pk] * 6
    assert Attendance.objects.filter(half_day__session=intra_past, method="typed").count() == 11
    assert intra_past.survey_responses.filter(kind="hot").count() == 5

    # Each learner of a past session has a demo account, enrolled online, with attempts at the final quiz.
    learners = Registration.objects.filter(session__in=[past, intra_past])
    assert learners.count() == 12 and not learners.filter(user__isnull=True).exists()
    for registration in learners.select_related("user"):
        assert registration.user.email == registration.email
        assert not registration.user.has_usable_password()
    enrolments = Enrolment.objects.filter(user__session_registrations__in=learners)
    assert enrolments.count() == 12 and set(enrolments.values_list("source", flat=True)) == {"staff"}
    # Completed: present on at least 80 % of the half-days (one in each session was absent once).
    assert enrolments.filter(completed_at__isnull=False).count() == 10
    attempts = QuizAttempt.objects.select_related("quiz__module")
    assert {attempt.quiz.module.training_id for attempt in attempts} == {chatgpt.pk, pme.pk}
    assert attempts.filter(number=2).count() == 3 and not attempts.filter(number__gt=2).exists()
    assert enrolments.exclude(quiz_attempts__passed=True).count() == 1
    # Taken online in the days after the session, before today.
    for training, session in ((chatgpt, past), (pme, intra_past)):
        moments = [
            attempt.created_at for attempt in attempts if attempt.quiz.module.training_id == training.pk
        ]
        assert (
            len(moments) >= 6 and session.half_days.last().end < min(moments) <= max(moments) < timezone.now()
        )
    assert not Certificate.objects.exists()

    # Both trainings show every indicator: each counts its 6 learners once (in the session and online), 5 of
    # them attended enough, one learner of « ChatGPT au quotidien » failed its final quiz.
    for training, line in (
        (chatgpt, "6 stagiaires, " + SHOWN.format(success=83, satisfaction="4,6")),
        (pme, "6 stagiaires, " + SHOWN.format(success=100, satisfaction="4,4")),
    ):
        indicators = indicators_public(training=training)
        assert indicators.computed_on == today and indicators.learners == 6
        assert None not in (indicators.completion_rate, indicators.success_rate, indicators.satisfaction)
        assert line in client.get(training.get_absolute_url()).content.decode()
    assert "5 places restantes" in client.get(chatgpt.get_absolute_url()).content.decode()


def test_remove_takes_the_demo_sessions_their_learners_and_their_trainer_out(trainings):
    demo.sessions_demo_load()
    assert (
        "4 sessions de démonstration, 12 comptes de stagiaires fictifs et leur formateur"
        in demo.demo_remove()
    )
    assert _counts() == [0] * (len(COUNTS) + 1)
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
