"""Demo events, written for this project (`events.toml` beside this file): a past webinar with its replay,
attendance and two survey answers, a webinar to come, and a workshop to come with 10 of its 12 seats taken by
made-up people (addresses at example.com). Dates are relative to the day of loading. `frenchbot demo` loads
them once; an event that already exists (same slug) is left as it is."""

import datetime
import re
import zoneinfo
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from frenchbot.core.datafiles import (
    DataFileError,
    datafile_name,
    keys_only,
    model_checked,
    tables_get,
    toml_read,
    value_get,
)
from frenchbot.core.text import french_typography

from ..models import Event, Registration, SurveyResponse

DEMO_FILE = Path(__file__).resolve().parent / "events.toml"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EVENT_TEXTS = ("slug", "title", "kind", "summary", "speaker", "place", "join_url", "replay_url", "training")
_EVENT_KEYS = {*_EVENT_TEXTS, "day", "time", "duration_minutes", "seats", "description", "followup_sent"}
_REGISTRATION_KEYS = {"name", "email", "company", "attended", "rating", "comment"}


def events_demo_read() -> list[dict[str, Any]]:
    """The demo events as written in the data file, checked; raises DataFileError naming the place."""
    data = toml_read(DEMO_FILE)
    where = datafile_name(DEMO_FILE)
    events = []
    for number, table in enumerate(tables_get(data, "events", where=where), start=1):
        place = f"{where}, event {number}"
        keys_only(table, _EVENT_KEYS | {"registrations"}, where=place)
        event = {key: value_get(table, key, str, where=place, default="") for key in _EVENT_TEXTS}
        for key in ("slug", "title", "kind"):
            if not event[key]:
                raise DataFileError(f"{place}: '{key}' is missing.")
        event["day"] = value_get(table, "day", int, where=place)
        event["time"] = value_get(table, "time", str, where=place)
        if not _TIME.match(event["time"]):
            raise DataFileError(f"{place}: 'time' should be HH:MM (Paris time), not {event['time']!r}.")
        event["duration_minutes"] = value_get(table, "duration_minutes", int, where=place, default=60)
        event["seats"] = value_get(table, "seats", int, where=place)
        event["description"] = value_get(table, "description", str, where=place, default="")
        event["followup_sent"] = value_get(table, "followup_sent", bool, where=place, default=False)
        registrations = []
        for index, row in enumerate(table.get("registrations", []), start=1):
            at = f"{place}, registration {index}"
            if not isinstance(row, dict):
                raise DataFileError(f"{at}: should be a table.")
            keys_only(row, _REGISTRATION_KEYS, where=at)
            registrations.append(
                {
                    "name": value_get(row, "name", str, where=at),
                    "email": value_get(row, "email", str, where=at),
                    "company": value_get(row, "company", str, where=at, default=""),
                    "attended": value_get(row, "attended", bool, where=at, default=None),
                    "rating": value_get(row, "rating", int, where=at, default=None),
                    "comment": value_get(row, "comment", str, where=at, default=""),
                }
            )
        if len(registrations) > event["seats"]:
            raise DataFileError(f"{place}: more registrations than seats.")
        event["registrations"] = registrations
        events.append(event)
    return events


def _starts_at(*, day: int, time: str, today: datetime.date) -> datetime.datetime:
    hour, minute = (int(part) for part in time.split(":"))
    return datetime.datetime.combine(
        today + datetime.timedelta(days=day), datetime.time(hour, minute), tzinfo=PARIS
    )


def _training(slug: str):
    if not slug:
        return None
    from frenchbot.courses.models import Training

    return Training.objects.filter(slug=slug).first()


@transaction.atomic
def events_demo_load(*, today: datetime.date | None = None) -> dict[str, int]:
    """Create the demo events that do not exist yet (by slug), with their registrations; returns the counts
    created. `today` (Paris) is the day the relative dates count from."""
    today = today or timezone.localdate(timezone=PARIS)
    now = timezone.now()
    created = {"events": 0, "registrations": 0}
    for data in events_demo_read():
        if Event.objects.filter(slug=data["slug"]).exists():
            continue
        where = f"{datafile_name(DEMO_FILE)}, event {data['slug']}"
        event = model_checked(
            Event(
                slug=data["slug"],
                title=french_typography(data["title"]),
                kind=data["kind"],
                summary=french_typography(data["summary"]),
                description_markdown=french_typography(data["description"].strip()) + "\n",
                starts_at=_starts_at(day=data["day"], time=data["time"], today=today),
                duration_minutes=data["duration_minutes"],
                seats=data["seats"],
                speaker=data["speaker"],
                place=data["place"],
                join_url=data["join_url"],
                replay_url=data["replay_url"],
                training=_training(data["training"]),
            ),
            where=where,
        )
        event.save()
        for seat, row in enumerate(data["registrations"], start=1):
            registration = Registration.objects.create(
                event=event,
                name=row["name"],
                email=row["email"],
                company=row["company"],
                status=Registration.Status.CONFIRMED,
                seat=seat,
                consent_text="Démonstration : personne fictive.",
                attended=row["attended"] if event.ends_at <= now else None,
            )
            if row["rating"] is not None and registration.attended:
                SurveyResponse.objects.create(
                    registration=registration, rating=row["rating"], comment=french_typography(row["comment"])
                )
            created["registrations"] += 1
        # The made-up people registered in the days before the event (or before today, for one to come).
        registered_by = min(event.starts_at, now)
        registrations = list(event.registrations.order_by("seat"))
        for number, registration in enumerate(registrations):
            registered_at = registered_by - datetime.timedelta(hours=7 * (len(registrations) - number))
            Registration.objects.filter(pk=registration.pk).update(created_at=registered_at)
        if data["followup_sent"] and event.ends_at <= now:
            # Marked as done: the worker must not mail the made-up people of the demo.
            Event.objects.filter(pk=event.pk).update(followup_sent_at=event.ends_at)
        created["events"] += 1
    return created


def demo_report() -> str:
    """Load the demo events for `frenchbot demo` and say what was created ("" when they were there)."""
    created = events_demo_load()
    if not created["events"]:
        return ""
    return (
        f"Événements : {created['events']} événements (un passé avec son replay, un webinaire et un atelier "
        f"à venir), {created['registrations']} inscriptions de personnes fictives."
    )


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo events with their registrations; an event the team created stays. Says what was done."""
    events = Event.objects.filter(slug__in=[data["slug"] for data in events_demo_read()])
    count = events.count()
    events.delete()
    return f"Événements : {count} événements de démonstration retirés." if count else ""
