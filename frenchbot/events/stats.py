"""The events' figures and registrant reports for the team: registrations confirmed, waitlisted and cancelled,
attendance once staff marked it, the satisfaction survey. Pure reads, counted by the database in one query per
table whatever the number of registrations."""

import dataclasses
import datetime
from collections.abc import Iterator

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from .models import Event, Registration, SurveyResponse

S = Registration.Status


def _with_figures(events: QuerySet[Event]) -> QuerySet[Event]:
    # A survey response belongs to one registration: joining both multiplies no row.
    return events.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=S.CONFIRMED)),
        waitlisted=Count("registrations", filter=Q(registrations__status=S.WAITLISTED)),
        cancelled=Count("registrations", filter=Q(registrations__status=S.CANCELLED)),
        marked=Count(
            "registrations",
            filter=Q(registrations__status=S.CONFIRMED, registrations__attended__isnull=False),
        ),
        present=Count(
            "registrations", filter=Q(registrations__status=S.CONFIRMED, registrations__attended=True)
        ),
        ratings=Count("registrations__survey"),
        rating_average=Avg("registrations__survey__rating"),
    )


def _finish(event: Event) -> Event:
    # None until staff marked someone: 0 % would read as « nobody came ».
    event.attendance_rate = round(100 * event.present / event.marked) if event.marked else None
    if event.rating_average is not None:
        event.rating_average = round(float(event.rating_average), 1)
    return event


def events_with_figures(*, now: datetime.datetime | None = None) -> tuple[list[Event], list[Event]]:
    """Every event, published or not, as (upcoming soonest first, past most recent first), each annotated with
    `confirmed`, `waitlisted`, `cancelled`, `marked` and `present` (confirmed registrants marked, and marked
    present), `attendance_rate` (percent of those marked, None before marking), `ratings` and `rating_average`.
    One query."""
    now = now or timezone.now()
    events = [_finish(event) for event in _with_figures(Event.objects.order_by("starts_at"))]
    upcoming = [event for event in events if event.ends_at > now]
    past = [event for event in reversed(events) if event.ends_at <= now]
    return upcoming, past


def event_with_figures(*, event_id: int) -> Event | None:
    """One event with the figures of `events_with_figures`, None when there is no such event."""
    event = _with_figures(Event.objects.filter(pk=event_id)).first()
    return _finish(event) if event else None


def event_registrants(*, event: Event) -> list[Registration]:
    """The event's registrations: confirmed by seat, then the waiting list in its order (each with
    `waiting_position` from 1), then the cancelled ones."""
    rank = {S.CONFIRMED: 0, S.WAITLISTED: 1, S.CANCELLED: 2}
    registrations = sorted(
        Registration.objects.filter(event=event).select_related("survey"),
        key=lambda r: (rank.get(r.status, 3), r.seat or 0, r.created_at, r.pk),
    )
    position = 0
    for registration in registrations:
        registration.waiting_position = None
        if registration.status == S.WAITLISTED:
            position += 1
            registration.waiting_position = position
    return registrations


@dataclasses.dataclass
class RatingCount:
    rating: int
    count: int
    percent: int


@dataclasses.dataclass
class SurveyResults:
    count: int
    average: float | None
    # One line per rating, 5 down to 1, zeros included.
    distribution: list[RatingCount]
    # The responses that carry a comment, newest first.
    comments: list[SurveyResponse]


def event_survey_results(*, event: Event) -> SurveyResults:
    """The satisfaction survey of `event`: how many answered, the average rating, how many gave each rating, and
    the comments."""
    responses = SurveyResponse.objects.filter(registration__event=event)
    by_rating = dict(responses.order_by().values_list("rating").annotate(n=Count("pk")))
    count = sum(by_rating.values())
    average = responses.aggregate(average=Avg("rating"))["average"]
    return SurveyResults(
        count=count,
        average=round(float(average), 1) if average is not None else None,
        distribution=[
            RatingCount(
                rating=rating,
                count=by_rating.get(rating, 0),
                percent=round(100 * by_rating.get(rating, 0) / count) if count else 0,
            )
            for rating in range(5, 0, -1)
        ],
        comments=list(
            responses.exclude(comment="").select_related("registration").order_by("-created_at", "-pk")
        ),
    )


REGISTRANT_CSV_HEADER = [
    "nom",
    "e-mail",
    "entreprise",
    "statut",
    "place n°",
    "rang en liste d'attente",
    "inscrit le",
    "présent",
    "note",
]


def registrant_csv_rows(*, event: Event) -> Iterator[list]:
    """The registrants of `event` as CSV rows (personal data), the header first."""
    yield REGISTRANT_CSV_HEADER
    attended = {True: "oui", False: "non", None: ""}
    for registration in event_registrants(event=event):
        survey = getattr(registration, "survey", None)
        yield [
            registration.name,
            registration.email,
            registration.company,
            registration.get_status_display(),
            registration.seat or "",
            registration.waiting_position or "",
            timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
            attended[registration.attended],
            survey.rating if survey else "",
        ]
