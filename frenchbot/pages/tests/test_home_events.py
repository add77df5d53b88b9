"""The home page's « Événements à venir »: the next three published events as cards, with the date in French,
the kind and the seats left."""

import datetime
import zoneinfo
from html import unescape

import pytest

from frenchbot.events.models import Registration
from frenchbot.events.tests.followup_rows import event_make, registration_make

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DAY = datetime.timedelta(days=1)


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_home_page_shows_the_next_three_events_with_their_seats_left(client):
    workshop = event_make(
        starts_in=16 * DAY, kind="workshop", title="Atelier automatisation", seats=12, place="Lyon"
    )
    for _ in range(10):
        registration_make(workshop)
    registration_make(workshop, status=Registration.Status.CANCELLED)
    webinar = event_make(starts_in=9 * DAY, title="Webinaire AI Act", seats=100)
    event_make(starts_in=30 * DAY, title="Troisième événement")
    event_make(starts_in=60 * DAY, title="Quatrième événement trop loin")
    event_make(starts_in=-10 * DAY, title="Événement passé")
    event_make(starts_in=5 * DAY, title="Événement non publié", is_published=False)

    html = _home(client)
    assert "Événements à venir" in html
    assert html.index("Webinaire AI Act") < html.index("Atelier automatisation") < html.index("Troisième")
    assert "Quatrième événement" not in html
    assert "Événement passé" not in html and "Événement non publié" not in html
    assert "Plus que 2 places" in html
    assert "100 places disponibles" in html
    local = webinar.starts_at.astimezone(PARIS)
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assert f"{local.day} {months[local.month - 1]} {local.year}" in html
    assert "Atelier" in html and "Webinaire" in html
    assert f'href="/evenements/{webinar.slug}/"' in html
    assert 'href="/evenements/"' in html


def test_a_full_event_says_so_and_an_empty_calendar_says_what_comes_next(client):
    assert "Aucun événement n'est programmé pour le moment" in _home(client)
    full = event_make(starts_in=3 * DAY, seats=1, title="Petit atelier")
    registration_make(full)
    assert "Complet\u00a0: inscription sur liste d'attente" in _home(client)


def test_a_new_registration_shows_on_the_cached_home_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    workshop = event_make(starts_in=16 * DAY, seats=12, title="Atelier")
    for _ in range(9):
        registration_make(workshop)
    assert "Plus que 3 places" in _home(client)
    with django_capture_on_commit_callbacks(execute=True):
        registration_make(workshop)
    assert "Plus que 2 places" in _home(client)
