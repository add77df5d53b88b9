"""What the learner's pages cost and what the fragments kept per content version may show.

The lesson and progress pages read a fixed number of queries whatever the size of the training and the
learner's history; the parts kept in memory (a lesson's body, a programme, the catalogue) never carry one
learner's progress to another, and a change made by the team shows on the next request.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frenchbot.courses.models import (
    Certificate,
    ExerciseSubmission,
    Lesson,
    LessonCompletion,
    QuizAttempt,
    Training,
)

from .factories import (
    EnrolmentFactory,
    LearnerFactory,
    LessonFactory,
    ModuleFactory,
    PromptExerciseFactory,
    QuizFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db

# Session, user, enrolment with its steps done: what the lesson page reads when its public parts (the lesson
# itself among them, from the kept outline) are kept.
LESSON_QUERIES_KEPT = 3
# Session, user, enrolment with its certificate and steps done (the training kept with the outline).
PROGRESS_QUERIES_KEPT = 3


@pytest.fixture
def fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _training(*, modules: int, lessons: int, title: str = "Formation") -> tuple[Training, list[Lesson]]:
    """A training of `modules` modules of `lessons` lessons, a quiz and an exercise each."""
    training = TrainingFactory(title=title)
    all_lessons = []
    for m in range(modules):
        module = ModuleFactory(training=training, order=m, title=f"Module {m}")
        for n in range(lessons):
            all_lessons.append(
                LessonFactory(module=module, order=n, title=f"Leçon {m}.{n}", slug=f"lecon-{n}")
            )
        QuizFactory(module=module, order=90)
        PromptExerciseFactory(module=module, order=95)
    return training, all_lessons


def _small():
    """One lesson, one learner following only this training, with nothing done."""
    training, lessons = _training(modules=1, lessons=1)
    learner = LearnerFactory()
    EnrolmentFactory(user=learner, training=training)
    return learner, training, lessons[0]


def _large():
    """Eight modules of eight lessons; a learner following three trainings with much of this one done."""
    training, lessons = _training(modules=8, lessons=8)
    learner = LearnerFactory()
    enrolment = EnrolmentFactory(user=learner, training=training)
    for other in range(2):
        other_training, other_lessons = _training(modules=2, lessons=3, title=f"Autre {other}")
        other_enrolment = EnrolmentFactory(user=learner, training=other_training)
        LessonCompletion.objects.bulk_create(
            LessonCompletion(enrolment=other_enrolment, lesson=lesson) for lesson in other_lessons
        )
    LessonCompletion.objects.bulk_create(
        LessonCompletion(enrolment=enrolment, lesson=lesson) for lesson in lessons[:40]
    )
    for module in training.modules.all():
        quiz = module.quizzes.get()
        QuizAttempt.objects.create(enrolment=enrolment, quiz=quiz, number=1, score=40, passed=False)
        QuizAttempt.objects.create(enrolment=enrolment, quiz=quiz, number=2, score=90, passed=True)
        ExerciseSubmission.objects.create(
            enrolment=enrolment, exercise=module.exercises.get(), prompt="Tu es un expert.", passed=True
        )
    # Other learners' rows in the same tables.
    for _ in range(3):
        EnrolmentFactory(training=training)
    return learner, training, lessons[41]


def _queries(client: Client, url: str, marker: str) -> int:
    client.get(url)  # the first visit records the lesson as the last one opened: one write, once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert marker in response.content.decode()
    return len(queries)


def _lesson_and_progress_queries(setup) -> tuple[int, int]:
    learner, training, lesson = setup()
    client = _client(learner)
    return (
        _queries(client, lesson.get_absolute_url(), "Marquer comme terminée"),
        _queries(client, reverse("courses:progress", args=[training.slug]), "Votre progression"),
    )


def test_the_lesson_and_progress_pages_read_as_many_queries_for_one_lesson_as_for_a_large_training():
    assert _lesson_and_progress_queries(_large) == _lesson_and_progress_queries(_small)


def test_with_fragments_kept_the_pages_read_only_the_learners_own_rows(fragments_on):
    small = _lesson_and_progress_queries(_small)
    large = _lesson_and_progress_queries(_large)
    assert small == large == (LESSON_QUERIES_KEPT, PROGRESS_QUERIES_KEPT)


def test_the_dashboard_reads_as_many_queries_for_one_training_as_for_three(fragments_on):
    small_learner, _, _ = _small()
    large_learner, _, _ = _large()
    url = reverse("courses:dashboard")
    small = _queries(_client(small_learner), url, "Reprendre")
    large = _queries(_client(large_learner), url, "Reprendre")
    assert small == large


# ---------------------------------------------------------------------------------------------------------------
# Fragments: never one learner's state for another, a change shown at once


@pytest.fixture
def course():
    training = TrainingFactory(title="Écrire de bons prompts", slug="bons-prompts")
    module = ModuleFactory(training=training, title="Les bases", order=1)
    first = LessonFactory(
        module=module, order=1, title="Pourquoi un prompt", slug="pourquoi", body="Le début."
    )
    second = LessonFactory(module=module, order=2, title="Le rôle", slug="role", body="Un rôle précis.")
    return {"training": training, "lessons": [first, second]}


def test_a_learner_never_sees_another_learners_progress(fragments_on, course):
    training, (first, second) = course["training"], course["lessons"]
    done = EnrolmentFactory(training=training)
    LessonCompletion.objects.create(enrolment=done, lesson=first)
    LessonCompletion.objects.create(enrolment=done, lesson=second)
    Certificate.objects.create(
        enrolment=done,
        learner_name="Claire Martin",
        training_title=training.title,
        hours=7,
        issued_on="2026-01-05",
    )
    newcomer = EnrolmentFactory(training=training)
    pages = [
        first.get_absolute_url(),
        reverse("courses:progress", args=[training.slug]),
        training.get_absolute_url(),
        reverse("courses:catalogue"),
    ]
    seasoned_client, newcomer_client = _client(done.user), _client(newcomer.user)

    seasoned = [seasoned_client.get(url).content.decode() for url in pages]
    fresh = [newcomer_client.get(url).content.decode() for url in pages]
    anonymous = Client().get(training.get_absolute_url()).content.decode()

    assert "Vous avez terminé cette leçon." in seasoned[0]
    assert "Vous avez terminé cette leçon." not in fresh[0]
    assert "Marquer comme terminée" in fresh[0]
    assert "100\u00a0% terminé" in seasoned[1] and "Voir votre certificat" in seasoned[1]
    assert "0\u00a0% terminé" in fresh[1] and "Voir votre certificat" not in fresh[1]
    assert "2 étapes sur 2" in seasoned[2] and "0 étape sur 2" in fresh[2]
    assert "Votre progression" not in anonymous and "Valider mon code" in anonymous
    assert "Vous suivez cette formation" in fresh[3]
    assert "Vous suivez cette formation" not in Client().get(pages[3]).content.decode()
    assert "Vous suivez cette formation" not in _client(LearnerFactory()).get(pages[3]).content.decode()


def test_a_lesson_edited_in_the_admin_shows_at_once(fragments_on, course, django_capture_on_commit_callbacks):
    lesson = course["lessons"][0]
    learner = EnrolmentFactory(training=course["training"]).user
    learner_client = _client(learner)
    assert "Le début." in learner_client.get(lesson.get_absolute_url()).content.decode()
    assert "Pourquoi un prompt" in Client().get(course["training"].get_absolute_url()).content.decode()

    staff = get_user_model().objects.create_superuser(
        "equipe", "equipe@thefrenchbot.fr", "motdepasse-solide-42"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(staff).post(
            reverse("admin:courses_lesson_change", args=[lesson.pk]),
            {
                "module": lesson.module_id,
                "title": "Pourquoi un bon prompt",
                "slug": lesson.slug,
                "order": 1,
                "minutes": 10,
                "body": "Le texte **réécrit** par l'équipe.",
                "video_url": "",
                "is_required": "on",
                "is_published": "on",
                "images-TOTAL_FORMS": 0,
                "images-INITIAL_FORMS": 0,
                "resources-TOTAL_FORMS": 0,
                "resources-INITIAL_FORMS": 0,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]

    page = learner_client.get(lesson.get_absolute_url()).content.decode()
    assert "Le texte <strong>réécrit</strong> par l'équipe." in page and "Le début." not in page
    programme = Client().get(course["training"].get_absolute_url()).content.decode()
    assert "Pourquoi un bon prompt" in programme


def test_a_lesson_published_or_hidden_shows_in_the_programme_at_once(
    fragments_on, course, django_capture_on_commit_callbacks
):
    training = course["training"]
    enrolment = EnrolmentFactory(training=training)
    learner_client = _client(enrolment.user)
    progress_url = reverse("courses:progress", args=[training.slug])
    assert "0 étape sur 2" in learner_client.get(progress_url).content.decode()
    assert "Le format" not in Client().get(training.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        LessonFactory(module=course["lessons"][0].module, order=3, title="Le format", slug="format")
    assert "0 étape sur 3" in learner_client.get(progress_url).content.decode()
    assert "Le format" in Client().get(training.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        Lesson.objects.get(slug="format").delete()
    assert "0 étape sur 2" in learner_client.get(progress_url).content.decode()
    assert "Le format" not in Client().get(training.get_absolute_url()).content.decode()


def test_a_training_published_from_the_admins_list_shows_in_the_catalogue_at_once(
    fragments_on, django_capture_on_commit_callbacks
):
    draft = TrainingFactory(title="Automatiser votre boîte mail", is_published=False, order=1)
    assert "Automatiser votre boîte mail" not in Client().get(reverse("courses:catalogue")).content.decode()

    staff = get_user_model().objects.create_superuser(
        "equipe", "equipe@thefrenchbot.fr", "motdepasse-solide-42"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(staff).post(
            reverse("admin:courses_training_changelist"),
            {
                "form-TOTAL_FORMS": 1,
                "form-INITIAL_FORMS": 1,
                "form-0-id": draft.pk,
                "form-0-order": 1,
                "form-0-is_published": "on",
                "_save": "Enregistrer",
            },
        )
    assert response.status_code == 302
    assert "Automatiser votre boîte mail" in Client().get(reverse("courses:catalogue")).content.decode()
