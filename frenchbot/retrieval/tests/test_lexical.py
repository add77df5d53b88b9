"""One contract for every lexical backend: the suite runs it on SQLite (FTS5) and, with DATABASE_URL, on
PostgreSQL (full text); each run exercises the backend of its database."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from frenchbot.retrieval.backends import LexicalBackend, get_lexical_backend
from frenchbot.retrieval.models import Chunk, Document, Visibility
from frenchbot.retrieval.selectors import QueryError, search
from frenchbot.retrieval.services import collection_drop, document_index, document_remove

pytestmark = pytest.mark.django_db

PROMPT = """Un bon prompt tient en quatre éléments.

## Le rôle

Donnez un rôle à l'assistant : « vous êtes juriste en droit du travail ».

## Le format attendu

Précisez la forme de la réponse : un tableau, trois puces, un e-mail de cinq lignes.
"""
RGPD = """## Les données personnelles

Ne collez jamais de données personnelles de vos clients dans un outil grand public sans base légale.
La CNIL publie des recommandations pour les entreprises.
"""


def _index(source_id, title, text, **extra):
    return document_index(
        source="test", source_id=source_id, title=title, url=f"/doc/{source_id}/", text=text, **extra
    )


class LexicalBackendContract:
    def test_backend_matches_the_database(self):
        backend = get_lexical_backend()
        expected = {"sqlite": "SQLiteFTS5Backend", "postgresql": "PostgresFullTextBackend"}[connection.vendor]
        assert type(backend).__name__ == expected
        assert get_lexical_backend() is backend  # one instance per process

    def test_finds_the_passage_with_its_anchor(self):
        _index("1", "Écrire un bon prompt", PROMPT)
        _index("2", "RGPD et IA", RGPD)
        hits = search(query="Quel format de réponse demander à l'assistant ?")
        assert hits[0].chunk.document.title == "Écrire un bon prompt"
        assert hits[0].url == "/doc/1/#le-format-attendu"

    def test_accents_elision_and_inflection_do_not_matter(self):
        _index("2", "RGPD et IA", RGPD)
        for query in ["donnee personnelle", "DONNÉES PERSONNELLES", "l'entreprise recommandée par la cnil"]:
            assert search(query=query)[0].chunk.document.source_id == "2", query

    def test_scores_are_best_first(self):
        _index("1", "Écrire un bon prompt", PROMPT)
        _index("2", "RGPD et IA", RGPD)
        hits = search(query="rôle prompt assistant données")
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)

    def test_title_counts(self):
        _index("1", "Mistral Le Chat", "Un assistant conversationnel européen.")
        _index("2", "Autre sujet", "Un assistant conversationnel européen, comme Mistral.")
        assert search(query="Mistral")[0].chunk.document.source_id == "1"

    def test_staff_only_content_never_reaches_the_public(self):
        _index("9", "Notes internes", "Tarifs négociés avec le client Dupont.", visibility=Visibility.STAFF)
        assert search(query="tarifs négociés") == []
        staff = search(query="tarifs négociés", visibilities=(Visibility.PUBLIC, Visibility.STAFF))
        assert [hit.chunk.document.source_id for hit in staff] == ["9"]

    def test_collections_are_separate(self):
        _index("1", "Écrire un bon prompt", PROMPT, collection="autre")
        assert search(query="prompt") == []
        assert len(search(query="prompt", collection="autre")) > 0
        assert collection_drop(collection="autre") == 1
        assert search(query="prompt", collection="autre") == []

    def test_indexing_twice_changes_nothing(self):
        assert _index("1", "Écrire un bon prompt", PROMPT) is True
        ids = list(Chunk.objects.values_list("id", flat=True))
        assert _index("1", "Écrire un bon prompt", PROMPT) is False
        assert list(Chunk.objects.values_list("id", flat=True)) == ids
        assert len(search(query="rôle")) == 1

    def test_changed_content_replaces_its_passages(self):
        _index("1", "Écrire un bon prompt", PROMPT)
        _index("1", "Écrire un bon prompt", "## Exemples\n\nMontrez un exemple de réponse attendue.")
        assert search(query="juriste") == []
        assert search(query="exemple")[0].url == "/doc/1/#exemples"
        assert Document.objects.count() == 1

    def test_removed_content_is_gone(self):
        _index("1", "Écrire un bon prompt", PROMPT)
        assert document_remove(source="test", source_id="1") is True
        assert search(query="prompt") == []
        assert document_remove(source="test", source_id="1") is False

    @pytest.mark.parametrize(
        "query",
        [
            '"',
            "*",
            "NEAR",
            "prompt NEAR/2 rôle",
            "-rôle",
            "rôle:format",
            "title:prompt",
            "😀🤖",
            "Привет 中文 rôle",
            "' OR 1=1 --",
            "prompt*",
            "(rôle",
            "AND OR NOT",
            "\x00",
        ],
    )
    def test_syntax_characters_are_plain_text(self, query):
        _index("1", "Écrire un bon prompt", PROMPT)
        hits = search(query=query)
        assert isinstance(hits, list)

    @pytest.mark.parametrize("query", ["", "   ", "x" * 2001])
    def test_empty_or_too_long_questions_are_refused_clearly(self, query):
        with pytest.raises(QueryError) as error:
            search(query=query)
        assert error.value.message

    def test_symbol_only_question_finds_nothing(self):
        _index("1", "Écrire un bon prompt", PROMPT)
        assert search(query="?!… ; —") == []

    def test_broken_markdown_and_huge_pages_still_index(self, settings):
        # Words only: the passages' vectors (a hundred and more passages through the model, over a minute and a
        # half) are the vector task's, and tested with it.
        settings.RETRIEVAL_SEMANTIC = False
        _index("1", "Cassé", "## Titre **non fermé [lien(\n\n```\ncode sans fin")
        _index("2", "Énorme", "intelligence " * 30000)
        assert search(query="fermé")[0].chunk.document.source_id == "1"
        assert Chunk.objects.filter(document__source_id="2").count() > 100
        assert search(query="intelligence")[0].chunk.document.source_id == "2"


class TestLexicalBackend(LexicalBackendContract):
    pass


# ---------------------------------------------------------------------------------------------------------------
# RETRIEVAL_LEXICAL_BACKEND


class ReweightedBackend(LexicalBackend):
    """A backend named in the setting, with its options (it indexes nothing: only its choice is tested)."""

    def __init__(self, *, weights):
        self.weights = tuple(weights)


def test_the_setting_names_another_backend_with_its_options(settings):
    settings.RETRIEVAL_LEXICAL_BACKEND = {
        "BACKEND": f"{__name__}.ReweightedBackend",
        "OPTIONS": {"weights": [3.0, 1.0, 1.0]},
    }
    backend = get_lexical_backend()
    assert type(backend) is ReweightedBackend
    assert backend.weights == (3.0, 1.0, 1.0)
    assert get_lexical_backend() is backend
    settings.RETRIEVAL_LEXICAL_BACKEND = None
    assert type(get_lexical_backend()) is not ReweightedBackend


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"OPTIONS": {}}, r"^RETRIEVAL_LEXICAL_BACKEND needs a BACKEND dotted path$"),
        (
            {"BACKEND": "frenchbot.retrieval.backends.nowhere.Backend"},
            r"^RETRIEVAL_LEXICAL_BACKEND: cannot import",
        ),
        (
            {"BACKEND": "frenchbot.retrieval.backends.base.LexicalEntry"},
            r"^RETRIEVAL_LEXICAL_BACKEND: 'frenchbot.retrieval.backends.base.LexicalEntry' is not a "
            r"LexicalBackend subclass$",
        ),
        (
            {"BACKEND": f"{__name__}.ReweightedBackend", "OPTIONS": {"colour": "bleu"}},
            r"^RETRIEVAL_LEXICAL_BACKEND: invalid OPTIONS",
        ),
    ],
)
def test_a_bad_setting_is_reported(settings, config, message):
    settings.RETRIEVAL_LEXICAL_BACKEND = config
    with pytest.raises(ImproperlyConfigured, match=message):
        get_lexical_backend()
