"""The registry (``LLM_PROVIDERS``) and the settings that fill it from the environment."""

import runpy

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from frenchbot.llm import get_provider, providers_available
from frenchbot.llm.providers.extractive import ExtractiveProvider
from frenchbot.llm.providers.fake import FakeProvider
from frenchbot.llm.providers.openai_compatible import OpenAICompatibleProvider

EXTRACTIVE = "frenchbot.llm.providers.extractive.ExtractiveProvider"
FAKE = "frenchbot.llm.providers.fake.FakeProvider"


def configure(settings, providers, default="default"):
    settings.LLM_PROVIDERS = providers
    settings.LLM_DEFAULT_PROVIDER = default


# ---------------------------------------------------------------------------------------------------------------
# get_provider


def test_default_alias_and_one_instance_per_alias(settings):
    configure(
        settings,
        {
            "default": {"BACKEND": FAKE, "OPTIONS": {"replies": ["A"]}},
            "secours": {"BACKEND": EXTRACTIVE},
        },
    )
    provider = get_provider()
    assert isinstance(provider, FakeProvider)
    assert provider.alias == "default"
    assert get_provider("default") is provider
    assert get_provider() is provider
    fallback = get_provider("secours")
    assert isinstance(fallback, ExtractiveProvider)
    assert fallback.alias == "secours"


def test_the_default_alias_comes_from_the_setting(settings):
    configure(settings, {"rapide": {"BACKEND": FAKE}, "default": {"BACKEND": EXTRACTIVE}}, default="rapide")
    assert isinstance(get_provider(), FakeProvider)
    settings.LLM_DEFAULT_PROVIDER = "default"
    assert isinstance(get_provider(), ExtractiveProvider)


def test_a_settings_change_builds_new_instances(settings):
    configure(settings, {"default": {"BACKEND": FAKE, "OPTIONS": {"replies": ["A"]}}})
    first = get_provider()
    settings.LLM_PROVIDERS = {"default": {"BACKEND": FAKE, "OPTIONS": {"replies": ["B"]}}}
    second = get_provider()
    assert second is not first
    assert second.replies == ["B"]


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"OPTIONS": {}}, "needs a BACKEND"),
        (
            {"BACKEND": "frenchbot.llm.providers.nowhere.Provider"},
            "cannot import 'frenchbot.llm.providers.nowhere",
        ),
        ({"BACKEND": "collections.OrderedDict"}, "is not a Provider subclass"),
        ({"BACKEND": FAKE, "OPTIONS": {"colour": "bleu"}}, "invalid OPTIONS"),
        ({"BACKEND": FAKE, "OPTIONS": {"replies": []}}, "invalid OPTIONS: replies needs at least one reply"),
        (
            {"BACKEND": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider", "OPTIONS": {}},
            "invalid OPTIONS",
        ),
        (
            {
                "BACKEND": "frenchbot.llm.providers.local.LocalLlamaProvider",
                "OPTIONS": {"model_path": "/nonexistent/model.gguf"},
            },
            # The missing file, or, without llama-cpp-python, the install hint.
            r"model\.gguf|pip install",
        ),
    ],
)
def test_bad_configuration_names_the_alias(settings, entry, message):
    configure(settings, {"default": {"BACKEND": EXTRACTIVE}, "cassé": entry})
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        get_provider("cassé")
    assert "LLM_PROVIDERS['cassé']" in str(caught.value)


def test_an_unknown_alias_is_named_with_the_configured_ones(settings):
    configure(settings, {"default": {"BACKEND": EXTRACTIVE}, "secours": {"BACKEND": EXTRACTIVE}})
    with pytest.raises(ImproperlyConfigured, match=r"no 'grok' entry \(configured: default, secours\)"):
        get_provider("grok")


def test_providers_available_lists_what_can_be_built_in_order(settings):
    configure(
        settings,
        {
            "default": {"BACKEND": FAKE},
            "cassé": {"BACKEND": "frenchbot.llm.providers.nowhere.Provider"},
            "extractive": {"BACKEND": EXTRACTIVE},
        },
    )
    assert providers_available() == ["default", "extractive"]


