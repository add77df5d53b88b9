"""The events' personal data: a person's registrations found by their address, exported in words; erasure cancels
what is still to come (the person is told, the waiting list moves up) and anonymises every registration, keeping
presence and ratings for the statistics, and nobody else's row changes."""

import datetime

import pytest
from django.db.models import Avg
from django.utils import translation

from frenchbot.events.models import Registration, SurveyResponse
from frenchbot.events.privacy import EVENTS
from frenchbot.events.services.followup import survey_submit
from frenchbot.privacy import registry
from frenchbot.privacy.registry import Subject
from frenchbot.privacy.testing import app_erase, app_mentions

from .factories import EventFactory, register
from .followup_rows import event_make, registration_make

pytestmark = pytest.mark.django_db


def _erase(subject: Subject) -> None:
    app_erase("events", subject)


def _mentions(needles) -> list[str]:
    return app_mentions("events", needles)


ALICE = "alice.durand@example.fr"
SUBJECT = Subject(emails=(ALICE.upper(),))


def _declaration(model):
    return registry.declaration_for(model._meta.label)


@pytest.fixture
def people():
    """Alice holds the only seat of a webinar to come, Wassim waits for it; at a past workshop Alice and Claude
    were present and rated it."""
    upcoming = EventFactory(seats=1, title="ChatGPT au bureau")
    alice_next = register(upcoming, 1, name="Alice Durand", email=ALICE, company="Durand Conseil")
    wassim = register(upcoming, 2, name="Wassim Haddad", email="wassim@example.fr")
    past = event_make(starts_in=-datetime.timedelta(hours=3), title="Atelier prompts")
    alice_past = registration_make(
        past, name="Alice Durand", email=ALICE, company="Durand Conseil", attended=True
    )
    claude = registration_make(past, name="Claude Petit", email="claude@example.fr", attended=True)
    alice_survey = survey_submit(registration=alice_past, rating=4, comment="Alice Durand a adoré, merci !")
    claude_survey = survey_submit(registration=claude, rating=2, comment="Un peu rapide.")
    return {
        "upcoming": upcoming,
        "alice_next": alice_next,
        "wassim": wassim,
        "alice_past": alice_past,
        "claude": claude,
        "alice_survey": alice_survey,
        "claude_survey": claude_survey,
    }


def test_the_rows_found_are_exactly_the_persons(people):
    assert set(_declaration(Registration).rows(SUBJECT)) == {people["alice_next"], people["alice_past"]}
    assert list(_declaration(SurveyResponse).rows(SUBJECT)) == [people["alice_survey"]]
    assert not _declaration(Registration).rows(Subject(user_id=1)).exists()


def test_the_rows_are_exported_in_words(people):
    registration = _declaration(Registration).export_row(people["alice_next"])
    assert registration["événement"] == "ChatGPT au bureau"
    assert (registration["nom"], registration["e-mail"]) == ("Alice Durand", ALICE)
    assert registration["entreprise"] == "Durand Conseil"
    assert registration["statut"] == "Inscrit"
    survey = _declaration(SurveyResponse).export_row(people["alice_survey"])
    assert survey == {
        "événement": "Atelier prompts",
        "note": 4,
        "commentaire": "Alice Durand a adoré, merci !",
        "répondu le": people["alice_survey"].created_at.isoformat(),
    }


def test_erasure_cancels_what_is_to_come_tells_the_person_and_moves_the_waiting_list(
    people, django_capture_on_commit_callbacks, mailoutbox
):
    # The e-mails' tasks run once the erasure's transaction has committed, as in production: the rows are
    # anonymised by then.
    with django_capture_on_commit_callbacks(execute=True):
        _erase(SUBJECT)

    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {ALICE, "wassim@example.fr"}
    cancellation = by_address[ALICE]
    assert cancellation.subject == "Inscription annulée\u00a0: ChatGPT au bureau"
    assert "Bonjour Alice Durand," in cancellation.body
    # The calendar's cancellation names her too, so that her calendar drops the event.
    calendar = next(part for part in cancellation.attachments if "calendar" in str(part.get_content_type()))
    assert ALICE in calendar.get_payload(decode=True).decode()
    assert "Une place s'est libérée" in by_address["wassim@example.fr"].subject

    wassim = Registration.objects.get(pk=people["wassim"].pk)
    assert (wassim.status, wassim.seat) == (Registration.Status.CONFIRMED, 1)
    assert wassim.name == "Wassim Haddad"


def test_erasure_leaves_nothing_of_the_person_but_keeps_the_statistics(people):
    _erase(SUBJECT)

    assert _mentions(["alice", "durand"]) == []
    upcoming = Registration.objects.get(pk=people["alice_next"].pk)
    assert upcoming.status == Registration.Status.CANCELLED
    past = Registration.objects.get(pk=people["alice_past"].pk)
    assert (past.status, past.attended, past.lead_id) == (Registration.Status.CONFIRMED, True, None)
    assert past.email.endswith("@anonyme.invalid") and past.name == past.company == past.consent_text == ""
    survey = SurveyResponse.objects.get(pk=people["alice_survey"].pk)
    assert (survey.rating, survey.comment) == (4, "")
    assert SurveyResponse.objects.aggregate(average=Avg("rating"))["average"] == 3

    # The others' rows are untouched.
    claude = Registration.objects.get(pk=people["claude"].pk)
    assert (claude.name, claude.email) == ("Claude Petit", "claude@example.fr")
    assert SurveyResponse.objects.get(pk=people["claude_survey"].pk).comment == "Un peu rapide."
    assert Registration.objects.get(pk=people["wassim"].pk).email == "wassim@example.fr"


def test_two_erased_registrations_to_one_event_do_not_collide(people):
    # One live registration per address and event: each anonymised row gets an address of its own.
    _erase(SUBJECT)
    _erase(Subject(emails=("claude@example.fr",)))
    past = Registration.objects.filter(event=people["alice_past"].event)
    assert past.filter(email__endswith="@anonyme.invalid").count() == 2


def test_a_correction_reaches_every_registration(people):
    declaration = _declaration(Registration)
    changed = declaration.rectify(
        declaration.rows(SUBJECT), name="Alice Durand-Roy", email="Alice.Roy@example.fr"
    )
    assert changed == 2
    for key in ("alice_next", "alice_past"):
        registration = Registration.objects.get(pk=people[key].pk)
        assert (registration.name, registration.email) == ("Alice Durand-Roy", "alice.roy@example.fr")
    assert Registration.objects.get(pk=people["claude"].pk).name == "Claude Petit"


def test_the_treatment_is_the_policys_paragraph():
    assert str(EVENTS.name) == "Événements (webinaires et ateliers)"
    assert "des rappels avant l'événement\u00a0;" not in str(
        EVENTS.description
    )  # verbatim: a plain space there
    assert "des rappels avant l'événement ; leurs liens" in str(EVENTS.description)
    with translation.override("en"):
        assert str(EVENTS.description).startswith("To register, you provide your name")
