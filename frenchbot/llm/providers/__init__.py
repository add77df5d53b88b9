"""The provider backends; each module is imported only when ``settings.LLM_PROVIDERS`` names it."""
