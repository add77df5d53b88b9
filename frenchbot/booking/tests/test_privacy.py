"""Bookings under the RGPD rights: a person's bookings found by their address and read back plainly; on erasure
a booking still to come is cancelled as usual (the person and the member are told, the slot is free again),
then every booking of the person is anonymised and only what the statistics need stays."""

import datetime
from email.header import decode_header, make_header

import pytest
from django.utils import timezone, translation
from icalendar import Calendar

from frenchbot.booking import selectors, services
from frenchbot.booking.models import Booking, OccupiedUnit
from frenchbot.booking.privacy import BOOKINGS
from frenchbot.privacy.registry import Erasure, Subject, declaration_for

from .factories import EventTypeFactory, StaffUserFactory, TeamMemberFactory, every_day
from .helpers import PARIS

pytestmark = pytest.mark.django_db

JEANNE = Subject(emails=("jeanne.dupont@example.fr",))


def _book(
    event_type, start, *, name, email, company="", message="", now=None, locale="fr", tz="Europe/Paris"
):
    return services.booking_create(
        event_type=event_type,
        start=start,
        name=name,
        email=email,
        company=company,
        message=message,
        consent=True,
        consent_text="J'accepte que The French Bot me recontacte.",
        locale=locale,
        tz=tz,
        now=now,
    )


@pytest.fixture
def event_type():
    member = TeamMemberFactory(
        display_name="Camille Laurent", user=StaffUserFactory(username="camille"), hours=every_day()
    )
    return EventTypeFactory(members=[member], name="Appel d'audit offert", booking_window_days=30)


@pytest.fixture
def people(event_type):
    """Jeanne: a call to come and one held last week; Paul: a call to come. Dates follow the real clock (the
    erasure cancels what is still to come at the time it runs)."""
    slots = selectors.slots_available(
        event_type=event_type,
        start_date=timezone.localdate() + datetime.timedelta(days=2),
        end_date=timezone.localdate() + datetime.timedelta(days=3),
        tz=PARIS,
    )
    upcoming = _book(
        event_type,
        slots[0].start,
        name="Jeanne Dupont",
        email="Jeanne.Dupont@Example.fr",
        company="Boulangerie Dupont",
        message="Automatiser nos devis.",
        locale="en",
        tz="America/New_York",
    )
    last_week = (
        (timezone.now() - datetime.timedelta(days=7))
        .astimezone(PARIS)
        .replace(hour=10, minute=0, second=0, microsecond=0)
    )
    held = _book(
        event_type,
        last_week,
        name="Jeanne Dupont",
        email="jeanne.dupont@example.fr",
        company="Boulangerie Dupont",
        now=last_week - datetime.timedelta(days=2),
    )
    Booking.objects.filter(pk=held.pk).update(outcome=Booking.Outcome.HELD)
    paul = _book(
        event_type, slots[1].start, name="Paul Martin", email="paul.martin@example.fr", company="Martin SA"
    )
    return {"upcoming": upcoming, "held": held, "paul": paul}


def _row(booking):
    return Booking.objects.filter(pk=booking.pk).values().get()


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def _invitation(message) -> Calendar:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def test_the_treatment_says_the_policy_s_paragraph():
    (french,) = BOOKINGS.paragraphs()
    with translation.override("en"):
        (english,) = BOOKINGS.paragraphs()
    assert english != french  # the policy's own msgid, already translated
    assert BOOKINGS.order == 25


def test_bookings_are_found_by_address_whatever_its_case(people):
    declaration = declaration_for("booking.Booking")
    assert {b.pk for b in declaration.rows(JEANNE)} == {people["upcoming"].pk, people["held"].pk}


def test_a_booking_reads_plainly_in_the_export(people):
    exported = declaration_for("booking.Booking").export_row(people["upcoming"])
    assert exported["rendez-vous"] == "Appel d'audit offert"
    assert exported["avec"] == "Camille Laurent"
    assert exported["nom"] == "Jeanne Dupont"
    assert exported["e-mail"] == "jeanne.dupont@example.fr"
    assert exported["entreprise"] == "Boulangerie Dupont"
    assert exported["message"] == "Automatiser nos devis."
    assert exported["statut"] == "Confirmé"
    assert exported["langue des e-mails"] == "Anglais"
    assert exported["début"] == people["upcoming"].start.isoformat()


