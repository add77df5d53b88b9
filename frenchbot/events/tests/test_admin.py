import pytest
from django.urls import reverse

from frenchbot.events.models import Registration

from .factories import EventFactory, register

pytestmark = pytest.mark.django_db


def test_the_event_admin_lists_counts_and_shows_registrations_read_only(admin_client):
    event = EventFactory(title="Atelier devis", seats=1)
    register(event, 1, name="Jeanne Dupont")
    register(event, 2)
    changelist = admin_client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "Atelier devis" in changelist
    page = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "Jeanne Dupont" in page
    assert 'name="registrations-0-name"' not in page  # read only


def test_adding_seats_in_the_admin_promotes_the_waiting_list(
    admin_client, django_capture_on_commit_callbacks
):
    event = EventFactory(seats=1)
    register(event, 1)
    waiting = register(event, 2)
    form = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "starts_at_0": event.starts_at.astimezone().strftime("%d/%m/%Y"),
            "starts_at_1": event.starts_at.astimezone().strftime("%H:%M:%S"),
            "seats": 2,
            "training": "",
            "registrations-TOTAL_FORMS": 0,
            "registrations-INITIAL_FORMS": 0,
        }
    )
    data.pop("starts_at", None)
    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.seat) == (Registration.Status.CONFIRMED, 2)
