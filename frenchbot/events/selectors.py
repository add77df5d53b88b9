"""Reads of events."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Event, Registration


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
        for event in _published()
        .filter(starts_at__gte=now - datetime.timedelta(days=1))
        .order_by("starts_at")
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
