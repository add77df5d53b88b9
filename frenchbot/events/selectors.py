"""Reads of events."""

import bisect
import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from frenchbot.core.pagecache import public_kept

from .models import Event, Registration

# Longest an event lasts: one that started longer ago than this leaves the upcoming list even if not over.
_LONGEST = datetime.timedelta(days=1)


def _published() -> QuerySet[Event]:
    return Event.objects.filter(is_published=True).annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))
    )


def events_upcoming(*, limit: int | None = None, now: datetime.datetime | None = None) -> list[Event]:
    """Published events not yet over, soonest first, each with `confirmed_count`."""
    now = now or timezone.now()
    # An event stays "upcoming" while it runs; the longest lasts a day.
    events = [
        event
        for event in _published().filter(starts_at__gte=now - _LONGEST).order_by("starts_at")
        if event.ends_at > now
    ]
    return events[:limit] if limit else events


def events_past(*, limit: int | None = None, now: datetime.datetime | None = None) -> list[Event]:
    """Published events that are over, most recent first (their pages keep the replay)."""
    now = now or timezone.now()
    events = [
        event
        for event in _published().filter(starts_at__lt=now).order_by("-starts_at")
        if event.ends_at <= now
    ]
    return events[:limit] if limit else events


def _events_list_changes() -> list[datetime.datetime]:
    """The first instant at which each test of `events_upcoming` and `events_past` turns, for every published
    event: `ends_at > now` at its end, `starts_at < now` and `starts_at >= now - 1 day` one microsecond (the
    clock's step) after their bound."""
    tick = datetime.timedelta(microseconds=1)
    moments: set[datetime.datetime] = set()
    for starts_at, duration in Event.objects.filter(is_published=True).values_list(
        "starts_at", "duration_minutes"
    ):
        moments.update(
            (starts_at + datetime.timedelta(minutes=duration), starts_at + tick, starts_at + _LONGEST + tick)
        )
    return sorted(moments)


def events_list_period(*, version: int | None, now: datetime.datetime) -> int:
    """Which stretch of time `now` falls in, between two instants at which the events list changes by itself
    (an event ends and moves to the past ones, or falls out of the upcoming ones): the list is the same all
    through one stretch of one public-content `version`, whatever the time, so it can be kept as a fragment
    keyed on both. The instants are read once per version and process (`public_kept`: any write to an
    event moves the version on); with no version (the cache does not answer) they are not read, and 0 is returned."""
    if version is None:
        return 0
    changes = public_kept(version=version, key="events:list-changes", make=_events_list_changes)
    return bisect.bisect_right(changes, now)


def event_seats_left(*, event: Event) -> int:
    """Seats still free (confirmed registrations counted in the database, not from a cached annotation)."""
    taken = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
    return max(0, event.seats - taken)


def event_replay_visible(*, event: Event, now: datetime.datetime | None = None) -> bool:
    """Whether the event's public page shows its replay: once the event is over, when it has one."""
    return bool(event.replay_url) and event.ends_at <= (now or timezone.now())


def events_upcoming_cards(*, limit: int = 3, now: datetime.datetime | None = None) -> list[Event]:
    """The next `limit` events for a list of cards (the home page), each with `seats_left`."""
    events = events_upcoming(limit=limit, now=now)
    for event in events:
        event.seats_left = max(0, event.seats - event.confirmed_count)
    return events


def event_get_public(*, slug: str) -> Event | None:
    """The published event at `slug`, or None. Its linked training is read when shown: the page keeps the part
    that names it as a fragment."""
    return Event.objects.filter(slug=slug, is_published=True).first()


def event_registration_open(*, event: Event, now: datetime.datetime | None = None) -> bool:
    """Registrations are open until the event starts."""
    return event.is_published and event.starts_at > (now or timezone.now())


def registration_waitlist_position(*, registration: Registration) -> int | None:
    """The place of a waitlisted registration in its event's waiting list (1 = next to get a seat), in the
    order seats are given (`created_at`, then id); None when it is not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = (
        Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITLISTED)
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, id__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1


def event_waitlist_count(*, event: Event) -> int:
    return Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).count()
