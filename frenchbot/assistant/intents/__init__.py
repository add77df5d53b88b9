"""The bot's intent layer: what a message asks for, decided before any search or model (see ``classifier``)."""

from .base import Intent, Reply
from .classifier import IntentMatch, intent_detect
from .registry import FALLBACK, intent_get, intents_all

__all__ = ["FALLBACK", "Intent", "IntentMatch", "Reply", "intent_detect", "intent_get", "intents_all"]
