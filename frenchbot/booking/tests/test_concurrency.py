"""No double booking, ever: 50 visitors press « Confirmer » for the same slot at the same moment.

Each attempt runs in its own thread with its own database connection (SQLite in WAL mode with BEGIN
IMMEDIATE, or PostgreSQL when DATABASE_URL points to it: `make test-postgres`; there the pool lets
DB_POOL_MAX_SIZE of them hold a connection at once, as in production)."""

import threading

import pytest
from django.db import connections

from frenchbot.booking import selectors, services
from frenchbot.booking.models import Booking, EventType, OccupiedUnit
from frenchbot.leads.models import Lead

from .factories import EventTypeFactory, TeamMemberFactory, every_day

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 50


def _race(event_type: EventType, start) -> list:
    barrier = threading.Barrier(ATTEMPTS)
    results: list = [None] * ATTEMPTS

    def attempt(index: int) -> None:
        try:
            # No query before the barrier: on PostgreSQL the connection pool (DB_POOL_MAX_SIZE) lends
            # connections in turn, and a thread holding one while waiting here would starve the others.
            barrier.wait(timeout=60)
            booking = services.booking_create(
                event_type=event_type,
                start=start,
                name=f"Visiteur {index}",
                email=f"visiteur{index}@example.fr",
                consent=True,
                consent_text="J'accepte.",
            )
            results[index] = ("booked", booking.member_id)
        except services.BookingError as error:
            results[index] = (error.code, error.message, [s.start for s in error.fresh_slots])
        except Exception as error:  # noqa: BLE001 - any other failure is reported by the assertions
            results[index] = ("crash", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_attempts_on_one_slot_book_it_once():
    event_type = EventTypeFactory(members=[TeamMemberFactory(hours=every_day())], min_notice_minutes=60)
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    results = _race(event_type, slot.start)

    crashes = [r for r in results if r is None or r[0] == "crash"]
    assert crashes == []
    booked = [r for r in results if r[0] == "booked"]
    refused = [r for r in results if r[0] != "booked"]
    assert len(booked) == 1
    assert len(refused) == ATTEMPTS - 1
    for code, message, fresh in refused:
        assert code == "taken"
        assert message == "Ce créneau vient d'être réservé."
        assert fresh and slot.start not in fresh
    assert Booking.objects.count() == 1
    assert OccupiedUnit.objects.count() == 2
    # Nothing was written half-way for the 49 others: one lead, the winner's.
    assert Lead.objects.count() == 1


def test_fifty_attempts_with_two_members_book_each_member_once():
    a, b = TeamMemberFactory(hours=every_day()), TeamMemberFactory(hours=every_day())
    event_type = EventTypeFactory(members=[a, b], min_notice_minutes=60)
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    results = _race(event_type, slot.start)
    booked = sorted(r[1] for r in results if r[0] == "booked")
    assert booked == sorted([a.pk, b.pk])
    assert {r[0] for r in results if r[0] != "booked"} == {"taken"}
    assert Booking.objects.filter(start=slot.start).count() == 2
