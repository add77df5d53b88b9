"""The visitor's pages, without JavaScript: event type → calendar → slot → form → confirmation, and the links."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from frenchbot.booking import selectors, services
from frenchbot.booking.forms import format_start
from frenchbot.booking.models import Booking
from frenchbot.leads.models import ConsentRecord, Lead

from .factories import EventTypeFactory, TeamMemberFactory, every_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_type():
    return EventTypeFactory(
        slug="appel-audit-offert", members=[TeamMemberFactory(hours=every_day())], min_notice_minutes=60
    )


def _form_data(slot, **overrides):
    data = {
        "start": format_start(slot.start),
        "tz": "Europe/Paris",
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "company": "Boulangerie Dupont",
        "message": "Nos devis prennent trop de temps.",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_start_page_lists_event_types(client, event_type):
    EventTypeFactory(name="Ancien type", is_active=False)
    response = client.get("/rendez-vous/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Appel d&#x27;audit offert" in html
    assert "Ancien type" not in html
    assert reverse("booking:calendar", args=["appel-audit-offert"]) in html


def test_calendar_links_days_then_slots_then_the_form(client, event_type):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    response = client.get("/rendez-vous/appel-audit-offert/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<table class="booking-calendar__grid">' in html
    day = slot.start.astimezone(selectors.zone_get("Europe/Paris")).date()
    assert f"jour={day.isoformat()}" in html
    day_page = client.get(
        "/rendez-vous/appel-audit-offert/?"
        + urlencode({"tz": "Europe/Paris", "mois": f"{day:%Y-%m}", "jour": day.isoformat()})
    ).content.decode()
    assert f"debut={format_start(slot.start).replace(':', '%3A')}" in day_page
    form_page = client.get(
        f"/rendez-vous/appel-audit-offert/reserver/?debut={format_start(slot.start)}&tz=Europe/Paris"
    )
    assert form_page.status_code == 200
    text = form_page.content.decode()
    assert "Vous recevrez une confirmation par e-mail" in text
    assert text.index("Vous recevrez une confirmation par e-mail") < text.index("Confirmer le rendez-vous")
    assert 'name="csrfmiddlewaretoken"' in text


def test_calendar_in_another_zone_and_with_bad_parameters(client, event_type):
    ny = client.get("/rendez-vous/appel-audit-offert/?tz=America/New_York")
    assert ny.status_code == 200
    assert '<option value="America/New_York" selected>' in ny.content.decode()
    bad = client.get("/rendez-vous/appel-audit-offert/?tz=Pluton/Base&mois=2026-13&jour=hier")
    assert bad.status_code == 200
    assert "Fuseau horaire inconnu" in bad.content.decode()
    assert client.get("/rendez-vous/appel-audit-offert/?mois=9999-01").status_code == 200


def test_booking_through_the_form_lands_on_the_confirmation(
    client, event_type, django_capture_on_commit_callbacks, mailoutbox
):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/rendez-vous/appel-audit-offert/reserver/", _form_data(slot), REMOTE_ADDR="192.0.2.10"
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Votre rendez-vous est confirmé" in html
    assert "jeanne@example.fr" in html
    booking = Booking.objects.get()
    assert booking.start == slot.start
    assert booking.locale == "fr"
    consent = ConsentRecord.objects.get()
    assert consent.text.startswith("J'accepte que The French Bot utilise ces informations")
    assert consent.ip_fingerprint and "192.0.2.10" not in consent.ip_fingerprint
    assert [m.to for m in mailoutbox] == [["jeanne@example.fr"], [booking.member.user.email]]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": ""}, "Cochez la case de consentement"),
        ({"email": "jeanne@@example"}, "ne semble pas valide"),
        ({"name": ""}, "Indiquez votre nom"),
        ({"start": "n'importe quoi"}, "Choisissez un créneau"),
        ({"tz": "Nowhere/Land"}, "Fuseau horaire inconnu"),
    ],
)
def test_errors_keep_what_was_typed_and_write_nothing(client, event_type, overrides, message):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    response = client.post("/rendez-vous/appel-audit-offert/reserver/", _form_data(slot, **overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="Boulangerie Dupont"' in html
    assert "Nos devis prennent trop de temps." in html
    assert not Booking.objects.exists()
    assert not Lead.objects.exists()


def test_a_slot_taken_meanwhile_offers_fresh_slots_and_keeps_the_input(client, event_type):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    services.booking_create(
        event_type=event_type,
        start=slot.start,
        name="Premier",
        email="premier@example.fr",
        consent=True,
        consent_text="oui",
    )
    response = client.post("/rendez-vous/appel-audit-offert/reserver/", _form_data(slot))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Ce créneau vient d&#x27;être réservé." in html
    assert 'value="jeanne@example.fr"' in html
    radios = re.findall(r'type="radio" name="start" id="creneau-\d+" value="([^"]+)"', html)
    assert radios and format_start(slot.start) not in radios
    # Choosing one of them books it, with what was typed.
    response = client.post("/rendez-vous/appel-audit-offert/reserver/", _form_data(slot, start=radios[0]))
    assert response.status_code == 302
    assert Booking.objects.filter(email="jeanne@example.fr").exists()


def test_past_or_forged_slots_and_event_types(client, event_type):
    assert client.get("/rendez-vous/nexiste-pas/").status_code == 404
    assert client.post("/rendez-vous/nexiste-pas/reserver/", {}).status_code == 404
    past = client.get("/rendez-vous/appel-audit-offert/reserver/?debut=2020-01-06T09:00Z&tz=Europe/Paris")
    assert past.status_code == 400
    assert "déjà passé" in past.content.decode()
    # Without a slot, back to the calendar.
    assert client.get("/rendez-vous/appel-audit-offert/reserver/").status_code == 302


def test_rate_limit_keeps_the_input(client, event_type, settings):
    settings.BOOKING_RATE_LIMIT = 1
    first_day = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris").start.date()
    # Late in the day the first open day may hold a single slot left: look over a few days.
    slots = selectors.slots_available(
        event_type=event_type, start_date=first_day, end_date=first_day + timedelta(days=3), tz="UTC"
    )
    assert len(slots) >= 2
    assert client.post("/rendez-vous/appel-audit-offert/reserver/", _form_data(slots[0])).status_code == 302
    response = client.post(
        "/rendez-vous/appel-audit-offert/reserver/", _form_data(slots[1], email="autre@example.fr")
    )
    assert response.status_code == 429
    assert 'value="autre@example.fr"' in response.content.decode()
    assert Booking.objects.count() == 1


def _booked(event_type):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    return services.booking_create(
        event_type=event_type,
        start=slot.start,
        name="Jeanne",
        email="jeanne@example.fr",
        consent=True,
        consent_text="oui",
    )


def test_cancel_link_asks_then_cancels(client, event_type, django_capture_on_commit_callbacks, mailoutbox):
    booking = _booked(event_type)
    url = reverse("booking:cancel", args=[services.booking_token(booking=booking, action="cancel")])
    page = client.get(url)
    assert page.status_code == 200
    assert "Oui, annuler le rendez-vous" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # opening the link cancels nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
    assert done.status_code == 200
    assert "Votre rendez-vous est annulé." in done.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    again = client.post(url)
    assert again.status_code == 400
    assert "déjà annulé" in again.content.decode()


def test_reschedule_link_shows_the_calendar_then_moves(client, event_type):
    booking = _booked(event_type)
    url = reverse("booking:reschedule", args=[services.booking_token(booking=booking, action="reschedule")])
    calendar = client.get(url)
    assert calendar.status_code == 200
    assert "Déplacer votre rendez-vous" in calendar.content.decode()
    other = next(
        s
        for s in selectors.slots_available(
            event_type=event_type,
            start_date=booking.start.date(),
            end_date=booking.start.date() + __import__("datetime").timedelta(days=2),
            tz="UTC",
        )
        if s.start != booking.start
    )
    confirm = client.get(url + f"?debut={format_start(other.start)}")
    assert "Nouveau créneau" in confirm.content.decode()
    moved = client.post(url, {"start": format_start(other.start)})
    assert moved.status_code == 302
    assert Booking.objects.get(status="confirmed").start == other.start
    # The old link now says the booking was moved.
    old_view = client.get(
        reverse("booking:view", args=[services.booking_token(booking=booking, action="view")])
    )
    assert "Ce rendez-vous a été déplacé." in old_view.content.decode()


def test_tampered_links_get_a_clear_french_page(client, event_type):
    booking = _booked(event_type)
    token = services.booking_token(booking=booking, action="cancel")
    for url in (
        reverse("booking:cancel", args=[token[:-3] + "xyz"]),
        reverse("booking:cancel", args=["pas-un-jeton"]),
        reverse("booking:reschedule", args=[token]),  # a cancel token does not move
    ):
        response = client.get(url)
        assert response.status_code == 400
        assert "Ce lien ne fonctionne pas" in response.content.decode()
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_forms_need_their_csrf_token(event_type):
    from django.test import Client

    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/rendez-vous/appel-audit-offert/reserver/", _form_data(slot)).status_code == 403
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "tz", ["a" * 300, "Europe/" + "x" * 300, "Europe/Paris\x00", "../../etc/passwd", "Europe"]
)
def test_a_malformed_zone_falls_back_to_paris_with_a_notice_never_a_500(client, event_type, tz):
    calendar = client.get("/rendez-vous/appel-audit-offert/", {"tz": tz})
    assert calendar.status_code == 200
    assert "Fuseau horaire inconnu" in calendar.content.decode()
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    book_url = "/rendez-vous/appel-audit-offert/reserver/"
    form_page = client.get(book_url, {"debut": format_start(slot.start), "tz": tz})
    assert form_page.status_code == 200
    posted = client.post(book_url, _form_data(slot, tz=tz))
    assert posted.status_code == 400
    # Django's own French word for a NUL, ours for the rest.
    assert any(words in posted.content.decode() for words in ("Fuseau horaire inconnu", "caractère nul"))


def test_staff_get_a_french_error_for_a_malformed_zone():
    from django.core.exceptions import ValidationError

    from frenchbot.booking.models import validate_timezone

    for tz in ("a" * 300, "Europe", "../etc/passwd"):
        with pytest.raises(ValidationError, match="Fuseau horaire inconnu"):
            validate_timezone(tz)
