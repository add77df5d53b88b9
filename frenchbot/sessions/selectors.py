"""Public reads of the sessions: what a training's page shows (its next sessions, its dated result indicators,
the disability contact)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from frenchbot.courses.models import Training

from .models import IndicatorSnapshot, Registration, TrainingSession


@dataclass
class UpcomingSession:
    """A session open to anyone, as the training's page lists it."""

    session: TrainingSession
    first_date: datetime.date
    last_date: datetime.date
    seats_left: int

    @property
    def is_remote(self) -> bool:
        return self.session.format == TrainingSession.Format.REMOTE

    @property
    def is_full(self) -> bool:
        return self.seats_left <= 0


def sessions_upcoming(*, training: Training, now: datetime.datetime | None = None) -> list[UpcomingSession]:
    """The inter-company sessions of `training` that anyone may register to: published, not cancelled, whose
    first half-day has not started yet; soonest first, each with its first and last day and its seats left
    (seats minus registrations not cancelled)."""
    now = now or timezone.now()
    sessions = (
        TrainingSession.objects.filter(
            training=training,
            kind=TrainingSession.Kind.INTER,
            is_published=True,
            cancelled_at__isnull=True,
        )
        .annotate(
            first_day=Min("half_days__date"),
            taken=Count(
                "registrations",
                filter=~Q(registrations__status=Registration.Status.CANCELLED),
                distinct=True,
            ),
        )
        .filter(first_day__gte=timezone.localdate(now))
        .order_by("first_day", "pk")
        .prefetch_related("half_days")
    )
    upcoming = []
    for session in sessions:
        half_days = session.half_days_in_order()
        if half_days[0].start <= now:
            continue
        upcoming.append(
            UpcomingSession(
                session=session,
                first_date=half_days[0].date,
                last_date=half_days[-1].date,
                seats_left=max(session.seats - session.taken, 0),
            )
        )
    return upcoming


def indicators_public(*, training: Training) -> IndicatorSnapshot | None:
    """The latest indicators of `training`, or None when none were computed or when they count fewer learners
    than SESSIONS_INDICATORS_MIN_LEARNERS (too few, and one person's result could be read from them)."""
    snapshot = IndicatorSnapshot.objects.filter(training=training).order_by("-computed_on").first()
    if snapshot is None or snapshot.learners < settings.SESSIONS_INDICATORS_MIN_LEARNERS:
        return None
    return snapshot


def training_disability_contact(*, training: Training) -> str:
    """The e-mail address of the disability contact (« référent handicap ») named on the training's page: the
    training's own, else the site's (SESSIONS_DISABILITY_CONTACT), else the general contact address."""
    return training.accessibility_contact or settings.SESSIONS_DISABILITY_CONTACT or settings.CONTACT_EMAIL


def registrations_of_user(*, user) -> list[Registration]:
    """The sessions an account registered to (not cancelled), the next first, each with `first_day` and
    `last_day`: « Mes formations » lists them with the link to each one's page."""
    if not user.is_authenticated:
        return []
    return list(
        Registration.objects.filter(user=user, status=Registration.Status.REGISTERED)
        .select_related("session__training")
        .annotate(first_day=Min("session__half_days__date"), last_day=Max("session__half_days__date"))
        .order_by("-first_day")
    )
