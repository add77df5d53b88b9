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
    before exercises at equal `order`). Three queries whatever the size of the training."""
    published_lessons = Lesson.objects.filter(is_published=True).select_related("module__training")
    published_quizzes = Quiz.objects.filter(is_published=True).select_related("module__training")
    published_exercises = PromptExercise.objects.filter(is_published=True).select_related("module__training")
    modules = (
        Module.objects.filter(training=training, is_published=True)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch("lessons", queryset=published_lessons.defer("body")),
            Prefetch("quizzes", queryset=published_quizzes),
            Prefetch("exercises", queryset=published_exercises),
        )
    )
    rank = {"lesson": 0, "quiz": 1, "exercise": 2}
    outline = []
    for module in modules:
        steps = (
            [StepItem("lesson", o) for o in module.lessons.all()]
            + [StepItem("quiz", o) for o in module.quizzes.all()]
            + [StepItem("exercise", o) for o in module.exercises.all()]
        )
        steps.sort(key=lambda s: (s.obj.order, rank[s.kind], s.obj.pk))
        outline.append(ModuleItem(module=module, steps=steps))
    return outline


def enrolment_get(*, user, training: Training) -> Enrolment | None:
    """The active enrolment of `user` in `training`, or None (anonymous visitors included)."""
    if user is None or not user.is_authenticated:
        return None
    return Enrolment.objects.filter(user=user, training=training, is_active=True).first()


def enrolment_done_keys(*, enrolment: Enrolment) -> set[str]:
    """Keys (`lesson:<id>`, `quiz:<id>`, `exercise:<id>`) of the steps this learner completed: a lesson marked
    as read, a quiz with a passed attempt, an exercise with a passed submission."""
    keys = {
        f"lesson:{pk}"
        for pk in LessonCompletion.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
    }
    keys |= {
        f"quiz:{pk}"
        for pk in QuizAttempt.objects.filter(enrolment=enrolment, passed=True).values_list(
            "quiz_id", flat=True
        )
    }
    keys |= {
        f"exercise:{pk}"
        for pk in ExerciseSubmission.objects.filter(enrolment=enrolment, passed=True).values_list(
            "exercise_id", flat=True
        )
    }
    return keys


def enrolment_progress(*, enrolment: Enrolment, outline: list[ModuleItem] | None = None) -> Progress:
    """Progress of `enrolment` over the published steps of its training.

    `next_step` is where "continue where I left off" leads: the first step not done after the last lesson
    opened, else the first step not done at all, else None.
    """
    outline = outline if outline is not None else training_outline(training=enrolment.training)
    done = enrolment_done_keys(enrolment=enrolment)
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
