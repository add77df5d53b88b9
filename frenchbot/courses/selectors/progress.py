"""Reads of a learner's progress: their enrolment, the steps they completed, what remains, « Mes formations »."""

import functools
from dataclasses import dataclass

from django.db import connections
from django.db.models import Aggregate, Exists, OuterRef, Subquery, TextField

from frenchbot.core.queries import KeptQuery

from ..models import (
    Certificate,
    Company,
    Enrolment,
    ExerciseSubmission,
    LessonCompletion,
    QuizAttempt,
    Training,
)
from .trainings import ModuleItem, StepItem, StepsDone, training_by_slug, training_outline, training_outlines


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


def enrolment_get(*, user, training: Training, with_done: bool = False) -> Enrolment | None:
    """The active enrolment of `user` in `training`, or None (anonymous visitors included). With `with_done`,
    read in the same query: its `done_keys`, what `enrolment_done_keys` would return at this moment."""
    if user is None or not user.is_authenticated:
        return None
    return _enrolment_read(user=user, training=training, with_done=with_done)


def _certificate_valid():
    """Whether the enrolment has a certificate that was not revoked (`enrolment_certificate`), as a column."""
    return Exists(Certificate.objects.filter(enrolment=OuterRef("pk"), revoked_at__isnull=True))


class _IdList(Aggregate):
    """The ids of a column as one text, comma-separated (NULL without rows): SQLite's GROUP_CONCAT,
    PostgreSQL's STRING_AGG."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


# The steps done, as `enrolments_done_keys` reads them: a lesson marked as read, a quiz with a passed attempt, an
# exercise with a passed submission; each kind one column of ids.
_DONE_COLUMNS = (
    ("lesson", LessonCompletion, "lesson_id", {}),
    ("quiz", QuizAttempt, "quiz_id", {"passed": True}),
    ("exercise", ExerciseSubmission, "exercise_id", {"passed": True}),
)


def _with_done(queryset):
    """`queryset` of enrolments with one column of ids per kind of step done (`_done_keys` reads them)."""
    return queryset.annotate(
        **{
            f"done_{kind}": Subquery(
                model.objects.filter(enrolment=OuterRef("pk"), **condition)
                .order_by()
                .values("enrolment")
                .annotate(ids=_IdList(column))
                .values("ids")
            )
            for kind, model, column, condition in _DONE_COLUMNS
        }
    )


def _done_keys(enrolment: Enrolment) -> set[str]:
    return {
        f"{kind}:{pk}"
        for kind, *_ in _DONE_COLUMNS
        for pk in (getattr(enrolment, f"done_{kind}") or "").split(",")
        if pk
    }


def _active_enrolment(enrolments, *, user, training, with_certificate=False, with_done=False):
    # At most one row (one enrolment per learner and training): no ordering to ask for.
    queryset = enrolments.filter(user_id=user, training_id=training, is_active=True)
    if with_certificate:
        queryset = queryset.annotate(has_certificate=_certificate_valid())
    if with_done:
        queryset = _with_done(queryset)
    return queryset.order_by()[:1]


# Read on every learner's page: the SQL the ORM writes for it is kept, sparing its compilation (most of the CPU
# the read cost); KeptQuery still converts the columns as the ORM would. The lesson and progress pages read the
# steps done in the same query: one round trip less to the database on each. A variant's SQL is written the
# first time it is asked for.
_ENROLMENTS = {
    (with_certificate, with_done): KeptQuery(
        functools.partial(_active_enrolment, with_certificate=with_certificate, with_done=with_done),
        "user",
        "training",
    )
    for with_certificate in (False, True)
    for with_done in (False, True)
}


def _enrolment_read(
    *, user, training: Training, with_certificate: bool = False, with_done: bool = False
) -> Enrolment | None:
    query = _ENROLMENTS[with_certificate, with_done]
    enrolment = query.first(Enrolment.objects, user=user.pk, training=training.pk)
    if enrolment is not None:
        enrolment.training = training  # already read: not again through the relation
        if with_certificate:
            enrolment.has_certificate = bool(enrolment.has_certificate)
        if with_done:
            enrolment.done_keys = _done_keys(enrolment)
    return enrolment


def enrolment_get_by_slug(*, user, training_slug: str, version: int | None = None) -> Enrolment | None:
    """The active enrolment of `user` in the training at `training_slug`, with the training,
    `has_certificate` (a certificate was issued and not revoked) and `done_keys` (`enrolment_done_keys`), or
    None: the progress page's one read. `version`, the page's public-content version, lets the training come
    from what this process kept (`training_by_slug`), leaving only the learner's own row to read."""
    if user is None or not user.is_authenticated:
        return None
    if version is None:
        enrolment = _with_done(
            Enrolment.objects.select_related("training")
            .filter(user=user, training__slug=training_slug, is_active=True)
            .annotate(has_certificate=_certificate_valid())
        ).first()
        if enrolment is not None:
            enrolment.done_keys = _done_keys(enrolment)
        return enrolment
    training = training_by_slug(slug=training_slug, version=version)
    if training is None:
        return None
    return _enrolment_read(user=user, training=training, with_certificate=True, with_done=True)


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
    # One UNION ALL of the three tables, each row tagged with its kind, written as SQL: building it through the
    # ORM (three annotated querysets and their union) cost more CPU than running it, on every learner's page.
    database = LessonCompletion.objects.db
    sql = _done_keys_sql(database, len(enrolment_ids))
    with connections[database].cursor() as cursor:
        cursor.execute(sql, [*enrolment_ids, *enrolment_ids, True, *enrolment_ids, True])
        for enrolment_id, kind, pk in cursor.fetchall():
            done[enrolment_id].add(f"{kind}:{pk}")
    return done


@functools.lru_cache(maxsize=64)
def _done_keys_sql(database: str, count: int) -> str:
    """The query of `enrolments_done_keys` for `count` enrolments (its parameters: the ids, the ids, True,
    the ids, True)."""
    quote = connections[database].ops.quote_name
    marks = ", ".join(["%s"] * count)

    def part(model, column: str, kind: str, passed: bool) -> str:
        table = quote(model._meta.db_table)
        where = f"{quote('enrolment_id')} IN ({marks})" + (f" AND {quote('passed')} = %s" if passed else "")
        return f"SELECT {quote('enrolment_id')}, '{kind}', {quote(column)} FROM {table} WHERE {where}"  # noqa: S608 — names from the models' metadata, values as parameters

    return " UNION ALL ".join(
        [
            part(LessonCompletion, "lesson_id", "lesson", False),
            part(QuizAttempt, "quiz_id", "quiz", True),
            part(ExerciseSubmission, "exercise_id", "exercise", True),
        ]
    )


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
