"""Reads of the trainings as published: the catalogue, outlines, a lesson (its text, files and video), the
questions of a quiz and the rubric of an exercise."""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from frenchbot.core.pagecache import public_kept, public_kept_many
from frenchbot.core.text import render_markdown

from ..access import training_can_see
from ..models import Lesson, Module, PromptExercise, Quiz, QuizQuestion, Resource, RubricCriterion, Training


@dataclass
class StepItem:
    """One published lesson, quiz or exercise of an outline, with the learner's state when known."""

    kind: str  # "lesson" | "quiz" | "exercise"
    obj: Lesson | Quiz | PromptExercise
    done: bool = False
    # The step's address when the outline was read with it (a reverse() per step and per page otherwise).
    link: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    @property
    def url(self) -> str:
        return self.link or self.obj.get_absolute_url()


class StepsDone:
    """How far a learner is through `steps`: a module's, or a whole training's."""

    steps: list[StepItem]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def percent(self) -> int:
        return percent_of(self.done_count, len(self.steps))


@dataclass
class ModuleItem(StepsDone):
    module: Module
    steps: list[StepItem] = field(default_factory=list)


def percent_of(done: int, total: int) -> int:
    """`done` out of `total` as a whole percentage (0 when there is nothing to do)."""
    return (done * 100) // total if total else 0


def trainings_published(*, audience: str | None = None):
    """The catalogue: published trainings, those for `audience` only when given."""
    trainings = Training.objects.filter(is_published=True)
    if audience is not None:
        trainings = trainings.filter(audience=audience)
    return trainings


def training_get_published(*, slug: str) -> Training | None:
    return trainings_published().filter(slug=slug).first()


def training_get(*, user, slug: str) -> Training | None:
    """The training's page as this person may see it: published, or a draft for the team."""
    training = Training.objects.filter(slug=slug).first()
    if training is None or not training_can_see(user=user, training=training):
        return None
    return training


def training_outline(*, training: Training, version: int | None = None) -> list[ModuleItem]:
    """Published modules of `training`, each with its published steps in module order (lessons before quizzes
    before exercises at equal `order`). Four queries whatever the size of the training, none when `version`
    is given and the outline was already read for it (see `training_outlines`)."""
    return training_outlines(trainings=[training], version=version).get(training.pk, [])


# What the outlines are made of, read once per public-content version in each process: training id →
# [(module, [(kind, step, url), …]), …] of one training; each call builds its own ModuleItem/StepItem around
# them, since a learner's progress marks those.
_OutlineRows = list[tuple[Module, list[tuple[str, Lesson | Quiz | PromptExercise, str]]]]


def training_outlines(*, trainings, version: int | None = None) -> dict[int, list[ModuleItem]]:
    """`training_outline` of several trainings at once (training id → outline), in the same four queries.

    `version` is the public-content version of the request (`core.pagecache.public_version`): with it, and
    FRAGMENT_CACHE_SECONDS above 0, the published rows are read once per version in this process and kept
    (`public_kept_many`; every write to a training, module or step moves the version on once committed,
    `courses.signals`). Without it — services deciding a certificate, for instance — they are always read
    afresh.
    """
    by_key = {f"courses:outline:{training.pk}": training for training in trainings}
    # The rows are shared by this process's requests, not copied for each (`shared`): nothing changes a row
    # read here; the learner's marks go on the StepItems made below for each call.
    kept = public_kept_many(
        version=version,
        keys=list(by_key),
        shared=True,
        make=lambda missing: {
            f"courses:outline:{pk}": rows
            for pk, rows in _outline_rows_read([by_key[key] for key in missing]).items()
        },
    )
    rows: dict[int, _OutlineRows] = {
        by_key[key].pk: training_rows for key, training_rows in kept.items() if training_rows is not None
    }
    return {
        pk: [
            ModuleItem(module=module, steps=[StepItem(kind, obj, link=url) for kind, obj, url in steps])
            for module, steps in training_rows
        ]
        for pk, training_rows in rows.items()
    }


def _outline_rows_read(trainings: list[Training]) -> dict[int, _OutlineRows]:
    by_pk = {t.pk: t for t in trainings}
    # order_by() on the steps: the models' default orderings would join the modules only to sort, and the
    # steps are sorted here anyway.
    modules = list(
        Module.objects.filter(training__in=list(by_pk), is_published=True).order_by(
            "training_id", "order", "id"
        )
    )
    module_of = {}
    for module in modules:
        module.training = by_pk[module.training_id]  # already read: no query per module for its training
        module_of[module.pk] = module
    steps: dict[int, list[tuple[str, Lesson | Quiz | PromptExercise]]] = {pk: [] for pk in module_of}
    kinds = (
        ("lesson", Lesson.objects.defer("body")),
        ("quiz", Quiz.objects.all()),
        ("exercise", PromptExercise.objects.all()),
    )
    if module_of:
        for kind, queryset in kinds:
            for obj in queryset.filter(module__in=list(module_of), is_published=True).order_by():
                obj.module = module_of[obj.module_id]
                steps[obj.module_id].append((kind, obj))
    rank = {"lesson": 0, "quiz": 1, "exercise": 2}
    rows: dict[int, _OutlineRows] = {t.pk: [] for t in trainings}
    for module in modules:
        module_steps = sorted(steps[module.pk], key=lambda s: (s[1].order, rank[s[0]], s[1].pk))
        rows[module.training_id].append(
            (module, [(kind, obj, obj.get_absolute_url()) for kind, obj in module_steps])
        )
    return rows