def test_erasure_cancels_what_is_to_come_tells_the_person_and_anonymises_everything(
    people, event_type, smtp_server, django_capture_on_commit_callbacks
):
    declaration = declaration_for("booking.Booking")
    assert declaration.erasure == Erasure.ANONYMISE
    upcoming, held, paul = people["upcoming"], people["held"], people["paul"]
    paul_before = _row(paul)

    # The cancellation e-mails leave once committed, through the task queue, which reads the row then: after
    # it was anonymised.
    with django_capture_on_commit_callbacks(execute=True):
        assert declaration.erase(declaration.rows(JEANNE)) == 2

    # The person and the member got the usual cancellation, with the person's address and name.
    assert len(smtp_server) == 2
    visitor, member = sorted(smtp_server, key=lambda m: m["To"] != "jeanne.dupont@example.fr")
    assert visitor["To"] == "jeanne.dupont@example.fr"
    # In the person's language (English) and zone (New York), as their booking said before it was anonymised.
    assert _subject(visitor) == "Appointment cancelled: Appel d'audit offert"
    assert "Jeanne Dupont" in _body(visitor)
    assert member["To"] == "camille@thefrenchbot.fr"
    assert "Avec\u00a0: Jeanne Dupont <jeanne.dupont@example.fr> (Boulangerie Dupont)" in _body(member)
    invitation = _invitation(visitor)
    assert str(invitation["METHOD"]) == "CANCEL"
    event = next(iter(invitation.walk("VEVENT")))
    assert str(event["ATTENDEE"]).lower() == "mailto:jeanne.dupont@example.fr"
    assert str(event["UID"]).startswith(upcoming.ics_uid)  # the invitation the person holds is removed

    # The slot is free again.
    assert not OccupiedUnit.objects.filter(booking=upcoming).exists()
    free = selectors.slots_available(
        event_type=event_type,
        start_date=upcoming.start.astimezone(PARIS).date(),
        end_date=upcoming.start.astimezone(PARIS).date(),
        tz=PARIS,
    )
    assert upcoming.start in [slot.start for slot in free]

    # Nothing of the person stays; what the statistics need does.
    for booking, status in ((upcoming, Booking.Status.CANCELLED), (held, Booking.Status.CONFIRMED)):
        row = Booking.objects.get(pk=booking.pk)
        assert (row.name, row.company, row.message) == ("", "", "")
        assert row.email.endswith(".invalid")
        assert (row.locale, row.timezone) == ("fr", "Europe/Paris")
        assert (row.start, row.end, row.event_type_id, row.status) == (
            booking.start,
            booking.end,
            booking.event_type_id,
            status,
        )
    assert Booking.objects.get(pk=held.pk).outcome == Booking.Outcome.HELD
    assert not Booking.objects.filter(email__iexact="jeanne.dupont@example.fr").exists()
    assert not Booking.objects.filter(name__icontains="Jeanne").exists()
    assert not Booking.objects.filter(company__icontains="Dupont").exists()
    assert declaration.rows(JEANNE).count() == 0

    # Paul's booking is as it was, his slot still held.
    assert _row(paul) == paul_before
    assert OccupiedUnit.objects.filter(booking=paul).exists()


def test_the_cancellation_goes_once_even_if_the_erasure_is_run_again(
    people, smtp_server, django_capture_on_commit_callbacks
):
    declaration = declaration_for("booking.Booking")
    with django_capture_on_commit_callbacks(execute=True):
        declaration.erase(declaration.rows(JEANNE))
    # Rows anonymised: a second request for the same address finds nothing, and nobody is written to again.
    with django_capture_on_commit_callbacks(execute=True):
        assert declaration.erase(declaration.rows(JEANNE)) == 0
    assert len(smtp_server) == 2
