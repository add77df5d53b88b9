"""Reads of a learner's progress: their enrolment, the steps they completed, what remains, « Mes formations »."""

from dataclasses import dataclass

from django.db.models import CharField, Value

from ..models import Company, Enrolment, ExerciseSubmission, LessonCompletion, QuizAttempt, Training
from .trainings import ModuleItem, StepItem, StepsDone, training_outline, training_outlines


@dataclass
class Progress(StepsDone):
    """A learner's progress in one training: per module, overall, and what remains for the certificate."""

    modules: list[ModuleItem]
    required_total: int
    required_done: int
    next_step: StepItem | None

    @property
    def steps(self) -> list[StepItem]:
        return [s for m in self.modules for s in m.steps]

    @property
    def complete(self) -> bool:
        """Every required step is done (and there is at least one): the certificate is due."""
        return self.required_total > 0 and self.required_done == self.required_total


def enrolment_get(*, user, training: Training) -> Enrolment | None:
    """The active enrolment of `user` in `training`, or None (anonymous visitors included)."""
    if user is None or not user.is_authenticated:
        return None
    enrolment = Enrolment.objects.filter(user=user, training=training, is_active=True).first()
    if enrolment is not None:
        enrolment.training = training  # already read: not again through the relation
    return enrolment


def enrolment_get_by_slug(*, user, training_slug: str) -> Enrolment | None:
    """The active enrolment of `user` in the training at `training_slug`, with the training and the
    certificate read in the same query (the progress page's one read), or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Enrolment.objects.select_related("training", "certificate")
        .filter(user=user, training__slug=training_slug, is_active=True)
        .first()
    )


def training_ids_followed(*, user) -> set[int]:
    """Ids of the trainings `user` follows (an empty set for an anonymous visitor)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(Enrolment.objects.filter(user=user, is_active=True).values_list("training_id", flat=True))


def enrolment_done_keys(*, enrolment: Enrolment) -> set[str]:
    """Keys (`lesson:<id>`, `quiz:<id>`, `exercise:<id>`) of the steps this learner completed: a lesson marked
    as read, a quiz with a passed attempt, an exercise with a passed submission."""
    return enrolments_done_keys(enrolment_ids=[enrolment.pk]).get(enrolment.pk, set())


def enrolments_done_keys(*, enrolment_ids: list[int]) -> dict[int, set[str]]:
    """`enrolment_done_keys` of several enrolments (enrolment id → keys), in one query."""
    done: dict[int, set[str]] = {pk: set() for pk in enrolment_ids}
    if not enrolment_ids:
        return done
    # One UNION ALL of the three tables, each row tagged with its kind. order_by(): the models' default
    # orderings would join quizzes and modules only to sort (and a UNION's parts may not be ordered).
    parts = [
        (LessonCompletion.objects.filter(enrolment_id__in=enrolment_ids), "lesson_id", "lesson"),
        (QuizAttempt.objects.filter(enrolment_id__in=enrolment_ids, passed=True), "quiz_id", "quiz"),
        (
            ExerciseSubmission.objects.filter(enrolment_id__in=enrolment_ids, passed=True),
            "exercise_id",
            "exercise",
        ),
    ]
    lessons, *others = [
        queryset.order_by()
        .annotate(step_kind=Value(kind, output_field=CharField()))
        .values_list("enrolment_id", column, "step_kind")
        for queryset, column, kind in parts
    ]
    for enrolment_id, pk, kind in lessons.union(*others, all=True):
        done[enrolment_id].add(f"{kind}:{pk}")
    return done


def enrolment_progress(
    *,
    enrolment: Enrolment,
    outline: list[ModuleItem] | None = None,
    done: set[str] | None = None,
    version: int | None = None,
) -> Progress:
    """Progress of `enrolment` over the published steps of its training.

    `next_step` is where "continue where I left off" leads: the first step not done after the last lesson
    opened, else the first step not done at all, else None. `outline` and `done` may be given when already
    read (`training_outlines`, `enrolments_done_keys`); `version`, a page's public-content version, lets the
    outline come from what this process kept (`training_outlines`).
    """
    if outline is None:
        outline = training_outline(training=enrolment.training, version=version)
    done = done if done is not None else enrolment_done_keys(enrolment=enrolment)
    for module in outline:
        for step in module.steps:
            step.done = step.key in done
    steps = [s for m in outline for s in m.steps]
    required = [s for s in steps if s.obj.is_required]
    next_step = None
    if enrolment.last_lesson_id:
        keys = [s.key for s in steps]
        last = f"lesson:{enrolment.last_lesson_id}"
        if last in keys:
            after = steps[keys.index(last) :]
            next_step = next((s for s in after if not s.done), None)
    if next_step is None:
        next_step = next((s for s in steps if not s.done), None)
    return Progress(
        modules=outline,
        required_total=len(required),
        required_done=sum(1 for s in required if s.done),
        next_step=next_step,
    )


def enrolment_certificate(enrolment: Enrolment):
    """The enrolment's certificate when one was issued and not revoked, else None."""
    # The reverse one-to-one raises a subclass of AttributeError when there is no certificate.
    certificate = getattr(enrolment, "certificate", None)
    if certificate is None or certificate.revoked_at is not None:
        return None
    return certificate


@dataclass
class DashboardItem:
    enrolment: Enrolment
    progress: Progress
    certificate: object | None


def learner_dashboard(*, user, version: int | None = None) -> tuple[list[DashboardItem], list[Company]]:
    """The trainings `user` follows with their progress and certificate, and the companies they manage."""
    enrolments = (
        Enrolment.objects.filter(user=user, is_active=True)
        .select_related("training", "certificate")
        .order_by("-updated_at", "-pk")
    )
    if not user.is_staff:
        enrolments = enrolments.filter(training__is_published=True)
    enrolments = list(enrolments)
    # The same queries whatever the number of trainings followed.
    outlines = training_outlines(trainings=[e.training for e in enrolments], version=version)
    done = enrolments_done_keys(enrolment_ids=[e.pk for e in enrolments])
    items = [
        DashboardItem(
            enrolment=enrolment,
            progress=enrolment_progress(
                enrolment=enrolment, outline=outlines[enrolment.training_id], done=done[enrolment.pk]
            ),
            certificate=enrolment_certificate(enrolment),
        )
        for enrolment in enrolments
    ]
    companies = list(Company.objects.filter(manager=user).select_related("training").order_by("name"))
    return items, companies
