"""The goals of booking: « call_booked » when a call is booked (page, API, chat: one service), « call_held » when
the team notes it held on the back-office page (once, and only for a call that has started)."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from frenchbot.analytics.goals import subject_key
from frenchbot.analytics.models import Goal
from frenchbot.audits.models import Audit, Questionnaire, Track
from frenchbot.booking import selectors, services
from frenchbot.booking.forms import format_start
from frenchbot.booking.models import Booking
from frenchbot.leads.models import LeadEvent

from .factories import EventTypeFactory, StaffUserFactory, TeamMemberFactory, every_day
from .helpers import paris

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
BOOKINGS_URL = "/equipe/rendez-vous/"


@pytest.fixture
def event_type():
    return EventTypeFactory(
        slug="appel-audit-offert", members=[TeamMemberFactory(hours=every_day())], min_notice_minutes=60
    )


@pytest.fixture
def audit():
    questionnaire = Questionnaire.objects.create(track=Track.BUSINESS, title="Audit IA — entreprise")
    return Audit.objects.create(
        questionnaire=questionnaire, track="business", answers={}, scores={}, overall=42, level="explorer"
    )


def _form_data(slot, **overrides):
    data = {
        "start": format_start(slot.start),
        "tz": "Europe/Paris",
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "consent": "on",
    }
    data.update(overrides)
    return data


def _book(event_type, *, start, now, audit=None):
    return services.booking_create(
        event_type=event_type,
        start=start,
        name="Jeanne Dupont",
        email="jeanne@example.fr",
        consent=True,
        consent_text="J'accepte d'être recontactée.",
        audit=audit,
        now=now,
    )


def _past_booking(event_type, *, audit=None, days_ago=3):
    """A call that took place `days_ago` days ago at 10 h (Paris), booked the week before."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    start = paris(day.year, day.month, day.day, 10)
    return _book(event_type, start=start, now=start - datetime.timedelta(days=7), audit=audit)


def _goals(name):
    return list(Goal.objects.filter(name=name))


def _noter(client, *, perms=("view_booking", "change_booking")):
    user = StaffUserFactory(username="noteur")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="booking", codename__in=perms)
    )
    client.force_login(user)
    return user


# --- call_booked ------------------------------------------------------------------------------------------------


def test_booking_through_the_page_records_one_call_booked(
    client, event_type, django_capture_on_commit_callbacks
):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("booking:book", args=[event_type.slug]), _form_data(slot), HTTP_USER_AGENT=BROWSER
        )
    assert response.status_code == 302
    [goal] = _goals("call_booked")
    booking = Booking.objects.get()
    assert goal.subject == subject_key(booking)
    assert goal.visitor is not None
    assert goal.follows == ""


def test_booking_through_the_api_records_it_too(client, event_type, django_capture_on_commit_callbacks):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    payload = {
        "event_type": event_type.slug,
        "start": slot.start.isoformat(),
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "consent": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/booking/bookings",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_USER_AGENT=BROWSER,
        )
    assert response.status_code == 201
    [goal] = _goals("call_booked")
    assert goal.subject == subject_key(Booking.objects.get())


def test_a_booking_follows_the_audit_it_brings(event_type, audit, django_capture_on_commit_callbacks):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(event_type, start=slot.start, now=timezone.now(), audit=audit)
    [goal] = _goals("call_booked")
    assert (goal.subject, goal.follows) == (subject_key(booking), subject_key(audit))


def test_an_invalid_form_records_nothing(client, event_type, django_capture_on_commit_callbacks):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("booking:book", args=[event_type.slug]),
            _form_data(slot, consent=""),
            HTTP_USER_AGENT=BROWSER,
        )
    assert response.status_code != 302
    assert not Booking.objects.exists()
    assert not Goal.objects.exists()


def test_staff_booking_on_the_site_are_not_counted(client, event_type, django_capture_on_commit_callbacks):
    client.force_login(StaffUserFactory(username="essai"))
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("booking:book", args=[event_type.slug]), _form_data(slot), HTTP_USER_AGENT=BROWSER
        )
    assert response.status_code == 302
    assert Booking.objects.count() == 1
    assert not Goal.objects.exists()


# --- call_held: the service ---------------------------------------------------------------------------------


def test_held_twice_records_one_goal_that_follows_the_audit(
    event_type, audit, django_capture_on_commit_callbacks
):
    booking = _past_booking(event_type, audit=audit)
    staff = StaffUserFactory(username="camille")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_outcome_set(booking=booking, outcome="held", by=staff)
        services.booking_outcome_set(booking=booking, outcome="held", by=staff)
    booking.refresh_from_db()
    assert booking.outcome == Booking.Outcome.HELD and booking.outcome_at is not None
    [goal] = _goals("call_held")
    assert (goal.subject, goal.follows, goal.visitor) == (subject_key(booking), subject_key(audit), None)
    event = LeadEvent.objects.get(kind=LeadEvent.Kind.BOOKING_HELD)
    assert event.author == staff and event.lead_id == booking.lead_id
    assert event.get_kind_display() == "Rendez-vous tenu"


def test_a_correction_back_to_held_is_not_counted_again(event_type, django_capture_on_commit_callbacks):
    booking = _past_booking(event_type)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_outcome_set(booking=booking, outcome="held", by=None)
        services.booking_outcome_set(booking=booking, outcome="no_show", by=None)
        services.booking_outcome_set(booking=booking, outcome="held", by=None)
    assert len(_goals("call_held")) == 1
    assert LeadEvent.objects.filter(kind=LeadEvent.Kind.BOOKING_NO_SHOW).count() == 1


