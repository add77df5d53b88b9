"""The provider registry: ``settings.LLM_PROVIDERS`` resolved the Django way.

::

    LLM_PROVIDERS = {
        "default": {
            "BACKEND": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider",
            "OPTIONS": {"base_url": "https://api.openai.com/v1", "api_key": "sk-...", "model": "gpt-4o-mini"},
        },
        "extractive": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}},
    }
    LLM_DEFAULT_PROVIDER = "default"

``get_provider(alias)`` returns one shared instance per alias and per process (a local model is loaded once);
the cache is emptied when either setting changes (``override_settings`` in tests).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from frenchbot.core.backends import backend_build

from .base import Provider

__all__ = ["DEFAULT_PROVIDERS", "generative_provider", "get_provider", "providers_available"]

# With no setting at all the bot still answers: from the site's own content, with no model and no key.
DEFAULT_PROVIDERS = {
    "default": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}},
}

logger = logging.getLogger(__name__)

_providers: dict[str, Provider] = {}
_providers_lock = threading.Lock()


def _config() -> dict:
    return getattr(settings, "LLM_PROVIDERS", DEFAULT_PROVIDERS)


def get_provider(alias: str | None = None) -> Provider:
    """The provider configured under ``alias`` in ``settings.LLM_PROVIDERS`` (``None``: the one named by
    ``settings.LLM_DEFAULT_PROVIDER``, itself ``"default"`` when unset), one instance per alias per process.

    Raises ``ImproperlyConfigured``, naming the alias, for an unknown alias, a missing or unimportable
    ``BACKEND``, a class that is not a ``Provider`` or ``OPTIONS`` it does not accept (a local model whose
    library or file is missing included).
    """
    if alias is None:
        alias = getattr(settings, "LLM_DEFAULT_PROVIDER", "default")
    provider = _providers.get(alias)
    if provider is not None:
        return provider
    with _providers_lock:
        provider = _providers.get(alias)
        if provider is None:
            provider = _build_provider(alias)
            _providers[alias] = provider
    return provider


def providers_available() -> list[str]:
    """The aliases of ``settings.LLM_PROVIDERS`` that can be built here, in the order of the setting.

    An alias whose backend cannot be built (say, the local model without ``pip install .[local]``) is left out
    rather than raising, so that a page listing the choices still renders.
    """
    available = []
    for alias in _config():
        try:
            get_provider(alias)
        except ImproperlyConfigured:
            continue
        available.append(alias)
    return available


def generative_provider() -> Provider | None:
    """The default provider when it writes text of its own, else None: the one answer, for every app, to
    « is a generative model configured? ».

    None with the extractive default (it only quotes passages) and when the default provider cannot be built (a
    missing local model, say: logged, so the operator sees it; the features that need a model do without).
    """
    try:
        provider = get_provider()
    except ImproperlyConfigured:
        logger.warning(
            "The default LLM provider cannot be built; features that need a model are off", exc_info=True
        )
        return None
    if provider.capabilities.uses_passages_only:
        return None
    return provider


def _build_provider(alias: str) -> Provider:
    provider = backend_build(setting="LLM_PROVIDERS", config=_config(), alias=alias, base=Provider)
    provider.alias = alias
    return provider


@receiver(setting_changed)
def _reset_providers(*, setting, **kwargs):
    # Tests and override_settings change the configuration at run time; the next get_provider() rebuilds.
    if setting in ("LLM_PROVIDERS", "LLM_DEFAULT_PROVIDER"):
        with _providers_lock:
            _providers.clear()
