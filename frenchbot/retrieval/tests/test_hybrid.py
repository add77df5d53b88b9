"""Hybrid search: meaning finds what shares no word with the question; either side can be turned off;
a failing embedder leaves lexical search working."""

import socket

import pytest

from frenchbot.retrieval.models import Chunk
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index

pytestmark = pytest.mark.django_db

RGPD = "## Les données personnelles\n\nNe collez jamais de données personnelles de vos clients dans un outil grand public sans base légale."
PROMPT = "## Le rôle\n\nDonnez un rôle à l'assistant : « vous êtes juriste en droit du travail »."
PARAPHRASE = "Puis-je mettre les informations privées de ma clientèle dans ChatGPT ?"


@pytest.fixture
def indexed():
    document_index(source="t", source_id="rgpd", title="RGPD et IA", url="/rgpd/", text=RGPD)
    document_index(source="t", source_id="prompt", title="Écrire un bon prompt", url="/prompt/", text=PROMPT)


def test_passages_get_vectors_once(indexed):
    assert not Chunk.objects.filter(vector=None).exists()
    assert all(model.startswith("e5-") for model in Chunk.objects.values_list("vector_model", flat=True))
    vectors = dict(Chunk.objects.values_list("content_hash", "vector"))
    # Indexing the same document again re-embeds nothing: the stored vectors are kept.
    document_index(source="t", source_id="rgpd", title="RGPD et IA", url="/rgpd/", text=RGPD + "\n\nAjout.")
    for content_hash, vector in Chunk.objects.values_list("content_hash", "vector"):
        if content_hash in vectors:
            assert bytes(vector) == bytes(vectors[content_hash])


def test_a_passage_of_several_sentences_also_gets_one_vector_per_sentence(settings):
    text = "## Le rôle\n\nDonnez un rôle à l'assistant. Précisez le format attendu. Ajoutez un exemple."
    document_index(source="t", source_id="p", title="Écrire un bon prompt", url="/p/", text=text)
    chunk = Chunk.objects.get()
    dimensions = len(bytes(chunk.vector)) // 4
    assert len(bytes(chunk.sentence_vectors)) == 3 * 4 * dimensions
    document_index(source="t", source_id="one", title="Court", url="/c/", text="Une seule phrase ici.")
    assert Chunk.objects.get(document__source_id="one").sentence_vectors is None


def test_a_question_answered_by_one_sentence_finds_its_passage():
    document_index(
        source="t",
        source_id="tarifs",
        title="Nos formations",
        url="/formations/",
        text="Nos formations durent une journée. Elles ont lieu dans vos locaux ou à distance. "
        "Le tarif pour une équipe de dix personnes est de 2 400 euros hors taxes.",
    )
    document_index(
        source="t",
        source_id="audit",
        title="L'audit",
        url="/audit/",
        text="L'audit gratuit dure trente minutes et se fait en visioconférence.",
    )
    assert search(query="Combien coûte une session pour un groupe ?")[0].url == "/formations/"


def test_meaning_finds_a_paraphrase_that_shares_no_word(indexed):
    assert search(query=PARAPHRASE, semantic=False) == []
    hits = search(query=PARAPHRASE)
    assert [hit.url for hit in hits] == ["/rgpd/#les-donnees-personnelles"]


def test_unrelated_questions_find_nothing(indexed):
    assert search(query="la recette de la tarte aux pommes") == []


def test_semantic_side_can_be_turned_off(indexed, settings):
    settings.RETRIEVAL_SEMANTIC = False
    assert search(query=PARAPHRASE) == []
    assert search(query="données personnelles")[0].url == "/rgpd/#les-donnees-personnelles"


def test_lexical_side_can_be_turned_off(indexed):
    hits = search(query=PARAPHRASE, lexical=False)
    assert hits[0].url == "/rgpd/#les-donnees-personnelles"


def test_a_failing_embedder_leaves_lexical_search_working(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.RETRIEVAL_EMBEDDERS = {
        "default": {
            "BACKEND": "frenchbot.retrieval.embedders.OpenAICompatibleEmbedder",
            "OPTIONS": {
                "base_url": f"http://127.0.0.1:{closed_port}/v1",
                "model": "absent",
                "dimensions": 8,
                "timeout": 1,
                "max_retries": 0,
            },
        }
    }
    document_index(source="t", source_id="rgpd", title="RGPD et IA", url="/rgpd/", text=RGPD)
    assert Chunk.objects.filter(vector=None).count() == Chunk.objects.count()
    assert search(query="données personnelles")[0].url == "/rgpd/#les-donnees-personnelles"


def test_vectors_missing_after_an_embedder_failure_are_made_at_the_next_index(settings):
    settings.RETRIEVAL_SEMANTIC = False
    document_index(source="t", source_id="rgpd", title="RGPD et IA", url="/rgpd/", text=RGPD)
    assert Chunk.objects.filter(vector=None).exists()
    settings.RETRIEVAL_SEMANTIC = True
    assert document_index(source="t", source_id="rgpd", title="RGPD et IA", url="/rgpd/", text=RGPD) is True
    assert not Chunk.objects.filter(vector=None).exists()
    assert document_index(source="t", source_id="rgpd", title="RGPD et IA", url="/rgpd/", text=RGPD) is False
