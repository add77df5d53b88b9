"""Events pages with their parts kept as fragments (FRAGMENT_CACHE_SECONDS on): a registration, an edit or the
end of an event shows on the next request, and the form stays each visitor's own."""

import datetime
import html as htmllib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.events import selectors

from .factories import EventFactory, in_hours, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def _get(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return htmllib.unescape(response.content.decode())


def test_a_registration_shows_at_once_in_the_seats_left(django_capture_on_commit_callbacks):
    event = EventFactory(seats=3)
    assert "Plus que 3 places" in _get(event.get_absolute_url())
    assert "Plus que 3 places" in _get(reverse("events:list"))

    with django_capture_on_commit_callbacks(execute=True):
        register(event, 1)
        register(event, 2)

    assert "Plus qu'une place" in _get(event.get_absolute_url())
    assert "Plus qu'une place" in _get(reverse("events:list"))


def test_an_edit_shows_at_once(django_capture_on_commit_callbacks):
    event = EventFactory(description_markdown="## Au programme\n\nÉcrire un prompt.")
    assert "Écrire un prompt." in _get(event.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        event.title = "Webinaire renommé"
        event.description_markdown = "## Au programme\n\nVérifier une réponse."
        event.save()

    html = _get(event.get_absolute_url())
    assert "Vérifier une réponse." in html and "Écrire un prompt." not in html
    assert "Webinaire renommé" in _get(reverse("events:list"))


def test_the_form_stays_each_visitors_own():
    event = EventFactory()
    first, second = _get(event.get_absolute_url()), _get(event.get_absolute_url())
    token = 'name="csrfmiddlewaretoken" value="'
    assert first.split(token)[1][:64] != second.split(token)[1][:64]
    response = Client().post(reverse("events:register", args=[event.slug]), {"name": "", "email": "x"})
    assert "Indiquez votre nom." in response.content.decode()


def test_an_event_that_ends_leaves_the_upcoming_ones_without_any_write(monkeypatch):
    event = EventFactory(title="Atelier de ce matin", starts_at=in_hours(-0.5), duration_minutes=60)
    listed = _get(reverse("events:list"))
    assert "Atelier de ce matin" in listed.split("Événements passés")[0]
    assert "Cet événement a commencé" in _get(event.get_absolute_url())

    later = timezone.now() + datetime.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    listed = _get(reverse("events:list"))
    assert "Événements passés" in listed and "Atelier de ce matin" in listed.split("Événements passés")[1]
    assert "Cet événement est passé" in _get(event.get_absolute_url())


def test_the_list_period_moves_at_each_end_and_only_then():
    event = EventFactory(starts_at=in_hours(1), duration_minutes=60)
    ends = event.starts_at + datetime.timedelta(minutes=60)
    before = selectors.events_list_period(version=1, now=ends - datetime.timedelta(microseconds=1))
    assert selectors.events_list_period(version=1, now=event.starts_at - datetime.timedelta(minutes=5)) == (
        selectors.events_list_period(version=1, now=event.starts_at)
    )
    assert selectors.events_list_period(version=1, now=ends) == before + 1
