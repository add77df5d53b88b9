"""A training's result indicators (Qualiopi, criterion 1), computed from what the platform recorded and kept as a
dated `IndicatorSnapshot`, which the training's public page shows.

- learners: e-learning enrolments (active or not) plus the registrations, not cancelled, of the sessions that
  were over on the day, each person once (an account enrolled and registered to a session counts once);
- completion: e-learning finished, or present (or late) on at least 80 % of the session's half-days;
- success on the final quiz: among the enrolments that attempted the training's last published quiz, those
  that passed it at least once;
- satisfaction: the average overall rating of the hot surveys of the training's sessions, with their count.

Each figure is read for a day `on`, so that a snapshot says what was known that day.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from frenchbot.courses.models import Enrolment, QuizAttempt, Training
from frenchbot.courses.selectors.trainings import training_outline

from ..models import Attendance, IndicatorSnapshot, Registration, SurveyResponse, TrainingSession

# A session learner has completed the training when they attended this share of its half-days.
COMPLETION_ATTENDANCE = Decimal("0.8")


def _percent(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage, halves rounded up (None when there is no one to count)."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` (local time): what happened before it happened on or before `day`."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


def final_quiz_id(training: Training) -> int | None:
    """The training's last published quiz in the order of its programme (modules, then steps)."""
    quizzes = [
        step.obj.pk
        for module in training_outline(training=training)
        for step in module.steps
        if step.kind == "quiz"
    ]
    return quizzes[-1] if quizzes else None


def indicators_compute(*, training: Training, on: datetime.date) -> dict:
    """The indicators of `training` as known at the end of day `on`: {"learners", "completion_rate",
    "success_rate", "satisfaction", "satisfaction_answers"}. Rates are whole percentages and satisfaction a
    Decimal with one decimal (out of 5), each None when there is nothing to measure it on."""
    before = _end_of(on)

    # One learner counts once: a session's learner who also follows the e-learning (same account) is one person.
    learners: set[tuple[str, int]] = set()
    done: set[tuple[str, int]] = set()
    for user_id, completed_at in Enrolment.objects.filter(
        training=training, created_at__lt=before
    ).values_list("user_id", "completed_at"):
        learners.add(("user", user_id))
        if completed_at is not None and completed_at < before:
            done.add(("user", user_id))

    # Sessions over on the day: their last half-day is on or before it. A cancelled session trained no one.
    sessions = dict(
        TrainingSession.objects.filter(training=training, cancelled_at__isnull=True)
        .annotate(last_day=Max("half_days__date"), half_day_count=Count("half_days"))
        .filter(last_day__lte=on)
        .values_list("pk", "half_day_count")
    )
    registrations = (
        Registration.objects.filter(session_id__in=list(sessions))
        .exclude(status=Registration.Status.CANCELLED)
        .annotate(
            attended=Count(
                "attendances",
                filter=Q(attendances__status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE]),
            )
        )
        .values_list("pk", "user_id", "session_id", "attended")
    )
    for registration_id, user_id, session_id, attended in registrations:
        key = ("user", user_id) if user_id else ("registration", registration_id)
        learners.add(key)
        if attended >= COMPLETION_ATTENDANCE * sessions[session_id]:
            done.add(key)

    success_rate = None
    quiz_id = final_quiz_id(training)
    if quiz_id is not None:
        attempts = QuizAttempt.objects.filter(
            quiz_id=quiz_id, enrolment__training=training, created_at__lt=before
        ).values("enrolment_id")
        tried = attempts.distinct().count()
        passed = attempts.filter(passed=True).distinct().count()
        success_rate = _percent(passed, tried)

    hot = SurveyResponse.objects.filter(
        session__training=training, kind=SurveyResponse.Kind.HOT, created_at__lt=before
    ).aggregate(average=Avg("rating"), answers=Count("pk"))
    satisfaction = None
    if hot["answers"]:
        satisfaction = Decimal(str(hot["average"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    return {
        "learners": len(learners),
        "completion_rate": _percent(len(done), len(learners)),
        "success_rate": success_rate,
        "satisfaction": satisfaction,
        "satisfaction_answers": hot["answers"],
    }


def indicator_snapshot_save(*, training: Training, on: datetime.date) -> IndicatorSnapshot:
    """Compute `training`'s indicators for day `on` and keep them as that day's snapshot (replacing one
    computed earlier the same day). Saving it retires the training's page kept for visitors
    (`sessions.signals`)."""
    snapshot, _created = IndicatorSnapshot.objects.update_or_create(
        training=training, computed_on=on, defaults=indicators_compute(training=training, on=on)
    )
    return snapshot


def indicators_snapshot_all() -> int:
    """Every published training's indicators computed for today (the daily job of WORKER_PERIODIC_JOBS);
    returns how many trainings were done."""
    today = timezone.localdate()
    count = 0
    for training in Training.objects.filter(is_published=True).order_by("pk"):
        indicator_snapshot_save(training=training, on=today)
        count += 1
    return count
