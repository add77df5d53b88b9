"""Every intent the bot knows: one data file each in `data/`, with its own class when a module of the same name
stands beside this file (it names it `intent_class`). Built once per process."""

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from .base import DATA_DIR, Intent

# The intent of a message the classifier cannot place: retrieval answers it, or says it has no answer.
FALLBACK = "question"


@cache
def intents_all() -> dict[str, Intent]:
    """The intents by name, in the order of their data files."""
    intents = {}
    for path in sorted(DATA_DIR.glob("*.toml")):
        module = f"{__package__}.{path.stem}"
        cls = import_module(module).intent_class if find_spec(module) else Intent
        intents[path.stem] = cls.from_file(path)
    return intents


def intent_get(name: str) -> Intent:
    intents = intents_all()
    return intents.get(name) or intents[FALLBACK]
