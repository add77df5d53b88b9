"""The goals of trainings: « enrolled » when an enrolment is created (by the learner's code or seat in their
request; the team's and a payment's without a visitor), « certificate_issued » when the certificate is issued."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from frenchbot.analytics.goals import subject_key
from frenchbot.analytics.models import Goal
from frenchbot.courses.models import Certificate, Enrolment
from frenchbot.courses.services.enrolment import enrolment_create

from .factories import AccessCodeFactory, LearnerFactory, LessonFactory, ModuleFactory, TrainingFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _browser_of(user) -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.force_login(user)
    return client


@pytest.fixture
def lesson():
    """A training of a single lesson: completing it earns the certificate."""
    training = TrainingFactory(title="Écrire de bons prompts", slug="bons-prompts")
    return LessonFactory(
        module=ModuleFactory(training=training, order=1), order=1, slug="role", title="Le rôle"
    )


def test_a_code_used_by_the_learner_is_one_enrolled_goal(lesson, django_capture_on_commit_callbacks):
    AccessCodeFactory(training=lesson.module.training, code="PROMPTS234")
    learner = LearnerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = _browser_of(learner).post(reverse("courses:enrol_code"), {"code": "prompts-234"})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(user=learner)
    [goal] = Goal.objects.filter(name="enrolled")
    assert goal.subject == subject_key(enrolment)
    assert goal.visitor is not None


def test_a_refused_code_records_nothing(lesson, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _browser_of(LearnerFactory()).post(reverse("courses:enrol_code"), {"code": "MAUVAIS-CODE"})
    assert response.status_code == 422
    assert not Enrolment.objects.exists()
    assert not Goal.objects.exists()


def test_a_staff_member_trying_a_code_is_not_counted(lesson, django_capture_on_commit_callbacks):
    AccessCodeFactory(training=lesson.module.training, code="PROMPTS234")
    staff = get_user_model().objects.create_user("equipe", "equipe@exemple.fr", "x", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            _browser_of(staff).post(reverse("courses:enrol_code"), {"code": "PROMPTS234"}).status_code == 302
        )
    assert Enrolment.objects.filter(user=staff).exists()
    assert not Goal.objects.exists()


def test_the_team_enrolling_someone_counts_once_without_a_visitor(lesson, django_capture_on_commit_callbacks):
    learner = LearnerFactory()
    training = lesson.module.training
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrolment_create(user=learner, training=training, source=Enrolment.Source.STAFF)
        # Idempotent: enrolling again is not a new enrolment.
        enrolment_create(user=learner, training=training, source=Enrolment.Source.STAFF)
    [goal] = Goal.objects.filter(name="enrolled")
    assert (goal.subject, goal.visitor) == (subject_key(enrolment), None)


def test_the_last_step_done_issues_the_certificate_goal(lesson, django_capture_on_commit_callbacks):
    learner = LearnerFactory()
    enrolment = enrolment_create(user=learner, training=lesson.module.training, source=Enrolment.Source.STAFF)
    url = reverse("courses:lesson_complete", args=["bons-prompts", lesson.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = _browser_of(learner).post(url)
        _browser_of(learner).post(url)  # done again: still one certificate
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    [goal] = Goal.objects.filter(name="certificate_issued")
    assert (goal.subject, goal.follows) == (subject_key(certificate), subject_key(enrolment))
    assert goal.visitor is not None


def test_nothing_is_issued_while_steps_remain(lesson, django_capture_on_commit_callbacks):
    LessonFactory(module=lesson.module, order=2, slug="format", title="Le format")
    learner = LearnerFactory()
    enrolment_create(user=learner, training=lesson.module.training, source=Enrolment.Source.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        _browser_of(learner).post(reverse("courses:lesson_complete", args=["bons-prompts", lesson.pk]))
    assert not Certificate.objects.exists()
    assert not Goal.objects.filter(name="certificate_issued").exists()
