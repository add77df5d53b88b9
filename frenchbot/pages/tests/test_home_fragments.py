"""The home page kept as fragments: it reads nothing once kept, and still follows a registration at once and an
event that ends, without any write."""

import datetime
from html import unescape

import pytest
from django.utils import timezone
from freezegun import freeze_time

from frenchbot.events.tests.followup_rows import event_make, registration_make

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 0


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_once_kept_the_home_page_reads_nothing(client, django_assert_num_queries):
    event_make(starts_in=3 * DAY, title="Webinaire AI Act")
    assert "Webinaire AI Act" in _home(client)
    with django_assert_num_queries(0):
        assert "Webinaire AI Act" in _home(client)


def test_a_registration_shows_at_once_in_the_seats_left(client, django_capture_on_commit_callbacks):
    workshop = event_make(starts_in=3 * DAY, kind="workshop", title="Atelier", seats=5, place="Lyon")
    assert "Plus que 5 places" in _home(client)
    with django_capture_on_commit_callbacks(execute=True):
        registration_make(workshop)
    assert "Plus que 4 places" in _home(client)


def test_an_event_leaves_the_cards_when_it_ends_without_any_write(client):
    now = timezone.now()
    with freeze_time(now) as frozen:
        event_make(starts_in=datetime.timedelta(minutes=30), title="Bientôt fini")
        event_make(starts_in=5 * DAY, title="La semaine prochaine")
        html = _home(client)
        assert "Bientôt fini" in html and "La semaine prochaine" in html
        frozen.move_to(now + datetime.timedelta(hours=3))
        html = _home(client)
        assert "Bientôt fini" not in html and "La semaine prochaine" in html
