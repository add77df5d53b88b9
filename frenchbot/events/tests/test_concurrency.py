"""No over-booking, ever: 100 people press « Je m'inscris » for the last seat at the same moment.

Each attempt runs in its own thread with its own database connection, closed at the end: SQLite in WAL mode
with BEGIN IMMEDIATE (the test settings keep the database in a file), or PostgreSQL when DATABASE_URL points
to it, where the unique constraint on (event, seat) decides between racing transactions."""

import threading

import pytest
from django.db import connections

from frenchbot.events.models import Registration
from frenchbot.events.services.registrations import registration_create
from frenchbot.leads.models import Lead

from .factories import EventFactory, register

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 100


def _race(event, *, offset: int = 100) -> list:
    barrier = threading.Barrier(ATTEMPTS)
    results: list = [None] * ATTEMPTS

    def attempt(index: int) -> None:
        try:
            # No query before the barrier: on PostgreSQL the pool lends DB_POOL_MAX_SIZE connections in turn,
            # and a thread holding one while waiting here would starve the others.
            barrier.wait(timeout=60)
            registration = registration_create(
                event=event,
                name=f"Personne {offset + index}",
                email=f"personne{offset + index}@example.fr",
                consent=True,
                consent_text="J'accepte.",
            )
            results[index] = (registration.status, registration.seat)
        except Exception as error:  # noqa: BLE001 - any failure is reported by the assertions
            results[index] = ("crash", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def test_a_hundred_registrations_for_the_last_seat_confirm_exactly_one():
    event = EventFactory(seats=5)
    for n in range(4):
        register(event, n)
    results = _race(event)

    assert [r for r in results if r is None or r[0] == "crash"] == []
    confirmed = [r for r in results if r[0] == Registration.Status.CONFIRMED]
    waitlisted = [r for r in results if r[0] == Registration.Status.WAITLISTED]
    assert confirmed == [(Registration.Status.CONFIRMED, 5)]
    assert len(waitlisted) == ATTEMPTS - 1
    seats = list(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).values_list(
            "seat", flat=True
        )
    )
    assert sorted(seats) == [1, 2, 3, 4, 5]
    assert Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).count() == 99
    # Every registration, seated or waiting, became a lead once.
    assert Lead.objects.count() == 4 + ATTEMPTS


def test_a_hundred_registrations_for_ten_seats_never_exceed_them():
    event = EventFactory(seats=10)
    results = _race(event)
    assert [r for r in results if r is None or r[0] == "crash"] == []
    seats = sorted(r[1] for r in results if r[0] == Registration.Status.CONFIRMED)
    assert seats == list(range(1, 11))
    assert sum(1 for r in results if r[0] == Registration.Status.WAITLISTED) == ATTEMPTS - 10
