"""Writes of a learner's progress: the last lesson opened, a lesson marked as done (and the certificate it
may complete)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import CourseError
from ..models import Certificate, Enrolment, Lesson, LessonCompletion
from .certificates import certificate_issue_if_complete


def lesson_open(*, enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember `lesson` as the last one the learner opened: « Reprendre » starts from there."""
    if enrolment.last_lesson_id == lesson.pk:
        return
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson)
    enrolment.last_lesson = lesson


@dataclass(frozen=True)
class LessonCompleted:
    """What marking a lesson as done changed: `created` is False when it already was; `certificate` is the
    enrolment's certificate when it has one, and `certificate_issued` says it was issued by this very call."""

    completion: LessonCompletion
    created: bool
    certificate: Certificate | None
    certificate_issued: bool


def lesson_complete(*, enrolment: Enrolment, lesson: Lesson) -> LessonCompleted:
    """Mark `lesson` as done for this learner (again is harmless) and issue the certificate when it was the
    last required step. Raises CourseError when the enrolment is inactive or the lesson is not part of its
    training."""
    if not enrolment.is_active:
        raise CourseError(_("Votre accès à cette formation n'est plus actif."), code="inactive")
    if lesson.module.training_id != enrolment.training_id:
        raise CourseError(_("Cette leçon ne fait pas partie de votre formation."), code="wrong_training")
    with transaction.atomic():
        completion, created = LessonCompletion.objects.get_or_create(enrolment=enrolment, lesson=lesson)
        lesson_open(enrolment=enrolment, lesson=lesson)
        had_certificate = Certificate.objects.filter(enrolment=enrolment).exists()
        certificate = certificate_issue_if_complete(enrolment=enrolment)
    return LessonCompleted(
        completion=completion,
        created=created,
        certificate=certificate,
        certificate_issued=certificate is not None and not had_certificate,
    )
