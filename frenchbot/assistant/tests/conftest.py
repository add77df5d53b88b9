import pytest

from frenchbot.llm.registry import get_provider
from frenchbot.retrieval.models import Visibility
from frenchbot.retrieval.services import document_index

PROMPT_ARTICLE = """## Donner un rôle

Commencez votre prompt en donnant un rôle à ChatGPT : « vous êtes juriste en droit du travail ». Le rôle oriente le vocabulaire et le niveau de détail de la réponse.

## Préciser le format

Dites quel format vous attendez : un tableau, une liste à puces ou un e-mail de cinq lignes. Sans consigne de format, ChatGPT choisit pour vous.
"""

STAFF_NOTE = """## Tarifs négociés

Le tarif plancher accordé aux grands comptes est de 900 euros par jour de formation.
"""


@pytest.fixture
def content(db):
    """Our content as the bot sees it: a public article and a staff-only note."""
    document_index(
        source="blog", source_id="1", title="Écrire un bon prompt", url="/blog/prompt/", text=PROMPT_ARTICLE
    )
    document_index(
        source="notes",
        source_id="1",
        title="Notes internes",
        url="/notes/tarifs/",
        text=STAFF_NOTE,
        visibility=Visibility.STAFF,
    )


@pytest.fixture
def use_provider(settings):
    """Point the bot at a scripted provider: use_provider(replies=[...], delay=..., ...) returns it.

    Every message then goes to the model (the intent layer is set aside): these tests are about the model's path,
    the prompt it gets and what is done with its answer. The intent layer has its own tests (test_intents.py).
    """

    def configure(**options):
        settings.ASSISTANT_INTENTS = False
        settings.LLM_PROVIDERS = {
            "default": {"BACKEND": "frenchbot.llm.providers.fake.FakeProvider", "OPTIONS": options},
            "extractive": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}},
        }
        settings.LLM_DEFAULT_PROVIDER = "default"
        return get_provider()

    return configure
