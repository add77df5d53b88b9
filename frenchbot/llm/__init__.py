"""LLM providers behind one streaming contract (no models, no migrations).

``get_provider()`` gives the configured provider (``settings.LLM_PROVIDERS``); every provider streams text deltas
from ``stream()`` and raises only the ``LLMError`` family. See ``base.py`` for the contract and
``docs/llm-providers.md`` for the configuration presets.
"""

from .base import (
    Capabilities,
    ChatOptions,
    Completion,
    LLMError,
    Message,
    Passage,
    Provider,
    ProviderRateLimited,
    ProviderRefused,
    ProviderStreamBroken,
    ProviderTimeout,
    ProviderUnavailable,
)
from .registry import get_provider, providers_available

__all__ = [
    "Capabilities",
    "ChatOptions",
    "Completion",
    "LLMError",
    "Message",
    "Passage",
    "Provider",
    "ProviderRateLimited",
    "ProviderRefused",
    "ProviderStreamBroken",
    "ProviderTimeout",
    "ProviderUnavailable",
    "get_provider",
    "providers_available",
]
