"""Booking writes: all or nothing, the lead recorded with its consent, cancel and move, signed links."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from frenchbot.booking import selectors, services
from frenchbot.booking.models import Booking, OccupiedUnit
from frenchbot.leads.models import ConsentRecord, Lead

from .factories import EventTypeFactory, TeamMemberFactory
from .helpers import MONDAY, PARIS, paris

pytestmark = pytest.mark.django_db

NOW = paris(2027, 2, 22, 9)
SLOT = paris(2027, 3, 1, 10)


def _create(event_type, start=SLOT, now=NOW, **overrides):
    data = {
        "event_type": event_type,
        "start": start,
        "name": "Jeanne Dupont",
        "email": "Jeanne@Example.fr",
        "company": "Boulangerie Dupont",
        "message": "Nous voulons automatiser nos devis.",
        "consent": True,
        "consent_text": "J'accepte que The French Bot me recontacte.",
        "ip": "198.51.100.4",
        "now": now,
    }
    data.update(overrides)
    return services.booking_create(**data)


def test_a_booking_holds_its_units_and_records_the_lead():
    event_type = EventTypeFactory(buffer_after_minutes=15, booking_window_days=60)
    booking = _create(event_type)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.end - booking.start == datetime.timedelta(minutes=30)
    assert booking.email == "jeanne@example.fr"
    # 30 minutes + 15 minutes of buffer = three quarter-hours held.
    assert [
        u.astimezone(PARIS).strftime("%H:%M")
        for u in OccupiedUnit.objects.order_by("start").values_list("start", flat=True)
    ] == [
        "10:00",
        "10:15",
        "10:30",
    ]
    lead = Lead.objects.get()
    assert booking.lead == lead
    assert lead.status == Lead.Status.AUDIT_BOOKED
    assert lead.company == "Boulangerie Dupont"
    assert ConsentRecord.objects.get().text == "J'accepte que The French Bot me recontacte."
    event = lead.events.get(kind="booking_created")
    assert "1 mars 2027 à 10 h 00" in event.summary
    assert event.payload["booking"] == str(booking.public_id)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"consent": False}, "consent", "Cochez la case de consentement"),
        ({"email": "jeanne@"}, "email", "ne semble pas valide"),
        ({"name": "  "}, "name", "Indiquez votre nom"),
        ({"tz": "Lune/Tranquillité"}, "tz", "Fuseau horaire inconnu"),
        ({"start": paris(2027, 2, 20, 10)}, "start", "déjà passé"),
        ({"start": paris(2027, 2, 22, 11)}, "start", "trop proche"),
        ({"start": paris(2027, 3, 1, 3)}, "start", "n'est pas proposé"),
        ({"start": paris(2027, 3, 1, 10, 7)}, "start", "n'est pas proposé"),
        ({"start": None}, "start", "Choisissez un créneau"),
        ({"start": datetime.datetime(2027, 3, 1, 10)}, "start", "Choisissez un créneau"),
    ],
)
def test_bad_input_gets_a_french_message_and_writes_nothing(overrides, field, text):
    event_type = EventTypeFactory(booking_window_days=60)
    with pytest.raises(services.BookingError) as error:
        _create(event_type, **overrides)
    assert error.value.field == field
    assert text in error.value.message
    assert not Booking.objects.exists()
    assert not Lead.objects.exists()
    assert not OccupiedUnit.objects.exists()


def test_an_inactive_or_missing_event_type_is_refused():
    event_type = EventTypeFactory(is_active=False, booking_window_days=60)
    with pytest.raises(services.BookingError) as error:
        _create(event_type)
    assert "n'existe pas" in error.value.message
    with pytest.raises(services.BookingError):
        _create(None)


def test_a_taken_slot_says_so_and_offers_fresh_slots():
    event_type = EventTypeFactory(booking_window_days=60)
    _create(event_type)
    with pytest.raises(services.BookingError) as error:
        _create(event_type, email="paul@example.fr")
    assert error.value.code == "taken"
    assert error.value.message == "Ce créneau vient d'être réservé."
    assert error.value.fresh_slots
    assert SLOT not in [s.start for s in error.value.fresh_slots]
    assert Booking.objects.count() == 1
    assert not Lead.objects.filter(email="paul@example.fr").exists()


def test_the_database_itself_refuses_a_second_holder_of_a_unit():
    event_type = EventTypeFactory(booking_window_days=60)
    booking = _create(event_type)
    unit = OccupiedUnit.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        OccupiedUnit.objects.create(member=unit.member, start=unit.start, booking=booking)


def test_cancel_frees_the_slot_and_tells_the_timeline():
    event_type = EventTypeFactory(booking_window_days=60)
    booking = _create(event_type)
    services.booking_cancel(booking=booking, now=NOW)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.reminder_due_at is None
    assert not OccupiedUnit.objects.exists()
    free = selectors.slots_available(
        event_type=event_type, start_date=MONDAY, end_date=MONDAY, tz=PARIS, now=NOW
    )
    assert SLOT in [s.start for s in free]
    assert booking.lead.events.filter(kind="booking_cancelled").exists()
    with pytest.raises(services.BookingError) as error:
        services.booking_cancel(booking=booking, now=NOW)
    assert "déjà annulé" in error.value.message


def test_a_past_booking_cannot_be_cancelled():
    event_type = EventTypeFactory(booking_window_days=60)
    booking = _create(event_type)
    with pytest.raises(services.BookingError) as error:
        services.booking_cancel(booking=booking, now=SLOT + datetime.timedelta(hours=1))
    assert "déjà passé" in error.value.message
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_reschedule_moves_the_booking_and_keeps_the_invitation_uid():
    event_type = EventTypeFactory(booking_window_days=60)
    booking = _create(event_type)
    new = services.booking_reschedule(booking=booking, start=paris(2027, 3, 1, 10, 30), now=NOW)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert new.rescheduled_from == booking
    assert new.ics_uid == booking.ics_uid
    assert new.ics_sequence == booking.ics_sequence + 1
    assert new.lead == booking.lead
    # Moving by half an hour works although the new time overlaps the old one's units.
    assert sorted(
        u.astimezone(PARIS).strftime("%H:%M") for u in OccupiedUnit.objects.values_list("start", flat=True)
    ) == [
        "10:30",
        "10:45",
    ]
    assert new.lead.events.filter(kind="booking_rescheduled").exists()


def test_reschedule_to_a_taken_slot_leaves_the_booking_as_it_was():
    event_type = EventTypeFactory(booking_window_days=60)
    booking = _create(event_type)
    _create(event_type, start=paris(2027, 3, 1, 14), email="autre@example.fr")
    with pytest.raises(services.BookingError) as error:
        services.booking_reschedule(booking=booking, start=paris(2027, 3, 1, 14), now=NOW)
    assert error.value.code == "taken"
    assert error.value.fresh_slots
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert OccupiedUnit.objects.filter(booking=booking).count() == 2


def test_tokens_open_only_their_own_action_and_expire(monkeypatch, settings):
    event_type = EventTypeFactory(booking_window_days=60)
    booking = _create(event_type)
    token = services.booking_token(booking=booking, action="cancel")
    assert services.booking_from_token(token=token, action="cancel") == booking
    with pytest.raises(services.BookingLinkError):
        services.booking_from_token(token=token, action="reschedule")
    with pytest.raises(services.BookingLinkError) as error:
        services.booking_from_token(
            token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"), action="cancel"
        )
    assert "modifié" in error.value.message
    import time

    settings.BOOKING_LINK_MAX_AGE_DAYS = 30
    old = time.time() - 31 * 86400
    monkeypatch.setattr(time, "time", lambda: old)
    stale = services.booking_token(booking=booking, action="cancel")
    monkeypatch.undo()
    with pytest.raises(services.BookingLinkError) as error:
        services.booking_from_token(token=stale, action="cancel")
    assert error.value.expired
    assert "expiré" in error.value.message


def test_two_members_each_take_one_booking_of_the_same_slot():
    a, b = TeamMemberFactory(), TeamMemberFactory()
    event_type = EventTypeFactory(members=[a, b], booking_window_days=60)
    first = _create(event_type)
    second = _create(event_type, email="paul@example.fr")
    assert {first.member, second.member} == {a, b}
    with pytest.raises(services.BookingError) as error:
        _create(event_type, email="zoe@example.fr")
    assert error.value.code == "taken"
