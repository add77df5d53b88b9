"""Lexical search backends: one contract, one implementation per database engine."""

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from .base import LexicalBackend, LexicalEntry

__all__ = ["LexicalBackend", "LexicalEntry", "get_lexical_backend"]

_DEFAULTS = {
    "sqlite": "frenchbot.retrieval.backends.sqlite_fts.SQLiteFTS5Backend",
    "postgresql": "frenchbot.retrieval.backends.postgres_fts.PostgresFullTextBackend",
}


def get_lexical_backend() -> LexicalBackend:
    """`RETRIEVAL_LEXICAL_BACKEND = {"BACKEND": dotted.path, "OPTIONS": {...}}`, else the one for the database."""
    config = getattr(settings, "RETRIEVAL_LEXICAL_BACKEND", None) or {"BACKEND": _DEFAULTS[connection.vendor]}
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))
