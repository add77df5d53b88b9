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

Both settings are declared in ``config/settings/base.py`` (``LLM_PROVIDER`` in the environment picks the
default's backend; with nothing set it is the extractive provider, which needs no model and no key).
``get_provider(alias)`` returns one shared instance per alias and per process (a local model is loaded once);
the instances are dropped when ``LLM_PROVIDERS`` changes (``override_settings`` in tests).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from frenchbot.core.backends import BackendHandler

from .base import Provider

__all__ = ["generative_provider", "get_provider", "providers_available"]

logger = logging.getLogger(__name__)


def _name_provider(provider: Provider, alias: str) -> None:
    provider.alias = alias


_providers = BackendHandler("LLM_PROVIDERS", Provider, after_build=_name_provider)


def get_provider(alias: str | None = None) -> Provider:
    """The provider configured under ``alias`` in ``settings.LLM_PROVIDERS`` (``None``: the one named by
    ``settings.LLM_DEFAULT_PROVIDER``), one instance per alias per process.

    Raises ``ImproperlyConfigured``, naming the alias, for an unknown alias, a missing or unimportable
    ``BACKEND``, a class that is not a ``Provider`` or ``OPTIONS`` it does not accept (a local model whose
    library or file is missing included).
    """
    return _providers[settings.LLM_DEFAULT_PROVIDER if alias is None else alias]


def providers_available() -> list[str]:
    """The aliases of ``settings.LLM_PROVIDERS`` that can be built here, in the order of the setting.

    An alias whose backend cannot be built (say, the local model without ``pip install .[local]``) is left out
    rather than raising, so that a page listing the choices still renders.
    """
    available = []
    for alias in _providers.aliases():
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
