"""Staff move an event (or change its place or link): the people holding a seat get the new details and an
invitation that replaces the old one in their calendar, and their reminders follow the new date."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from frenchbot.events.models import Registration
from frenchbot.events.services.registrations import event_schedule_change, registration_cancel

from .factories import EventFactory, in_hours
from .test_emails import _body, _calendars, _register, _subject, _vevent

pytestmark = pytest.mark.django_db


def _move(capture, event, **changes):
    for name, value in changes.items():
        setattr(event, name, value)
    event.save()
    with capture(execute=True):
        return event_schedule_change(event=event)


def test_the_seat_holders_get_the_new_date_and_an_invitation_that_replaces_the_old(
    smtp_server, django_capture_on_commit_callbacks
):
    event = EventFactory(title="ChatGPT au bureau", seats=2, starts_at=in_hours(48))
    first = _register(django_capture_on_commit_callbacks, event, 1)
    _register(django_capture_on_commit_callbacks, event, 2)
    waiting = _register(django_capture_on_commit_callbacks, event, 3)
    old_uid = str(_vevent(_calendars(smtp_server[0])[0])["UID"])
    smtp_server.clear()

    new_start = (timezone.now() + datetime.timedelta(days=9)).replace(microsecond=0)
    assert _move(django_capture_on_commit_callbacks, event, starts_at=new_start) == 2

    assert sorted(m["To"] for m in smtp_server) == ["personne1@example.fr", "personne2@example.fr"]
    message = next(m for m in smtp_server if m["To"] == first.email)
    assert _subject(message) == "Changement : ChatGPT au bureau"
    vevent = _vevent(_calendars(message)[0])
    # The same event in the calendar, a later version of it, at the new time.
    assert str(vevent["UID"]) == old_uid
    assert int(vevent["SEQUENCE"]) == 1
    assert vevent.decoded("DTSTART") == new_start
    assert "remplace la précédente" in _body(message)
    assert waiting.email not in [m["To"] for m in smtp_server]

    # A cancellation afterwards still removes it: its SEQUENCE is above the update's.
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=Registration.objects.get(pk=first.pk))
    cancel = next(m for m in smtp_server if m["To"] == first.email)
    assert int(_vevent(_calendars(cancel)[0])["SEQUENCE"]) == 2


def test_reminders_already_sent_are_sent_again_for_the_new_date(
    smtp_server, django_capture_on_commit_callbacks
):
    event = EventFactory(starts_at=in_hours(20))
    registration = _register(django_capture_on_commit_callbacks, event, 1)
    Registration.objects.filter(pk=registration.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    Registration.objects.filter(pk=registration.pk).update(reminder_day_sent_at=timezone.now())
    _move(django_capture_on_commit_callbacks, event, starts_at=in_hours(24 * 7))
    registration.refresh_from_db()
    assert registration.reminder_day_sent_at is None


def test_an_event_over_tells_nobody(smtp_server, django_capture_on_commit_callbacks):
    event = EventFactory(starts_at=in_hours(2))
    _register(django_capture_on_commit_callbacks, event, 1)
    smtp_server.clear()
    event.starts_at = timezone.now() - datetime.timedelta(days=2)
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert event_schedule_change(event=event) == 0
    assert smtp_server == []


def test_moving_the_event_in_the_admin_tells_the_registrants(
    admin_client, smtp_server, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Atelier devis", kind="workshop", place="Lyon", join_url="", seats=5)
    _register(django_capture_on_commit_callbacks, event, 1)
    smtp_server.clear()
    form = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "starts_at_0": event.starts_at.astimezone().strftime("%d/%m/%Y"),
            "starts_at_1": event.starts_at.astimezone().strftime("%H:%M:%S"),
            "place": "Espace Comptoir, 3 place Bellecour, Lyon",
            "training": "",
            "registrations-TOTAL_FORMS": 0,
            "registrations-INITIAL_FORMS": 0,
        }
    )
    data.pop("starts_at", None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), data, follow=True)
    assert response.status_code == 200
    assert "reçoit les nouvelles informations" in response.content.decode()
    assert len(smtp_server) == 1
    assert "3 place Bellecour" in _body(smtp_server[0])
    assert "Bellecour" in str(_vevent(_calendars(smtp_server[0])[0])["LOCATION"])

    # Saving again with nothing changed tells nobody.
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert smtp_server == []
