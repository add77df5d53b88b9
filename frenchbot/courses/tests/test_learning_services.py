"""Enrolment (by access code, idempotent, race-safe), a learner's progress writes, and who may read what."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from frenchbot.assistant.services import visibilities_for
from frenchbot.courses import access
from frenchbot.courses.errors import CourseError
from frenchbot.courses.models import Certificate, Enrolment, LessonCompletion, LessonImage
from frenchbot.courses.selectors.trainings import lesson_body_html
from frenchbot.courses.services import enrolment as enrolment_services
from frenchbot.courses.services import progress as progress_services

from .factories import (
    AccessCodeFactory,
    EnrolmentFactory,
    LearnerFactory,
    LessonFactory,
    ModuleFactory,
    TrainingFactory,
)

NBSP = "\u00a0"


def _refusal(user, code) -> CourseError:
    with pytest.raises(CourseError) as caught:
        enrolment_services.enrolment_by_code(user=user, code=code)
    assert caught.value.field == "code"
    return caught.value


# ---------------------------------------------------------------------------------------------------------------
# Enrolment by code


@pytest.mark.django_db
def test_a_valid_code_enrols_and_spends_one_use_whatever_its_spelling():
    access_code = AccessCodeFactory(code="ABCD23EFGH", max_uses=2)
    learner = LearnerFactory()

    enrolment = enrolment_services.enrolment_by_code(user=learner, code="  abcd-23ef gh ")

    assert enrolment.user == learner and enrolment.training == access_code.training
    assert enrolment.is_active and enrolment.source == Enrolment.Source.CODE
    assert enrolment.access_code == access_code
    access_code.refresh_from_db()
    assert access_code.uses == 1


@pytest.mark.django_db
def test_a_code_typed_by_the_team_with_dashes_is_found_without_them():
    access_code = AccessCodeFactory(code="ATELIER-LYON")
    enrolment = enrolment_services.enrolment_by_code(user=LearnerFactory(), code="atelierlyon")
    assert enrolment.training == access_code.training


@pytest.mark.django_db
def test_an_unknown_code_is_refused_in_french():
    AccessCodeFactory(code="ABCD23EFGH")
    error = _refusal(LearnerFactory(), "ZZZZ99ZZZZ")
    assert error.code == "unknown"
    assert error.message.startswith("Ce code d'accès est inconnu.")
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_an_empty_code_is_refused():
    assert _refusal(LearnerFactory(), " - ").code == "empty"


@pytest.mark.django_db
def test_an_expired_code_is_refused_and_not_spent():
    access_code = AccessCodeFactory(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    error = _refusal(LearnerFactory(), access_code.code)
    assert error.code == "expired"
    assert f"a expiré. Écrivez-nous{NBSP}:" in error.message
    access_code.refresh_from_db()
    assert access_code.uses == 0
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_a_used_up_code_is_refused():
    access_code = AccessCodeFactory(max_uses=1)
    enrolment_services.enrolment_by_code(user=LearnerFactory(), code=access_code.code)
    error = _refusal(LearnerFactory(), access_code.code)
    assert error.code == "used"
    access_code.refresh_from_db()
    assert access_code.uses == 1
    assert Enrolment.objects.count() == 1


@pytest.mark.django_db
def test_someone_already_enrolled_keeps_the_code_unspent():
    access_code = AccessCodeFactory(max_uses=5)
    learner = LearnerFactory()
    EnrolmentFactory(user=learner, training=access_code.training)
    error = _refusal(learner, access_code.code)
    assert error.code == "already_enrolled"
    assert error.message.startswith(f"Vous suivez déjà cette formation{NBSP}:")
    access_code.refresh_from_db()
    assert access_code.uses == 0


@pytest.mark.django_db
def test_a_code_reactivates_an_ended_enrolment_and_keeps_its_progress():
    access_code = AccessCodeFactory()
    enrolment = EnrolmentFactory(training=access_code.training, is_active=False)
    lesson = LessonFactory(module__training=access_code.training)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)

    again = enrolment_services.enrolment_by_code(user=enrolment.user, code=access_code.code)

    assert again.pk == enrolment.pk and again.is_active and again.source == Enrolment.Source.CODE
    assert LessonCompletion.objects.filter(enrolment=again).count() == 1
    access_code.refresh_from_db()
    assert access_code.uses == 1


@pytest.mark.django_db
def test_a_code_of_a_training_not_open_yet_is_refused_and_not_spent():
    access_code = AccessCodeFactory(training__is_published=False)
    assert _refusal(LearnerFactory(), access_code.code).code == "unavailable"
    access_code.refresh_from_db()
    assert access_code.uses == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("max_uses", [1, 3])
def test_people_racing_for_a_code_never_get_past_its_uses(max_uses):
    attempts = 8
    access_code = AccessCodeFactory(max_uses=max_uses)
    learners = [LearnerFactory() for _ in range(attempts)]
    barrier = threading.Barrier(attempts)
    results: list = [None] * attempts

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            enrolment_services.enrolment_by_code(user=learners[index], code=access_code.code)
            results[index] = "enrolled"
        except CourseError as error:
            results[index] = error.code
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == sorted(["enrolled"] * max_uses + ["used"] * (attempts - max_uses))
    access_code.refresh_from_db()
    assert access_code.uses == max_uses
    assert Enrolment.objects.filter(training=access_code.training).count() == max_uses


# ---------------------------------------------------------------------------------------------------------------
# enrolment_create, the seam of payments and seats


@pytest.mark.django_db
def test_enrolment_create_is_idempotent_and_reactivates():
    training = TrainingFactory()
    learner = LearnerFactory()
    first = enrolment_services.enrolment_create(
        user=learner, training=training, source=Enrolment.Source.STAFF
    )
    again = enrolment_services.enrolment_create(
        user=learner, training=training, source=Enrolment.Source.PURCHASE
    )
    assert again.pk == first.pk and again.source == Enrolment.Source.STAFF

    Enrolment.objects.filter(pk=first.pk).update(is_active=False)
    paid = enrolment_services.enrolment_create(
        user=learner, training=training, source=Enrolment.Source.PURCHASE
    )
    assert paid.pk == first.pk and paid.is_active and paid.source == Enrolment.Source.PURCHASE
    assert Enrolment.objects.count() == 1


# ---------------------------------------------------------------------------------------------------------------
# Progress


@pytest.mark.django_db
def test_lesson_open_remembers_the_last_lesson():
    enrolment = EnrolmentFactory()
    lesson = LessonFactory(module__training=enrolment.training)
    progress_services.lesson_open(enrolment=enrolment, lesson=lesson)
    assert Enrolment.objects.get(pk=enrolment.pk).last_lesson == lesson


@pytest.mark.django_db
def test_lesson_complete_is_idempotent():
    enrolment = EnrolmentFactory()
    module = ModuleFactory(training=enrolment.training)
    lesson = LessonFactory(module=module)
    LessonFactory(module=module)  # one more required step: no certificate yet

    first = progress_services.lesson_complete(enrolment=enrolment, lesson=lesson)
    second = progress_services.lesson_complete(enrolment=enrolment, lesson=lesson)

    assert first.created and not second.created
    assert first.completion.pk == second.completion.pk
    assert LessonCompletion.objects.filter(enrolment=enrolment).count() == 1
    assert first.certificate is None and not first.certificate_issued
    assert Enrolment.objects.get(pk=enrolment.pk).last_lesson == lesson


@pytest.mark.django_db
def test_completing_the_last_required_step_issues_the_certificate_once():
    enrolment = EnrolmentFactory()
    module = ModuleFactory(training=enrolment.training)
    first, last = LessonFactory(module=module), LessonFactory(module=module)
    LessonFactory(module=module, is_required=False)

    progress_services.lesson_complete(enrolment=enrolment, lesson=first)
    done = progress_services.lesson_complete(enrolment=enrolment, lesson=last)
    again = progress_services.lesson_complete(enrolment=enrolment, lesson=last)

    assert done.certificate_issued and done.certificate is not None
    assert not again.certificate_issued and again.certificate.pk == done.certificate.pk
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


@pytest.mark.django_db
def test_a_lesson_of_another_training_cannot_be_completed():
    enrolment = EnrolmentFactory()
    with pytest.raises(CourseError) as caught:
        progress_services.lesson_complete(enrolment=enrolment, lesson=LessonFactory())
    assert caught.value.code == "wrong_training"
    assert not LessonCompletion.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# Who may read what


@pytest.mark.django_db
def test_lesson_access_rules():
    lesson = LessonFactory()
    preview = LessonFactory(module=lesson.module, is_preview=True)
    draft = LessonFactory(module=lesson.module, is_published=False)
    stranger, learner = LearnerFactory(), LearnerFactory()
    EnrolmentFactory(user=learner, training=lesson.module.training)
    ended = EnrolmentFactory(training=lesson.module.training, is_active=False).user
    staff = get_user_model().objects.create_user("equipe", "equipe@exemple.fr", "x", is_staff=True)
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()

    def can(user, item):
        return access.lesson_can_view(user=user, lesson=item)

    assert [can(u, lesson) for u in (anonymous, stranger, ended, learner, staff)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert [can(u, preview) for u in (anonymous, stranger, learner)] == [True, True, True]
    assert [can(u, draft) for u in (anonymous, learner, staff)] == [False, False, True]
    assert access.lesson_can_see(user=learner, lesson=draft) is False
    assert access.lesson_can_see(user=staff, lesson=draft) is True


@pytest.mark.django_db
def test_a_lesson_in_an_unpublished_module_or_training_is_a_draft():
    in_draft_module = LessonFactory(module__is_published=False, is_preview=True)
    in_draft_training = LessonFactory(module__training__is_published=False, is_preview=True)
    learner = EnrolmentFactory(training=in_draft_training.module.training).user
    assert not access.lesson_can_view(user=LearnerFactory(), lesson=in_draft_module)
    assert not access.lesson_can_view(user=learner, lesson=in_draft_training)


@pytest.mark.django_db
def test_the_bot_may_quote_the_lessons_of_the_trainings_a_learner_follows():
    followed, other, ended = TrainingFactory(), TrainingFactory(), TrainingFactory()
    learner = LearnerFactory()
    EnrolmentFactory(user=learner, training=followed)
    EnrolmentFactory(user=learner, training=ended, is_active=False)

    assert access.visibilities_for_user(learner) == (f"training:{followed.pk}",)
    assert visibilities_for(learner) == ("public", f"training:{followed.pk}")
    assert visibilities_for(LearnerFactory()) == ("public",)
    assert visibilities_for(None) == ("public",)
    staff = get_user_model().objects.create_user("equipe", "equipe@exemple.fr", "x", is_staff=True)
    assert set(visibilities_for(staff)) == {"public", "staff"} | {
        f"training:{t.pk}" for t in (followed, other, ended)
    }


@pytest.mark.django_db
def test_lesson_images_resolve_and_unknown_ones_are_dropped():
    lesson = LessonFactory(
        body=(
            "Avant :\n\n![Le tableau de bord](image:tableau)\n\nPuis ![](image:schema)\n\n"
            "![Perdue](image:inconnue) fin."
        )
    )
    for name, alt in (("tableau", "Tableau"), ("schema", "Schéma du circuit de validation")):
        image = LessonImage(lesson=lesson, name=name, alt=alt)
        image.image.save(f"{name}.png", ContentFile(b"\x89PNG fake"), save=True)

    html = lesson_body_html(lesson=lesson)

    # Served by the lesson's guarded address, never from MEDIA_URL.
    tableau = reverse("courses:lesson_image", args=[lesson.module.training.slug, lesson.pk, "tableau"])
    schema = reverse("courses:lesson_image", args=[lesson.module.training.slug, lesson.pk, "schema"])
    assert f'<img src="{tableau}" alt="Le tableau de bord"' in html
    # An empty text alternative in the Markdown takes the image's own.
    assert f'<img src="{schema}" alt="Schéma du circuit de validation"' in html
    assert "inconnue" not in html and "Perdue" not in html and "image:" not in html
    assert html.count("<img") == 2


@pytest.mark.django_db
def test_the_steps_read_with_the_enrolment_are_those_the_learner_completed():
    """The lesson and progress pages read the steps done in the enrolment's own query (one list of ids per kind):
    the same steps as the separate read, failed attempts left out, a quiz passed twice counted once, another
    learner's steps never mixed in."""
    from frenchbot.courses.selectors.progress import (
        enrolment_done_keys,
        enrolment_get,
        enrolment_get_by_slug,
    )

    from .factories import ExerciseSubmissionFactory, LessonCompletionFactory, QuizAttemptFactory

    enrolment = EnrolmentFactory()
    training, user = enrolment.training, enrolment.user
    assert enrolment_get(user=user, training=training, with_done=True).done_keys == set()

    lessons = [LessonCompletionFactory(enrolment=enrolment).lesson for _ in range(12)]
    passed = QuizAttemptFactory(enrolment=enrolment)
    QuizAttemptFactory(enrolment=enrolment, quiz=passed.quiz)  # passed again
    failed = QuizAttemptFactory(enrolment=enrolment, passed=False, score=20)
    exercise = ExerciseSubmissionFactory(enrolment=enrolment).exercise
    ExerciseSubmissionFactory(enrolment=enrolment, passed=False)
    other = EnrolmentFactory(training=training)
    LessonCompletionFactory(enrolment=other)
    QuizAttemptFactory(enrolment=other, quiz=failed.quiz)

    expected = {f"lesson:{lesson.pk}" for lesson in lessons} | {
        f"quiz:{passed.quiz_id}",
        f"exercise:{exercise.pk}",
    }
    assert enrolment_done_keys(enrolment=enrolment) == expected
    assert enrolment_get(user=user, training=training, with_done=True).done_keys == expected
    for version in (None, 1):
        read = enrolment_get_by_slug(user=user, training_slug=training.slug, version=version)
        assert read.done_keys == expected and read.has_certificate is False
