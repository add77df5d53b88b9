from frenchbot.llm.registry import get_provider


def assistant(request):
    """Who answers in the bot (shown in its AI disclosure)."""
    try:
        name = str(get_provider().display_name)
    except Exception:  # noqa: BLE001 - a misconfigured provider must not break every page
        name = ""
    return {"ASSISTANT_PROVIDER_NAME": name}
