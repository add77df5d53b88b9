"""Rows for the follow-up part's tests, made directly with the models (the registration part owns the
services and factories that register people)."""

import datetime
import itertools

from django.utils import timezone

from frenchbot.events.models import Event, Registration

_numbers = itertools.count(1)


def event_make(*, starts_in: datetime.timedelta, **fields) -> Event:
    """An event starting `starts_in` from now (negative: in the past)."""
    number = next(_numbers)
    values = {
        "slug": f"evenement-{number}",
        "title": f"Webinaire numéro {number}",
        "kind": Event.Kind.WEBINAR,
        "starts_at": timezone.now() + starts_in,
        "duration_minutes": 60,
        "seats": 30,
        "speaker": "Claire Martin",
        "join_url": f"https://visio.example.com/salle-secrete-{number}",
    }
    values.update(fields)
    return Event.objects.create(**values)


def registration_make(event: Event, *, status: str = Registration.Status.CONFIRMED, **fields) -> Registration:
    number = next(_numbers)
    values = {
        "event": event,
        "name": f"Personne {number}",
        "email": f"personne{number}@example.com",
        "status": status,
        "consent_text": "J'accepte d'être recontacté.",
    }
    if status == Registration.Status.CONFIRMED:
        taken = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
        values["seat"] = taken + 1
    values.update(fields)
    return Registration.objects.create(**values)
