"""Who may see what in the trainings: drafts, preview lessons, enrolled learners, company managers, the team.

One place decides, for the pages, the file downloads and the bot alike: a lesson is readable when it is
published inside a published module of a published training, and it is either a preview lesson or the person
follows the training. The team sees everything, drafts included (marked as such on the pages).
"""

from .models import Company, Enrolment, Lesson, Training


def training_visibility(training_id: int) -> str:
    """The index visibility of a training's lessons reserved to its learners."""
    return f"training:{training_id}"


def _is_staff(user) -> bool:
    return user is not None and user.is_authenticated and user.is_staff


def lesson_is_published(lesson: Lesson) -> bool:
    """Published, in a published module of a published training (what learners and the index see)."""
    module = lesson.module
    return lesson.is_published and module.is_published and module.training.is_published


def training_can_see(*, user, training: Training) -> bool:
    """The training's page exists for this person: published, or a draft shown to the team."""
    return training.is_published or _is_staff(user)


def lesson_can_see(*, user, lesson: Lesson) -> bool:
    """The lesson exists for this person (else a 404): published, or a draft shown to the team."""
    return lesson_is_published(lesson) or _is_staff(user)


def has_active_enrolment(*, user, training: Training) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Enrolment.objects.filter(user=user, training=training, is_active=True).exists()


# `lesson_can_view` was not told the person's enrolment: it reads it.
_UNREAD = object()


def lesson_can_view(*, user, lesson: Lesson, enrolment: Enrolment | None | object = _UNREAD) -> bool:
    """The person may read the lesson and download its files.

    `enrolment`, when the caller already read it (`selectors.progress.enrolment_get`: this person's active
    enrolment in the lesson's training, or None), spares the query that would look for it again.
    """
    if _is_staff(user):
        return True
    if not lesson_is_published(lesson):
        return False
    if lesson.is_preview:
        return True
    if enrolment is _UNREAD:
        return has_active_enrolment(user=user, training=lesson.module.training)
    return (
        enrolment is not None
        and enrolment.is_active
        and enrolment.user_id == getattr(user, "pk", None)
        and enrolment.training_id == lesson.module.training_id
    )


def visibilities_for_user(user) -> tuple[str, ...]:
    """Index visibilities of the lessons the bot may quote to this person, beyond public content: those of
    the trainings they follow (every training for the team). Listed in ASSISTANT_VISIBILITY_PROVIDERS."""
    if user is None or not user.is_authenticated:
        return ()
    if user.is_staff:
        ids = Training.objects.values_list("pk", flat=True)
    else:
        ids = Enrolment.objects.filter(user=user, is_active=True).values_list("training_id", flat=True)
    return tuple(training_visibility(pk) for pk in ids.order_by("pk"))


def company_can_manage(*, company: Company, user) -> bool:
    """The company's manager, or a member of staff (who acts for them)."""
    return bool(user and user.is_authenticated and (user.pk == company.manager_id or user.is_staff))