# ---------------------------------------------------------------------------------------------------------------
# The settings built from the environment


def load_settings(monkeypatch, tmp_path, **variables):
    """Run ``config/settings/base.py`` afresh with exactly these environment variables (and no .env file)."""
    import config.settings.base

    environment = {"SECRET_KEY": "test", "FRENCHBOT_VAR_DIR": str(tmp_path), **variables}
    monkeypatch.setattr(environ.Env, "ENVIRON", environment)
    monkeypatch.setattr(environ.Env, "read_env", classmethod(lambda cls, *args, **kwargs: None))
    return runpy.run_path(config.settings.base.__file__)


def test_with_no_environment_the_default_provider_is_extractive(monkeypatch, tmp_path, settings):
    values = load_settings(monkeypatch, tmp_path)
    assert values["LLM_DEFAULT_PROVIDER"] == "default"
    assert values["LLM_PROVIDERS"]["default"]["BACKEND"] == EXTRACTIVE
    assert values["LLM_PROVIDERS"]["extractive"]["BACKEND"] == EXTRACTIVE
    configure(settings, values["LLM_PROVIDERS"], values["LLM_DEFAULT_PROVIDER"])
    assert isinstance(get_provider(), ExtractiveProvider)


def test_the_openai_provider_from_the_environment(monkeypatch, tmp_path, settings):
    values = load_settings(
        monkeypatch,
        tmp_path,
        LLM_PROVIDER="openai",
        LLM_BASE_URL="https://api.x.ai/v1",
        LLM_API_KEY="xai-secret",
        LLM_MODEL="grok-3-mini",
        LLM_TIMEOUT="12.5",
        LLM_MAX_RETRIES="4",
    )
    configure(settings, values["LLM_PROVIDERS"], values["LLM_DEFAULT_PROVIDER"])
    provider = get_provider()
    assert isinstance(provider, OpenAICompatibleProvider)
    assert (provider.base_url, provider.model_id, provider.timeout) == (
        "https://api.x.ai/v1",
        "grok-3-mini",
        12.5,
    )
    assert provider.retry.max_retries == 4
    assert provider._api_key == "xai-secret"
    assert provider.display_name == "Grok (xAI)"
    assert isinstance(get_provider("extractive"), ExtractiveProvider)


def test_the_openai_provider_defaults(monkeypatch, tmp_path):
    options = load_settings(monkeypatch, tmp_path, LLM_PROVIDER="openai")["LLM_PROVIDERS"]["default"][
        "OPTIONS"
    ]
    assert options["base_url"] == "https://api.openai.com/v1"
    assert options["model"] == "gpt-4o-mini"
    assert options["api_key"] == ""
    assert options["display_name"] is None


def test_the_local_provider_from_the_environment(monkeypatch, tmp_path):
    values = load_settings(
        monkeypatch,
        tmp_path,
        LLM_PROVIDER="local",
        LLM_LOCAL_MODEL_PATH="models/mistral.gguf",
        LLM_LOCAL_N_CTX="4096",
        LLM_LOCAL_THREADS="3",
        LLM_DISPLAY_NAME="Mistral (sur nos serveurs)",
    )
    entry = values["LLM_PROVIDERS"]["default"]
    assert entry["BACKEND"] == "frenchbot.llm.providers.local.LocalLlamaProvider"
    assert entry["OPTIONS"] == {
        "model_path": "models/mistral.gguf",
        "n_ctx": 4096,
        "n_threads": 3,
        "timeout": 60.0,
        "display_name": "Mistral (sur nos serveurs)",
    }


def test_an_unknown_provider_name_is_refused(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="LLM_PROVIDER must be one of extractive, openai, local"):
        load_settings(monkeypatch, tmp_path, LLM_PROVIDER="chatgpt")
