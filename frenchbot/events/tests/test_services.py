"""Registering, the waiting list, cancelling and promotion, on the real database."""

import datetime

import pytest
from django.utils import timezone

from frenchbot.events import selectors
from frenchbot.events.errors import EventError
from frenchbot.events.models import Registration
from frenchbot.events.services.registrations import (
    event_waitlist_fill,
    registration_cancel,
    registration_create,
)
from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent, Source

from .factories import EventFactory, in_hours, register

pytestmark = pytest.mark.django_db


def test_registration_takes_the_lowest_free_seat_and_records_the_lead():
    event = EventFactory(title="Automatiser ses devis", seats=3)
    first = register(event, 1, company="Boulangerie Dupont", email=" Personne1@Example.FR ")
    second = register(event, 2)
    assert (first.status, first.seat) == (Registration.Status.CONFIRMED, 1)
    assert (second.status, second.seat) == (Registration.Status.CONFIRMED, 2)
    assert first.email == "personne1@example.fr"

    lead = Lead.objects.get(email="personne1@example.fr")
    assert first.lead == lead
    assert lead.source == Source.EVENT
    assert lead.company == "Boulangerie Dupont"
    assert ConsentRecord.objects.get(lead=lead).text == "J'accepte."
    timeline = LeadEvent.objects.get(lead=lead, kind=LeadEvent.Kind.EVENT_REGISTERED)
    assert "Automatiser ses devis" in timeline.summary
    assert str(event.starts_at.astimezone(datetime.UTC).year) in timeline.summary
    assert selectors.event_seats_left(event=event) == 1


def test_a_full_event_puts_people_on_the_waiting_list_in_order():
    event = EventFactory(seats=1)
    register(event, 1)
    waiting = [register(event, n) for n in (2, 3, 4)]
    assert [r.status for r in waiting] == [Registration.Status.WAITLISTED] * 3
    assert [r.seat for r in waiting] == [None] * 3
    assert [selectors.registration_waitlist_position(registration=r) for r in waiting] == [1, 2, 3]
    assert LeadEvent.objects.get(lead__email="personne2@example.fr").summary.endswith("(liste d'attente)")


def test_a_freed_seat_goes_to_the_first_waiting_person_then_the_next():
    event = EventFactory(seats=2)
    a, b = register(event, 1), register(event, 2)
    c, d = register(event, 3), register(event, 4)

    registration_cancel(registration=b)
    b.refresh_from_db(), c.refresh_from_db(), d.refresh_from_db()
    assert (b.status, b.seat, b.cancelled_at is not None) == (Registration.Status.CANCELLED, None, True)
    assert (c.status, c.seat, c.promoted_at is not None) == (Registration.Status.CONFIRMED, 2, True)
    assert selectors.registration_waitlist_position(registration=d) == 1

    registration_cancel(registration=a)
    d.refresh_from_db()
    assert (d.status, d.seat) == (Registration.Status.CONFIRMED, 1)
    assert Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count() == 2
    assert LeadEvent.objects.filter(kind=LeadEvent.Kind.EVENT_CANCELLED).count() == 2


def test_cancelling_is_idempotent_and_a_waiting_person_leaving_frees_nothing():
    event = EventFactory(seats=1)
    seated, first, second = register(event, 1), register(event, 2), register(event, 3)
    registration_cancel(registration=first)
    again = registration_cancel(registration=first)
    assert again.status == Registration.Status.CANCELLED
    seated.refresh_from_db(), second.refresh_from_db()
    assert seated.seat == 1
    assert second.status == Registration.Status.WAITLISTED
    assert selectors.registration_waitlist_position(registration=second) == 1
    assert LeadEvent.objects.filter(kind=LeadEvent.Kind.EVENT_CANCELLED).count() == 1


def test_cancelling_after_the_start_is_refused():
    event = EventFactory()
    registration = register(event, 1)
    with pytest.raises(EventError) as error:
        registration_cancel(registration=registration, now=event.starts_at + datetime.timedelta(minutes=5))
    assert error.value.code == "past"
    assert "déjà commencé" in error.value.message
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_a_past_or_started_event_refuses_registrations():
    past = EventFactory(starts_at=in_hours(-30))
    started = EventFactory(starts_at=in_hours(-0.2))
    for event in (past, started):
        with pytest.raises(EventError) as error:
            register(event, 1)
        assert error.value.code == "past"
        assert "inscriptions sont closes" in error.value.message
    assert not Registration.objects.exists()
    assert not Lead.objects.exists()


def test_an_unpublished_event_refuses_registrations():
    with pytest.raises(EventError) as error:
        register(EventFactory(is_published=False), 1)
    assert error.value.code == "unavailable"


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"consent": False}, "consent", "Cochez la case de consentement"),
        ({"email": "pas-une-adresse"}, "email", "ne semble pas valide"),
        ({"email": ""}, "email", "ne semble pas valide"),
        ({"name": "   "}, "name", "Indiquez votre nom"),
    ],
)
def test_bad_input_is_refused_with_a_french_message_and_nothing_written(overrides, field, words):
    with pytest.raises(EventError) as error:
        register(EventFactory(), 1, **overrides)
    assert error.value.field == field
    assert words in error.value.message
    assert not Registration.objects.exists()
    assert not Lead.objects.exists()


def test_a_second_registration_of_the_same_address_is_refused_kindly():
    event = EventFactory()
    register(event, 1)
    with pytest.raises(EventError) as error:
        register(event, 1, email="PERSONNE1@example.fr", name="Autre nom")
    assert error.value.code == "duplicate"
    assert "déjà inscrit(e)" in error.value.message
    assert Registration.objects.count() == 1


def test_after_cancelling_one_may_register_again():
    event = EventFactory(seats=1)
    registration_cancel(registration=register(event, 1))
    again = register(event, 1)
    assert (again.status, again.seat) == (Registration.Status.CONFIRMED, 1)


def test_the_rate_limit_counts_registrations_per_address(settings):
    settings.EVENTS_REGISTRATION_RATE_LIMIT = 2
    event = EventFactory()
    register(event, 1, ip="203.0.113.9")
    register(event, 2, ip="203.0.113.9")
    with pytest.raises(EventError) as error:
        register(event, 3, ip="203.0.113.9")
    assert error.value.code == "rate_limited"
    register(event, 4, ip="198.51.100.1")
    assert Registration.objects.count() == 3


def test_seats_added_by_staff_go_to_the_waiting_list_first():
    event = EventFactory(seats=1)
    register(event, 1)
    waiting = [register(event, n) for n in (2, 3, 4)]
    event.seats = 3
    event.save()
    promoted = event_waitlist_fill(event=event)
    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    assert sorted(
        Registration.objects.filter(status=Registration.Status.CONFIRMED).values_list("seat", flat=True)
    ) == [1, 2, 3]
    waiting[2].refresh_from_db()
    assert selectors.registration_waitlist_position(registration=waiting[2]) == 1


def test_upcoming_and_past_selectors_keep_their_order():
    later = EventFactory(starts_at=in_hours(48))
    sooner = EventFactory(starts_at=in_hours(2))
    old = EventFactory(starts_at=timezone.now() - datetime.timedelta(days=30))
    assert [e.pk for e in selectors.events_upcoming()] == [sooner.pk, later.pk]
    assert [e.pk for e in selectors.events_past()] == [old.pk]


def test_registration_create_signature_is_keyword_only():
    with pytest.raises(TypeError):
        registration_create(EventFactory(), "Nom", "a@example.fr")  # type: ignore[misc]
