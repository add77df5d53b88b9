from django.utils.functional import lazy

from frenchbot.llm.registry import get_provider


def _provider_name() -> str:
    try:
        return str(get_provider().display_name)
    except Exception:  # noqa: BLE001 - a misconfigured provider must not break every page
        return ""


_lazy_provider_name = lazy(_provider_name, str)


def assistant(request):
    """Who answers in the bot (shown in its AI disclosure), worked out only when a page shows it."""
    return {"ASSISTANT_PROVIDER_NAME": _lazy_provider_name()}
