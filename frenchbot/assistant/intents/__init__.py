"""The bot's intent layer: what a message asks for, decided before any search or model (see ``classifier``)."""

from .base import Intent, Reply, TurnContext
from .classifier import IntentMatch, intent_detect
from .registry import FALLBACK, intent_get, intents_all

__all__ = [
    "FALLBACK",
    "Intent",
    "IntentMatch",
    "Reply",
    "TurnContext",
    "intent_detect",
    "intent_get",
    "intents_all",
]
