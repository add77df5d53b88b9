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
