"""Reads of the trainings: outlines, who may see what, and a learner's progress."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import (
    Enrolment,
    ExerciseSubmission,
    Lesson,
    LessonCompletion,
    Module,
    PromptExercise,
    Quiz,
    QuizAttempt,
    Training,
)


@dataclass
class StepItem:
    """One published lesson, quiz or exercise of an outline, with the learner's state when known."""

    kind: str  # "lesson" | "quiz" | "exercise"
    obj: Lesson | Quiz | PromptExercise
    done: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()


@dataclass
class ModuleItem:
    module: Module
    steps: list[StepItem] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def percent(self) -> int:
        return _percent(self.done_count, len(self.steps))


@dataclass
class Progress:
    """A learner's progress in one training: per module, overall, and what remains for the certificate."""

    modules: list[ModuleItem]
    required_total: int
    required_done: int
    next_step: StepItem | None

    @property
    def steps(self) -> list[StepItem]:
        return [s for m in self.modules for s in m.steps]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def percent(self) -> int:
        return _percent(self.done_count, len(self.steps))

    @property
    def complete(self) -> bool:
        """Every required step is done (and there is at least one): the certificate is due."""
        return self.required_total > 0 and self.required_done == self.required_total


def _percent(done: int, total: int) -> int:
    return (done * 100) // total if total else 0


def trainings_published():
    return Training.objects.filter(is_published=True)


def training_get_published(*, slug: str) -> Training | None:
    return trainings_published().filter(slug=slug).first()


def training_outline(*, training: Training) -> list[ModuleItem]:
    """Published modules of `training`, each with its published steps in module order (lessons before quizzes
    before exercises at equal `order`). Four queries whatever the size of the training."""
    return training_outlines(trainings=[training]).get(training.pk, [])


def training_outlines(*, trainings) -> dict[int, list[ModuleItem]]:
    """`training_outline` of several trainings at once (training id → outline), in the same four queries."""
    published_lessons = Lesson.objects.filter(is_published=True).select_related("module__training")
    published_quizzes = Quiz.objects.filter(is_published=True).select_related("module__training")
    published_exercises = PromptExercise.objects.filter(is_published=True).select_related("module__training")
    modules = (
        Module.objects.filter(training__in=[t.pk for t in trainings], is_published=True)
        .order_by("training_id", "order", "id")
        .prefetch_related(
            Prefetch("lessons", queryset=published_lessons.defer("body")),
            Prefetch("quizzes", queryset=published_quizzes),
            Prefetch("exercises", queryset=published_exercises),
        )
    )
    rank = {"lesson": 0, "quiz": 1, "exercise": 2}
    outlines: dict[int, list[ModuleItem]] = {t.pk: [] for t in trainings}
    for module in modules:
        steps = (
            [StepItem("lesson", o) for o in module.lessons.all()]
            + [StepItem("quiz", o) for o in module.quizzes.all()]
            + [StepItem("exercise", o) for o in module.exercises.all()]
        )
        steps.sort(key=lambda s: (s.obj.order, rank[s.kind], s.obj.pk))
        outlines[module.training_id].append(ModuleItem(module=module, steps=steps))
    return outlines


def enrolment_get(*, user, training: Training) -> Enrolment | None:
    """The active enrolment of `user` in `training`, or None (anonymous visitors included)."""
    if user is None or not user.is_authenticated:
        return None
    return Enrolment.objects.filter(user=user, training=training, is_active=True).first()


def enrolment_done_keys(*, enrolment: Enrolment) -> set[str]:
    """Keys (`lesson:<id>`, `quiz:<id>`, `exercise:<id>`) of the steps this learner completed: a lesson marked
    as read, a quiz with a passed attempt, an exercise with a passed submission."""
    return enrolments_done_keys(enrolment_ids=[enrolment.pk]).get(enrolment.pk, set())


def enrolments_done_keys(*, enrolment_ids: list[int]) -> dict[int, set[str]]:
    """`enrolment_done_keys` of several enrolments (enrolment id → keys), in three queries."""
    done: dict[int, set[str]] = {pk: set() for pk in enrolment_ids}
    # order_by(): the models' default orderings would join quizzes and modules only to sort.
    rows = [
        ("lesson", LessonCompletion.objects.filter(enrolment_id__in=enrolment_ids), "lesson_id"),
        ("quiz", QuizAttempt.objects.filter(enrolment_id__in=enrolment_ids, passed=True), "quiz_id"),
        (
            "exercise",
            ExerciseSubmission.objects.filter(enrolment_id__in=enrolment_ids, passed=True),
            "exercise_id",
        ),
    ]
    for kind, queryset, column in rows:
        for enrolment_id, pk in queryset.order_by().values_list("enrolment_id", column):
            done[enrolment_id].add(f"{kind}:{pk}")
    return done


def enrolment_progress(
    *, enrolment: Enrolment, outline: list[ModuleItem] | None = None, done: set[str] | None = None
) -> Progress:
    """Progress of `enrolment` over the published steps of its training.

    `next_step` is where "continue where I left off" leads: the first step not done after the last lesson
    opened, else the first step not done at all, else None. `outline` and `done` may be given when already
    read (`training_outlines`, `enrolments_done_keys`).
    """
    outline = outline if outline is not None else training_outline(training=enrolment.training)
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
