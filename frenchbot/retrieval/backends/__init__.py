"""Lexical search backends: one contract, one implementation per database engine."""

from django.db import connection

from frenchbot.core.backends import BackendHandler

from .base import LexicalBackend, LexicalEntry

__all__ = ["LexicalBackend", "LexicalEntry", "get_lexical_backend"]

_BY_VENDOR = {
    "sqlite": "frenchbot.retrieval.backends.sqlite_fts.SQLiteFTS5Backend",
    "postgresql": "frenchbot.retrieval.backends.postgres_fts.PostgresFullTextBackend",
}


class _LexicalBackendHandler(BackendHandler[LexicalBackend]):
    """``RETRIEVAL_LEXICAL_BACKEND`` names one backend, not aliases: it is served as the alias ``"default"``,
    and ``None`` means the backend of the database."""

    def configure(self, value) -> dict:
        return {"default": value or {"BACKEND": _BY_VENDOR[connection.vendor]}}

    def describe(self, alias: str) -> str:
        return self.setting


# One instance per process, like every backend: they keep no state and no connection of their own (each call
# goes through django.db.connection, the calling thread's), and the database, hence the default, does not
# change while a process runs.
_lexical_backends = _LexicalBackendHandler("RETRIEVAL_LEXICAL_BACKEND", LexicalBackend)


def get_lexical_backend() -> LexicalBackend:
    """The backend ``settings.RETRIEVAL_LEXICAL_BACKEND`` names (``{"BACKEND": dotted.path, "OPTIONS": {...}}``),
    else the one of the database (SQLite FTS5, PostgreSQL full text); one instance per process.

    Raises ``ImproperlyConfigured`` for a path that does not import, a class that is not a ``LexicalBackend`` or
    options it does not accept.
    """
    return _lexical_backends["default"]
