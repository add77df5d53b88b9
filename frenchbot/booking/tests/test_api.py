"""The booking API as ARCHITECTURE.md names it: event types, slots, bookings (201 / 409 / 422)."""

import datetime
import json

import pytest

from frenchbot.booking import selectors
from frenchbot.booking.models import Booking

from .factories import EventTypeFactory, TeamMemberFactory, every_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_type():
    return EventTypeFactory(
        slug="appel-audit-offert", members=[TeamMemberFactory(hours=every_day())], min_notice_minutes=60
    )


def _post(client, **data):
    return client.post("/api/booking/bookings", data=json.dumps(data), content_type="application/json")


def test_event_types(client, event_type):
    response = client.get("/api/booking/event-types")
    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "appel-audit-offert",
            "name": "Appel d'audit offert",
            "description": event_type.description,
            "duration_minutes": 30,
        }
    ]


def test_slots_in_the_asked_zone_with_offsets(client, event_type):
    today = datetime.date.today()
    response = client.get(
        f"/api/booking/slots?event_type=appel-audit-offert&start={today}&end={today + datetime.timedelta(days=3)}&tz=America/New_York"
    )
    assert response.status_code == 200
    slots = response.json()
    assert slots
    first = datetime.datetime.fromisoformat(slots[0]["start"])
    assert first.utcoffset() in (datetime.timedelta(hours=-5), datetime.timedelta(hours=-4))
    assert datetime.datetime.fromisoformat(slots[0]["end"]) - first == datetime.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("event_type=inconnu&start=2026-12-01&end=2026-12-02", "event_type"),
        ("event_type=appel-audit-offert&start=2026-12-01&end=2026-12-02&tz=Mars/Olympus", "tz"),
        ("event_type=appel-audit-offert&start=demain&end=2026-12-02", "start"),
        ("event_type=appel-audit-offert&start=2026-12-05&end=2026-12-01", "end"),
        ("event_type=appel-audit-offert&start=2026-01-01&end=2026-12-31", "end"),
    ],
)
def test_slots_refuse_bad_queries_in_french(client, event_type, query, field):
    response = client.get(f"/api/booking/slots?{query}")
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert response.json()["code"] == "invalid"


def test_booking_201_then_409_with_fresh_slots(client, event_type):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    start = slot.start.astimezone(selectors.zone_get("Europe/Paris")).isoformat()
    created = _post(
        client,
        event_type="appel-audit-offert",
        start=start,
        name="Jeanne",
        email="jeanne@example.fr",
        consent=True,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "confirmed"
    assert datetime.datetime.fromisoformat(body["start"]) == slot.start
    assert "/rendez-vous/gerer/" in body["manage_url"]
    taken = _post(
        client,
        event_type="appel-audit-offert",
        start=start,
        name="Paul",
        email="paul@example.fr",
        consent=True,
    )
    assert taken.status_code == 409
    assert taken.json()["detail"] == "Ce créneau vient d'être réservé."
    assert taken.json()["code"] == "taken"
    assert taken.json()["slots"] and start not in [s["start"] for s in taken.json()["slots"]]
    # In the zone asked for (Paris by default), like the slots of GET /slots.
    offsets = {datetime.datetime.fromisoformat(s["start"]).utcoffset() for s in taken.json()["slots"]}
    assert offsets <= {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
        ({"email": "pas-une-adresse"}, "email"),
        ({"event_type": "forge"}, "event_type"),
        ({"start": "demain matin"}, "start"),
        ({"start": "2026-12-01T10:00:00"}, "start"),
        ({"tz": "Atlantide/Capitale"}, "tz"),
        ({"name": ""}, "name"),
    ],
)
def test_booking_422_in_french(client, event_type, changes, field):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    data = {
        "event_type": "appel-audit-offert",
        "start": slot.start.isoformat(),
        "name": "Jeanne",
        "email": "j@example.fr",
        "consent": True,
    }
    data.update(changes)
    response = _post(client, **data)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["code"] not in ("taken", "rate_limited")
    assert not Booking.objects.exists()


def test_malformed_json_is_not_a_500(client, event_type):
    response = client.post("/api/booking/bookings", data="{pas du json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_booking_writes_are_rate_limited_per_ip(client, event_type, settings):
    settings.BOOKING_RATE_LIMIT = 2
    for _ in range(2):
        assert _post(client, event_type="appel-audit-offert").status_code == 422
    response = _post(client, event_type="appel-audit-offert")
    assert response.status_code == 429
    assert "Trop de demandes" in response.json()["detail"]
    assert response.json()["code"] == "rate_limited"


def test_the_api_is_documented(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/booking/slots" in schema["paths"]
    assert "/api/booking/bookings" in schema["paths"]
    responses = schema["paths"]["/api/booking/bookings"]["post"]["responses"]
    assert {"201", "409", "422"} <= set(responses)
    assert "Début choisi" in json.dumps(schema["components"]["schemas"]["BookingIn"], ensure_ascii=False)
    assert "code" in schema["components"]["schemas"]["ErrorOut"]["properties"]


BAD_ZONES = [
    "a" * 300,
    "Europe/" + "x" * 300,
    "Europe/Paris\x00",
    "../../etc/passwd",
    "/etc/localtime",
    "Europe",
]


@pytest.mark.parametrize("tz", BAD_ZONES)
def test_slots_refuse_a_malformed_zone_in_french_never_a_500(client, event_type, tz):
    response = client.get(
        "/api/booking/slots",
        {"event_type": "appel-audit-offert", "start": "2026-12-01", "end": "2026-12-02", "tz": tz},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "tz"
    assert "Fuseau horaire inconnu" in response.json()["detail"]
