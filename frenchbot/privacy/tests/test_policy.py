"""The privacy policy is rendered from the declarations and names the AI provider the configuration uses."""

import pytest
from django.urls import reverse

from frenchbot.privacy import registry

pytestmark = pytest.mark.django_db


def _policy(client) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", client.get(reverse("pages:privacy")).content.decode()))


def test_every_declared_treatment_is_in_the_policy_with_its_basis_and_retention(client):
    text = _policy(client)
    for treatment in registry.treatments():
        assert str(treatment.name) in text
        assert treatment.retention_text()[1:] in text
        for paragraph in treatment.paragraphs():
            assert paragraph in text


def test_with_the_offline_default_the_policy_says_nothing_leaves_the_server(client):
    text = _policy(client)
    assert "aucun prestataire externe n'intervient" in text


def test_an_external_llm_provider_is_named_with_where_it_processes_data(client, settings):
    settings.LLM_PROVIDERS = {
        **settings.LLM_PROVIDERS,
        "default": {
            "BACKEND": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider",
            "OPTIONS": {"base_url": "https://api.mistral.ai/v1", "api_key": "k", "model": "mistral-small"},
        },
    }
    settings.RETRIEVAL_EMBEDDERS = {
        "default": {
            "BACKEND": "frenchbot.retrieval.embedders.OpenAICompatibleEmbedder",
            "OPTIONS": {
                "base_url": "https://api.openai.com/v1",
                "api_key": "k",
                "model": "text-embedding-3-small",
            },
        }
    }
    text = _policy(client)
    assert "Mistral AI (api.mistral.ai)" in text and "dans l'Union européenne" in text
    assert "OpenAI (api.openai.com)" in text and "hors de l'Union européenne" in text
    assert "aucun prestataire externe" not in text


def test_a_provider_on_our_own_network_is_not_an_external_processor(client, settings):
    settings.LLM_PROVIDERS = {
        **settings.LLM_PROVIDERS,
        "default": {
            "BACKEND": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider",
            "OPTIONS": {"base_url": "http://127.0.0.1:8080/v1", "api_key": "", "model": "llama"},
        },
    }
    assert "aucun prestataire externe n'intervient" in _policy(client)


def test_the_bots_disclosure_links_to_the_policys_ai_section(client):
    page = client.get(reverse("assistant:page")).content.decode()
    assert reverse("pages:privacy") + "#ia" in page
    assert 'id="ia"' in client.get(reverse("pages:privacy")).content.decode()


def test_the_policy_sends_the_person_to_the_rights_page(client):
    assert reverse("privacy:request") in client.get(reverse("pages:privacy")).content.decode()
