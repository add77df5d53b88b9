"""The public pages: the list, an event's page and its form, the registrant's pages from the e-mails' links.
The webinar's join link never reaches anyone but a confirmed registrant."""

import datetime
import html as htmllib
import json
import re

import pytest
from django.core import signing
from django.urls import reverse

from frenchbot.core.formguard import form_timestamp
from frenchbot.courses.tests.factories import TrainingFactory
from frenchbot.events.models import Registration
from frenchbot.events.services.registrations import registration_cancel, registration_token

from .factories import EventFactory, in_hours, register

pytestmark = pytest.mark.django_db
SECRET = "salle-secrete-4821"


def _html(response) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return htmllib.unescape(response.content.decode())


def _form(**overrides) -> dict:
    data = {
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "company": "Boulangerie Dupont",
        "consent": "on",
        "website": "",
        "ts": form_timestamp(),
    }
    data.update(overrides)
    return data


def _registration_page(client, registration) -> str:
    token = registration_token(registration=registration, action="view")
    return _html(client.get(reverse("events:registration", args=[token])))


def test_the_list_shows_upcoming_events_first_then_past_ones_with_their_replay(client):
    EventFactory(title="Atelier prompts", starts_at=in_hours(48), kind="workshop", place="Lyon", join_url="")
    EventFactory(
        title="Replay de novembre", starts_at=in_hours(-24 * 20), replay_url="https://video.example.fr/r"
    )
    html = _html(client.get("/evenements/"))
    assert html.index("Atelier prompts") < html.index("Replay de novembre")
    assert "Replay disponible" in html
    assert SECRET not in html


def test_the_event_page_gives_the_facts_and_the_form_but_not_the_join_link(client):
    training = TrainingFactory(title="ChatGPT au quotidien")
    event = EventFactory(
        title="ChatGPT pour les artisans",
        starts_at=datetime.datetime(2027, 12, 14, 13, 0, tzinfo=datetime.UTC),
        duration_minutes=90,
        seats=4,
        training=training,
        description_markdown="## Au programme\n\n**Des exemples** concrets.<script>alert(1)</script>",
    )
    register(event, 1)
    register(event, 2)
    response = client.get(event.get_absolute_url())
    html = _html(response)
    assert response.status_code == 200
    assert "<h1>ChatGPT pour les artisans</h1>" in html
    assert "mardi 14 décembre 2027 à 14\u00a0h\u00a000" in html
    assert "1\u00a0h\u00a030" in html
    assert "En ligne" in html
    assert "Camille Laurent" in html
    assert "<strong>Des exemples</strong>" in html and "<script>alert" not in response.content.decode()
    assert "Plus que 2 places" in html
    assert "ChatGPT au quotidien" in html
    assert 'name="consent"' in html and 'name="website"' in html and 'name="ts"' in html
    assert "Vous recevrez une confirmation par e-mail" in html
    assert SECRET not in html

    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Event"
    assert data["name"] == "ChatGPT pour les artisans"
    assert data["startDate"].startswith("2027-12-14T14:00:00+01:00")
    assert SECRET not in json.dumps(data)


def test_registering_leads_to_the_registrants_page_with_the_join_link(client):
    event = EventFactory(seats=3)
    response = client.post(reverse("events:register", args=[event.slug]), _form())
    assert response.status_code == 302
    assert "/evenements/inscription/" in response["Location"]
    page = _html(client.get(response["Location"]))
    assert "Votre inscription est confirmée" in page
    assert "n° 1" in page
    assert SECRET in page
    assert "Ajouter à mon agenda" in page
    registration = Registration.objects.get()
    assert (registration.name, registration.company) == ("Jeanne Dupont", "Boulangerie Dupont")
    assert "gérer mon inscription" in registration.consent_text


def test_a_full_event_puts_the_person_on_the_waiting_list_and_says_so(client):
    event = EventFactory(seats=1)
    register(event, 1)
    register(event, 2)
    assert "Complet" in _html(client.get(event.get_absolute_url()))
    response = client.post(reverse("events:register", args=[event.slug]), _form(), follow=True)
    html = _html(response)
    assert (
        "L'événement est complet\u00a0: vous êtes inscrit(e) sur la liste d'attente, en position 2." in html
    )
    assert SECRET not in html
    assert Registration.objects.get(email="jeanne@example.fr").status == Registration.Status.WAITLISTED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": ""}, "Cochez la case de consentement"),
        ({"email": "jeanne@"}, "ne semble pas valide"),
        ({"name": ""}, "Indiquez votre nom"),
        ({"website": "http://spam.example"}, "envoi automatique"),
        ({"ts": "falsifié"}, "Ce formulaire a expiré"),
    ],
)
def test_bad_input_redisplays_the_page_with_everything_typed(client, overrides, message):
    event = EventFactory()
    response = client.post(reverse("events:register", args=[event.slug]), _form(**overrides))
    html = _html(response)
    assert response.status_code == 400
    assert message in html
    assert 'value="Boulangerie Dupont"' in html
    assert SECRET not in html
    assert not Registration.objects.exists()


def test_a_form_sent_too_fast_is_taken_for_a_robot(client, settings):
    settings.EVENTS_REGISTRATION_MIN_FILL_SECONDS = 30
    event = EventFactory()
    response = client.post(reverse("events:register", args=[event.slug]), _form())
    assert response.status_code == 400
    assert "très rapide" in _html(response)
    assert 'value="jeanne@example.fr"' in _html(response)
    assert not Registration.objects.exists()