def test_a_no_show_records_no_goal(event_type, django_capture_on_commit_callbacks):
    booking = _past_booking(event_type)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_outcome_set(booking=booking, outcome="no_show", by=None)
    booking.refresh_from_db()
    assert booking.outcome == Booking.Outcome.NO_SHOW
    assert booking.get_outcome_display() == "Absent"
    assert not Goal.objects.exists()


def test_a_moved_call_held_follows_the_booking_first_made(event_type, django_capture_on_commit_callbacks):
    day = timezone.localdate() - datetime.timedelta(days=3)
    first = _book(
        event_type,
        start=paris(day.year, day.month, day.day, 10),
        now=paris(day.year, day.month, day.day, 10) - datetime.timedelta(days=7),
    )
    moved = services.booking_reschedule(
        booking=first,
        start=paris(day.year, day.month, day.day, 11),
        now=paris(day.year, day.month, day.day, 10) - datetime.timedelta(days=6),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_outcome_set(booking=moved, outcome="held", by=None)
    [goal] = _goals("call_held")
    assert (goal.subject, goal.follows) == (subject_key(moved), subject_key(first))


def test_a_call_to_come_or_cancelled_is_refused_in_french(event_type, django_capture_on_commit_callbacks):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    future = _book(event_type, start=slot.start, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.BookingError) as refused:
        services.booking_outcome_set(booking=future, outcome="held", by=None)
    assert refused.value.message == (
        "Ce rendez-vous n'a pas encore commencé\u00a0: notez la présence une fois l'heure venue."
    )
    services.booking_cancel(booking=future, now=timezone.now())
    with pytest.raises(services.BookingError) as cancelled:
        services.booking_outcome_set(booking=future, outcome="held", by=None, now=future.end)
    assert cancelled.value.code == "cancelled"
    with pytest.raises(services.BookingError):
        services.booking_outcome_set(booking=_past_booking(event_type), outcome="peut-être", by=None)
    future.refresh_from_db()
    assert future.outcome == ""
    assert not Goal.objects.filter(name="call_held").exists()


# --- call_held: the back-office page -----------------------------------------------------------------------


def test_the_page_offers_held_and_absent_on_past_calls_only(client, event_type):
    past = _past_booking(event_type)
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    future = _book(event_type, start=slot.start, now=timezone.now())
    _noter(client)
    html = client.get(BOOKINGS_URL).content.decode()
    assert reverse("backoffice:booking_outcome", args=[past.public_id]) in html
    assert reverse("backoffice:booking_outcome", args=[future.public_id]) not in html
    assert "Non renseigné" in html


def test_the_buttons_note_the_outcome_once(client, event_type, django_capture_on_commit_callbacks):
    booking = _past_booking(event_type)
    _noter(client)
    url = reverse("backoffice:booking_outcome", args=[booking.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"outcome": "held"})
        again = client.post(url, {"outcome": "held"}, follow=True)
    assert response.status_code == 302 and response["Location"] == BOOKINGS_URL
    assert "Présence notée pour le rendez-vous de Jeanne Dupont\u00a0: «\u00a0Tenu\u00a0»." in (
        again.content.decode()
    )
    booking.refresh_from_db()
    assert booking.outcome == "held"
    assert len(_goals("call_held")) == 1
    # The page shows it, and offers the other choice only.
    html = client.get(BOOKINGS_URL).content.decode()
    assert 'name="outcome" value="no_show"' in html
    assert 'name="outcome" value="held"' not in html


def test_a_call_to_come_gets_the_french_message_on_the_page(client, event_type):
    slot = selectors.slot_first_available(event_type=event_type, tz="Europe/Paris")
    future = _book(event_type, start=slot.start, now=timezone.now())
    _noter(client)
    response = client.post(
        reverse("backoffice:booking_outcome", args=[future.public_id]), {"outcome": "held"}, follow=True
    )
    assert response.status_code == 200
    assert "pas encore commencé\u00a0: notez la présence" in response.content.decode()
    future.refresh_from_db()
    assert future.outcome == ""


def test_the_buttons_need_the_change_permission(client, event_type):
    booking = _past_booking(event_type)
    _noter(client, perms=("view_booking",))
    url = reverse("backoffice:booking_outcome", args=[booking.public_id])
    assert client.post(url, {"outcome": "held"}).status_code == 403
    assert 'name="outcome"' not in client.get(BOOKINGS_URL).content.decode()
    client.logout()
    assert client.post(url, {"outcome": "held"}).status_code == 302  # to the login page
    booking.refresh_from_db()
    assert booking.outcome == ""
    assert not Goal.objects.exists()


def test_the_buttons_need_a_post_with_its_csrf_token(event_type):
    from django.test import Client

    booking = _past_booking(event_type)
    client = Client(enforce_csrf_checks=True)
    _noter(client)
    url = reverse("backoffice:booking_outcome", args=[booking.public_id])
    assert client.get(url).status_code == 405
    assert client.post(url, {"outcome": "held"}).status_code == 403
    booking.refresh_from_db()
    assert booking.outcome == ""


def test_an_unknown_booking_is_a_404(client):
    _noter(client)
    url = reverse("backoffice:booking_outcome", args=["00000000-0000-0000-0000-000000000000"])
    assert client.post(url, {"outcome": "held"}).status_code == 404
