"""The satisfaction survey: only a present registrant of a past event, a rating from 1 to 5 (refused otherwise
with a French message), one answer per registration, and a clear page for a forged or expired link."""

import datetime
from html import unescape

import pytest
from django.core import signing
from django.urls import reverse

from frenchbot.events.errors import EventError
from frenchbot.events.models import SurveyResponse
from frenchbot.events.services.followup import survey_submit
from frenchbot.events.services.registrations import registration_token
from frenchbot.leads.models import LeadEvent, Source
from frenchbot.leads.services import lead_touch

from .followup_rows import event_make, registration_make

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def attendee():
    event = event_make(starts_in=-3 * HOUR, title="Ce que l'AI Act change pour une PME")
    return registration_make(event, attended=True)


def _url(registration) -> str:
    return reverse("events:survey", args=[registration_token(registration=registration, action="survey")])


# --- Service ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [0, 6, -1, "", "abc", None, "4.5"])
def test_a_rating_outside_1_to_5_is_refused_in_french(attendee, rating):
    with pytest.raises(EventError) as refused:
        survey_submit(registration=attendee, rating=rating, comment="Très bien")
    assert refused.value.field == "rating"
    assert refused.value.message == "Choisissez une note de 1 (décevant) à 5 (excellent)."
    assert not SurveyResponse.objects.exists()


def test_a_second_answer_replaces_the_first(attendee):
    lead = lead_touch(email=attendee.email, source=Source.EVENT, event=LeadEvent.Kind.EVENT_REGISTERED)
    attendee.lead = lead
    attendee.save()
    survey_submit(registration=attendee, rating=2, comment="  Un peu rapide.  ")
    survey_submit(registration=attendee, rating="4", comment="Finalement, très utile.")
    answer = SurveyResponse.objects.get()
    assert (answer.rating, answer.comment) == (4, "Finalement, très utile.")
    # The lead's timeline tells the team once.
    assert lead.events.filter(kind="event_survey").count() == 1


def test_only_a_present_registrant_answers(attendee):
    absent = registration_make(attendee.event, attended=False)
    unmarked = registration_make(attendee.event)
    for registration in (absent, unmarked):
        with pytest.raises(EventError) as refused:
            survey_submit(registration=registration, rating=5)
        assert refused.value.code == "not_attended"
    assert not SurveyResponse.objects.exists()


def test_a_comment_too_long_is_refused(attendee):
    with pytest.raises(EventError) as refused:
        survey_submit(registration=attendee, rating=5, comment="a" * 3001)
    assert refused.value.field == "comment"


# --- Page ------------------------------------------------------------------------------------------------------


def test_the_page_offers_five_labelled_radio_buttons_then_thanks(client, attendee):
    url = _url(attendee)
    page = client.get(url)
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert "Votre avis sur «\u00a0Ce que l'AI Act change pour une PME\u00a0»" in html
    for value, label in [(1, "1 — décevant"), (3, "3 — correct"), (5, "5 — excellent")]:
        assert f'<input type="radio" name="rating" id="note-{value}" value="{value}"' in html
        assert f'<label for="note-{value}">{label}</label>' in html
    assert "<legend>Votre note" in html

    sent = client.post(url, {"rating": "5", "comment": "Clair et concret."})
    assert sent.status_code == 302
    thanks = client.get(sent["Location"])
    assert "Merci pour votre avis" in thanks.content.decode()
    assert "5/5" in thanks.content.decode()
    answer = SurveyResponse.objects.get(registration=attendee)
    assert (answer.rating, answer.comment) == (5, "Clair et concret.")
    # Coming back shows the answer, to change it.
    again = unescape(client.get(url).content.decode())
    assert "Vous avez déjà donné votre avis" in again
    assert 'value="5" checked' in again


def test_a_missing_rating_is_said_next_to_the_field_and_the_comment_is_kept(client, attendee):
    response = client.post(_url(attendee), {"comment": "Mon commentaire détaillé"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="note-erreurs"' in html and 'aria-describedby="note-erreurs"' in html
    assert "Choisissez une note de 1 (décevant) à 5 (excellent)." in html
    assert "Mon commentaire détaillé" in html
    assert not SurveyResponse.objects.exists()


def test_a_forged_rating_value_is_refused(client, attendee):
    response = client.post(_url(attendee), {"rating": "9"})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_a_forged_link_gets_a_clear_french_page(client, attendee):
    token = registration_token(registration=attendee, action="survey")
    response = client.get(reverse("events:survey", args=[token[:-3] + "abc"]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce lien ne fonctionne pas" in html
    assert "il a peut-être été coupé ou modifié" in html


def test_a_link_for_another_action_is_refused(client, attendee):
    token = registration_token(registration=attendee, action="cancel")
    response = client.get(reverse("events:survey", args=[token]))
    assert response.status_code == 400
    assert "pas valide pour cette action" in response.content.decode()


def test_an_expired_link_says_so(client, attendee, settings):
    token = registration_token(registration=attendee, action="survey")
    settings.EVENTS_LINK_MAX_AGE_DAYS = 0
    response = client.get(reverse("events:survey", args=[token]))
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.content.decode()


def test_an_absent_registrant_is_told_the_survey_is_for_attendees(client, attendee):
    absent = registration_make(attendee.event, attended=False)
    response = client.get(_url(absent))
    assert response.status_code == 403
    assert "réservé aux personnes présentes" in response.content.decode()
    assert client.post(_url(absent), {"rating": "1"}).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_the_survey_link_of_the_e_mail_leads_to_the_form(
    client, attendee, smtp_server, django_capture_on_commit_callbacks
):
    from frenchbot.events.services.followup import event_followup_send

    with django_capture_on_commit_callbacks(execute=True):
        event_followup_send(event=attendee.event)
    body = smtp_server[0].get_payload(decode=True).decode()
    path = body.split("/evenements/avis/", 1)[1].split()[0]
    response = client.post("/evenements/avis/" + path, {"rating": "4"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().rating == 4


def test_signing_is_not_bypassed_by_a_token_of_another_salt(client, attendee):
    token = signing.dumps({"r": attendee.public_id.hex, "a": "survey"}, compress=True)
    assert client.get(reverse("events:survey", args=[token])).status_code == 400