def test_a_second_registration_gets_a_friendly_notice(client):
    event = EventFactory()
    register(event, 1, email="jeanne@example.fr")
    response = client.post(reverse("events:register", args=[event.slug]), _form(email="JEANNE@example.fr"))
    html = _html(response)
    assert response.status_code == 200
    assert "déjà inscrit(e)" in html
    assert 'role="status"' in html
    assert Registration.objects.count() == 1


def test_the_registration_rate_limit_answers_429_and_keeps_the_input(client, settings):
    settings.EVENTS_REGISTRATION_RATE_LIMIT = 1
    event = EventFactory()
    client.post(reverse("events:register", args=[event.slug]), _form(email="a@example.fr"))
    response = client.post(reverse("events:register", args=[event.slug]), _form(email="b@example.fr"))
    assert response.status_code == 429
    assert "beaucoup d'inscriptions" in _html(response)
    assert 'value="b@example.fr"' in _html(response)


def test_a_past_event_shows_the_replay_instead_of_the_form_and_refuses_a_post(client):
    event = EventFactory(starts_at=in_hours(-48), replay_url="https://video.example.fr/replay")
    html = _html(client.get(event.get_absolute_url()))
    assert "https://video.example.fr/replay" in html
    assert 'name="consent"' not in html
    assert SECRET not in html
    response = client.post(reverse("events:register", args=[event.slug]), _form())
    assert response.status_code == 400
    assert "les inscriptions sont closes" in _html(response)
    assert not Registration.objects.exists()


def test_an_unknown_or_unpublished_event_is_a_404(client):
    assert client.get("/evenements/nulle-part/").status_code == 404
    hidden = EventFactory(is_published=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_the_join_link_is_for_confirmed_registrants_only(client):
    event = EventFactory(seats=1)
    seated, waiting = register(event, 1), register(event, 2)
    assert SECRET in _registration_page(client, seated)
    waiting_page = _registration_page(client, waiting)
    assert "liste d'attente" in waiting_page and SECRET not in waiting_page
    token = registration_token(registration=waiting, action="cancel")
    assert SECRET not in _html(client.get(reverse("events:cancel", args=[token])))
    registration_cancel(registration=seated)
    assert SECRET not in _registration_page(client, seated)
    waiting.refresh_from_db()
    assert SECRET in _registration_page(client, waiting)  # promoted


def test_the_invitation_downloads_for_a_seat_holder_only(client):
    event = EventFactory(seats=1)
    seated, waiting = register(event, 1), register(event, 2)
    token = registration_token(registration=seated, action="view")
    response = client.get(reverse("events:ics", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content and SECRET.encode() in response.content
    token = registration_token(registration=waiting, action="view")
    response = client.get(reverse("events:ics", args=[token]))
    assert response.status_code == 404
    assert SECRET not in _html(response)


def test_cancel_asks_first_then_cancels_on_post(client):
    event = EventFactory(seats=1)
    seated, waiting = register(event, 1), register(event, 2)
    url = reverse("events:cancel", args=[registration_token(registration=seated, action="cancel")])
    page = _html(client.get(url))
    assert "Oui, annuler mon inscription" in page
    seated.refresh_from_db()
    assert seated.status == Registration.Status.CONFIRMED  # a GET (a mail scanner) cancels nothing

    response = client.post(url)
    assert response.status_code == 200
    assert "Votre inscription est annulée" in _html(response)
    seated.refresh_from_db(), waiting.refresh_from_db()
    assert seated.status == Registration.Status.CANCELLED
    assert (waiting.status, waiting.seat) == (Registration.Status.CONFIRMED, 1)
    assert client.post(url).status_code == 200  # twice: nothing more happens
    assert "déjà annulée" in _html(client.get(url))


def test_cancelling_after_the_start_is_refused_on_the_page(client):
    event = EventFactory(starts_at=in_hours(2))
    registration = register(event, 1)
    event.starts_at = in_hours(-0.1)
    event.save()
    url = reverse("events:cancel", args=[registration_token(registration=registration, action="cancel")])
    response = client.post(url)
    assert response.status_code == 400
    assert "déjà commencé" in _html(response)


def test_forged_expired_or_misused_links_get_a_clear_french_page(client, settings):
    registration = register(EventFactory(), 1)
    view_token = registration_token(registration=registration, action="view")
    forged = client.get(reverse("events:registration", args=[view_token[:-3] + "abc"]))
    assert forged.status_code == 400
    assert "Ce lien n'est pas valide" in _html(forged)
    # A page link used to cancel.
    wrong = client.post(reverse("events:cancel", args=[view_token]))
    assert wrong.status_code == 400
    assert "pas valide pour cette action" in _html(wrong)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    # Too old.
    old = signing.dumps(
        {"r": registration.public_id.hex, "a": "view"}, salt="frenchbot.events.registration", compress=True
    )
    settings.EVENTS_LINK_MAX_AGE_DAYS = -1
    expired = client.get(reverse("events:registration", args=[old]))
    assert expired.status_code == 410
    assert "Ce lien a expiré" in _html(expired)
    assert client.get(reverse("events:ics", args=["n'importe-quoi"])).status_code == 400
