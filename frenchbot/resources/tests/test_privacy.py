"""The resources' personal data: guide requests found by their address and favourites by their account, exported
in words, deleted without touching anyone else's."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from frenchbot.privacy import registry
from frenchbot.privacy.registry import Subject
from frenchbot.privacy.testing import app_erase
from frenchbot.resources.models import GuideRequest, PromptFavourite
from frenchbot.resources.privacy import FAVOURITES, GUIDES

from .factories import GuideFactory, GuideRequestFactory, PromptFactory

pytestmark = pytest.mark.django_db


def _erase(subject: Subject) -> None:
    app_erase("resources", subject)


User = get_user_model()


def _declaration(model):
    return registry.declaration_for(model._meta.label)


@pytest.fixture
def people():
    """Inès asked for two guides and keeps a favourite; Hugo asked for one and keeps the same favourite."""
    ines = User.objects.create_user(username="ines", email="ines@example.fr")
    hugo = User.objects.create_user(username="hugo", email="hugo@example.fr")
    guide = GuideFactory(is_gated=True, title="Le guide de l'IA en PME")
    prompt = PromptFactory(title="Répondre à une réclamation")
    return {
        "ines": ines,
        "hugo": hugo,
        "ines_requests": [
            GuideRequestFactory(guide=guide, email="ines@example.fr", name="Inès Moreau"),
            GuideRequestFactory(email="Ines@Example.fr", name="Inès Moreau"),
        ],
        "hugo_request": GuideRequestFactory(guide=guide, email="hugo@example.fr", name="Hugo Blanc"),
        "ines_favourite": PromptFavourite.objects.create(user=ines, prompt=prompt),
        "hugo_favourite": PromptFavourite.objects.create(user=hugo, prompt=prompt),
    }


def _subject(people) -> Subject:
    return Subject(emails=("ines@example.fr",), user_id=people["ines"].pk)


def test_the_rows_found_are_exactly_the_persons(people):
    subject = _subject(people)
    assert set(_declaration(GuideRequest).rows(subject)) == set(people["ines_requests"])
    assert list(_declaration(PromptFavourite).rows(subject)) == [people["ines_favourite"]]
    # An address alone finds no favourite, an account alone no request.
    assert not _declaration(PromptFavourite).rows(Subject(emails=("ines@example.fr",))).exists()
    assert not _declaration(GuideRequest).rows(Subject(user_id=people["ines"].pk)).exists()


def test_the_rows_are_exported_in_words(people):
    request = _declaration(GuideRequest).export_row(people["ines_requests"][0])
    assert request["guide"] == "Le guide de l'IA en PME"
    assert (request["e-mail"], request["nom"]) == ("ines@example.fr", "Inès Moreau")
    assert request["texte du consentement"] == "J'accepte de recevoir ce guide par e-mail."
    favourite = _declaration(PromptFavourite).export_row(people["ines_favourite"])
    assert favourite["prompt"] == "Répondre à une réclamation"


def test_erasure_deletes_the_persons_rows_only(people):
    _erase(_subject(people))
    assert not GuideRequest.objects.filter(email__iexact="ines@example.fr").exists()
    assert not GuideRequest.objects.filter(name__icontains="Inès").exists()
    assert not PromptFavourite.objects.filter(user=people["ines"]).exists()
    assert list(GuideRequest.objects.all()) == [people["hugo_request"]]
    assert list(PromptFavourite.objects.all()) == [people["hugo_favourite"]]


def test_a_correction_reaches_the_requests(people):
    declaration = _declaration(GuideRequest)
    assert declaration.rectify(declaration.rows(_subject(people)), name="Inès Moreau-Petit", email=None) == 2
    assert set(GuideRequest.objects.values_list("name", flat=True)) == {"Inès Moreau-Petit", "Hugo Blanc"}


def test_the_retention_follows_the_setting(settings):
    settings.RESOURCES_REQUEST_RETENTION_DAYS = 90
    assert GUIDES.retention_text().startswith("90\u00a0jours après la demande")
    settings.RESOURCES_REQUEST_RETENTION_DAYS = 0
    assert GUIDES.retention_text() == "jusqu'à votre demande d'effacement"


def test_the_treatments_say_what_the_policy_says_in_both_languages():
    assert "elle est effacée au bout d'un an" in str(GUIDES.description)
    assert "Si vous marquez des prompts comme favoris" in str(FAVOURITES.description)
    with translation.override("en"):
        assert str(GUIDES.description).startswith("Some guides are sent by email")
        assert "favourite" in str(FAVOURITES.description) and "favoris" not in str(FAVOURITES.description)