def step_neighbours(*, outline: list[ModuleItem], key: str) -> tuple[StepItem | None, StepItem | None]:
    """The steps just before and just after the step `key` in the training's order (None at either end, and
    both None for a step outside the outline, like a draft shown to the team)."""
    steps = [step for module in outline for step in module.steps]
    keys = [step.key for step in steps]
    if key not in keys:
        return None, None
    index = keys.index(key)
    return (steps[index - 1] if index > 0 else None), (steps[index + 1] if index + 1 < len(steps) else None)


def lesson_get(*, training_slug: str, lesson_id: int) -> Lesson | None:
    """The lesson `lesson_id` of the training `training_slug`, whatever its state (callers check access)."""
    return (
        Lesson.objects.select_related("module__training")
        .filter(pk=lesson_id, module__training__slug=training_slug)
        .first()
    )


def training_by_slug(*, slug: str, version: int | None) -> Training | None:
    """The training at `slug` whatever its state (callers check access), read once per public-content
    `version` in this process when it is given (every write to a training moves the version on)."""
    return public_kept(
        version=version,
        key=f"courses:training:{slug}",
        make=lambda: Training.objects.filter(slug=slug).first(),
    )


def lesson_with_outline(
    *, training_slug: str, lesson_id: int, version: int | None
) -> tuple[Lesson | None, list[ModuleItem] | None]:
    """The lesson page's reads: the lesson `lesson_id` of the training `training_slug` (as `lesson_get`) and,
    when it is published in a published module, its training's outline with it.

    With `version` (the page's public-content version), a published lesson is the outline's own, kept for that
    version (`training_outlines`), and the training is found by its slug in what this process kept too: no
    query at all (its Markdown body is read only when the lesson's body is rendered, which the page keeps as a
    fragment). Any other lesson — a draft the team previews, an unknown id — is read as `lesson_get` reads it,
    the outline then None for the caller to read.
    """
    if version is not None:
        training = training_by_slug(slug=training_slug, version=version)
        if training is not None:
            outline = training_outline(training=training, version=version)
            for module in outline:
                for step in module.steps:
                    if step.kind == "lesson" and step.obj.pk == lesson_id:
                        return step.obj, outline
    return lesson_get(training_slug=training_slug, lesson_id=lesson_id), None


def resource_get(*, training_slug: str, resource_id: int) -> Resource | None:
    return (
        Resource.objects.select_related("lesson__module__training")
        .filter(pk=resource_id, lesson__module__training__slug=training_slug)
        .first()
    )


# `![texte](image:nom)` or `![texte](image:nom "titre")` in a lesson's Markdown.
IMAGE_REF_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(image:(?P<name>[^)\s]*)(?:\s+\"[^\"]*\")?\)")


def lesson_body_html(*, lesson: Lesson) -> str:
    """The lesson's Markdown as safe HTML, its `image:<name>` references pointing at its uploaded images.

    A reference to an unknown name is dropped rather than shown as a broken image. An empty text alternative
    in the Markdown takes the one written with the image.
    """
    images = {image.name: image for image in lesson.images.all()}

    def resolve(match: re.Match) -> str:
        image = images.get(match.group("name"))
        if image is None or not image.image:
            return ""
        alt = match.group("alt").strip() or image.alt
        alt = alt.replace("[", "").replace("]", "")
        url = reverse("courses:lesson_image", args=[lesson.module.training.slug, lesson.pk, image.name])
        return f"![{alt}]({url})"

    return render_markdown(IMAGE_REF_RE.sub(resolve, lesson.body))


# Players embedded in a lesson: the privacy-enhanced YouTube host and Vimeo's player. Any other link stays a
# link. The lesson page's Content-Security-Policy allows frames from these hosts only.
VIDEO_FRAME_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def video_embed_url(url: str) -> str:
    """The player address to embed for a YouTube or Vimeo link (« » for any other link or a malformed one)."""

    parts = urlsplit(url or "")
    if parts.scheme != "https":
        return ""
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    path = [segment for segment in parts.path.split("/") if segment]
    video = ""
    if host in ("youtube.com", "youtube-nocookie.com"):
        if path[:1] == ["watch"]:
            video = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(path) >= 2 and path[0] in ("embed", "shorts", "live"):
            video = path[1]
        if _YOUTUBE_ID.match(video):
            return f"https://www.youtube-nocookie.com/embed/{video}"
    elif host == "youtu.be" and path and _YOUTUBE_ID.match(path[0]):
        return f"https://www.youtube-nocookie.com/embed/{path[0]}"
    elif host in ("vimeo.com", "player.vimeo.com"):
        numeric = [segment for segment in path if segment.isdigit()]
        if numeric:
            return f"https://player.vimeo.com/video/{numeric[0]}"
    return ""


def step_get_published(*, model: type[Quiz] | type[PromptExercise], training: Training, pk: int):
    """The quiz or exercise `pk` of `training` (a `model` instance) when it is published in a published
    module, else None."""
    return (
        model.objects.select_related("module__training")
        .filter(pk=pk, is_published=True, module__is_published=True, module__training=training)
        .first()
    )


def lesson_image_get(*, lesson: Lesson, name: str):
    """The image of `lesson` called `name` in its Markdown, with a file, or None."""
    image = lesson.images.filter(name=name).first()
    return image if image is not None and image.image else None


def quiz_questions(*, quiz: Quiz) -> list[QuizQuestion]:
    """The questions of `quiz` in order, with their choices loaded. A question with no choice yet (still being
    written in the admin) is left out: it could not be answered, so it neither counts nor blocks."""
    questions = quiz.questions.prefetch_related("choices").order_by("order", "id")
    return [q for q in questions if q.choices.all()]


def exercise_criteria(*, exercise: PromptExercise) -> list[RubricCriterion]:
    return list(exercise.criteria.order_by("order", "id"))
