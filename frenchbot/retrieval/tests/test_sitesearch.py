"""The site search's logic: one hit per document, grouped by type, matches highlighted from escaped text,
typos corrected from the site's own words, filters, pagination, visibility, bad input."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from freezegun import freeze_time

from frenchbot.retrieval.selectors import MAX_QUERY_LENGTH
from frenchbot.retrieval.services import document_index
from frenchbot.retrieval.sitesearch import highlight, query_clean, search_visibilities, site_search
from frenchbot.retrieval.spelling import distance, query_correct, stem

pytestmark = pytest.mark.django_db

HALLUCINATIONS = """## Pourquoi l'IA invente

Une hallucination est une réponse fausse donnée avec assurance : l'outil invente une source ou un chiffre.

## Comment les repérer

Vérifiez chaque chiffre : les hallucinations se cachent dans les détails.
"""


def _content():
    document_index(
        source="blog.article",
        source_id="1",
        title="Les hallucinations de ChatGPT",
        url="/blog/hallucinations/",
        text=HALLUCINATIONS,
    )
    document_index(
        source="assistant.faq",
        source_id="2",
        title="L'IA peut-elle se tromper ?",
        url="/faq/",
        text="## L'IA peut-elle se tromper\n\nOui : une hallucination arrive, relisez toujours ce que l'IA écrit.",
    )
    document_index(
        source="courses.training",
        source_id="3",
        title="Formation ChatGPT pour les PME",
        url="/formations/chatgpt-pme/",
        text="Une journée de formation pour écrire de bons prompts et gagner du temps sur les e-mails.",
    )
    document_index(
        source="blog.article",
        source_id="4",
        title="Écrire un bon prompt",
        url="/blog/prompt/",
        text="## Le rôle\n\nUn bon prompt donne un rôle à l'assistant, un contexte et le format attendu.",
    )


def _titles(result):
    return [str(hit.title) for group in result.groups for hit in group.hits]


def test_results_are_grouped_by_type_with_one_hit_per_document():
    _content()
    result = site_search(query="hallucination")
    labels = [group.label for group in result.groups]
    assert "Articles" in labels and "Questions fréquentes" in labels
    assert len(labels) == len(set(labels))
    urls = [hit.url for group in result.groups for hit in group.hits]
    # The article has two passages about hallucinations: it still appears once.
    assert len([url for url in urls if url.startswith("/blog/hallucinations/")]) == 1
    assert result.total == len(urls)
    # The hit links to the passage's heading.
    assert any(url.startswith("/blog/hallucinations/#") for url in urls)


def test_matches_are_highlighted_in_title_and_snippet():
    _content()
    result = site_search(query="hallucinations")
    article = next(hit for group in result.groups for hit in group.hits if "ChatGPT" in hit.title)
    assert "<mark>hallucinations</mark>" in article.title
    assert "<mark>" in article.snippet


def test_markup_in_stored_text_is_shown_as_text():
    document_index(
        source="blog.article",
        source_id="x",
        title="<script>alert(1)</script> Les prompts",
        url="/blog/x/",
        text='Un prompt <img src=x onerror="alert(2)"> & des <b>prompts</b> bien écrits.',
    )
    result = site_search(query="prompt")
    hit = result.groups[0].hits[0]
    assert "<script>" not in hit.title and "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.title
    assert "<mark>prompts</mark>" in hit.title
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet and "&amp;" in hit.snippet
    assert "&lt;b&gt;<mark>prompts</mark>&lt;/b&gt;" in hit.snippet


def test_a_long_passage_is_cut_around_the_matches():
    text = (
        "Introduction générale sans rapport. " * 20
        + "Le mot glossaire apparaît ici. "
        + "Suite du texte. " * 20
    )
    snippet = highlight(text, {stem("glossaire")}, limit=120)
    assert "<mark>glossaire</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 200


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hallucinaton", "hallucination"),
        ("promt", "prompt"),
        ("formaton chatgpt", "formation chatgpt"),
    ],
)
def test_a_misspelt_word_is_corrected_and_still_finds(typed, expected):
    _content()
    result = site_search(query=typed)
    assert result.corrected and result.typed == typed
    assert result.query.lower() == expected
    assert result.total >= 1
    if "formation" in expected:
        assert "Formation ChatGPT pour les PME" in [
            t.replace("<mark>", "").replace("</mark>", "") for t in _titles(result)
        ]


def test_known_words_and_short_words_are_left_alone():
    _content()
    assert not query_correct("prompt ia").changed
    assert not query_correct("xyz").changed
    # Accents typed or not, a known word is known.
    assert not query_correct("réponse reponse").changed


def test_exact_search_skips_the_correction():
    _content()
    result = site_search(query="hallucinaton", exact=True)
    assert not result.corrected and result.query == "hallucinaton"


def test_words_only_in_reserved_lessons_are_not_suggested():
    document_index(
        source="courses.lesson",
        source_id="9",
        title="Méthode confidentielle",
        url="/formations/x/secret/",
        text="La méthode zygomorphe reste réservée aux apprenants.",
        visibility="training:1",
    )
    assert not query_correct("zygomorfe").changed
    # The same word in a public document is a correction.
    document_index(source="t", source_id="p", title="Public", url="/p/", text="Une fleur zygomorphe.")
    assert query_correct("zygomorfe").text == "zygomorphe"


def test_filters_keep_only_the_chosen_types_and_count_every_type():
    _content()
    result = site_search(query="hallucination", types=("assistant.faq",))
    assert {group.source for group in result.groups} == {"assistant.faq"}
    facets = {facet.source: facet for facet in result.facets}
    assert facets["assistant.faq"].selected and not facets["blog.article"].selected
    assert facets["blog.article"].count >= 1


def test_pagination(settings):
    settings.SEARCH_PAGE_SIZE = 4
    for number in range(10):
        document_index(
            source="blog.article",
            source_id=str(number),
            title=f"Automatiser la facturation, épisode {number}",
            url=f"/blog/factures-{number}/",
            text=f"Épisode {number} : la facturation automatique avec un tableur et un assistant.",
        )
    first = site_search(query="facturation")
    assert first.total == 10 and first.page.paginator.num_pages == 3
    last = site_search(query="facturation", page=3)
    assert len(last.page.object_list) == 2
    assert site_search(query="facturation", page="n'importe quoi").page.number == 1
    seen = {
        hit.url
        for page in (1, 2, 3)
        for group in site_search(query="facturation", page=page).groups
        for hit in group.hits
    }
    assert len(seen) == 10


def test_empty_and_oversized_queries():
    _content()
    assert site_search(query="   ").total == 0 and not site_search(query="").error
    long = "prompt " * 400
    result = site_search(query=long)
    assert "trop longue" in result.error and result.total == 0
    assert len(result.query) == MAX_QUERY_LENGTH


def test_operators_symbols_and_control_characters_are_plain_text():
    _content()
    for query in [
        '"prompt',
        "prompt*",
        "NEAR(prompt",
        "prompt OR -rôle",
        "'; DROP TABLE x; --",
        "🤖\x00\x1b",
        "\ud800",
    ]:
        site_search(query=query)
    assert query_clean("a\x00b\nc\u200b") == "a b c\u200b"


# Kept results (60) are kept apart for who may see what.
@pytest.mark.parametrize("kept_seconds", [0, 60])
def test_reserved_lessons_are_found_only_by_their_learners(settings, kept_seconds):
    settings.FRAGMENT_CACHE_SECONDS = kept_seconds
    from frenchbot.courses.tests.factories import EnrolmentFactory, LearnerFactory, TrainingFactory

    training = TrainingFactory()
    learner = EnrolmentFactory(training=training).user
    stranger = LearnerFactory()
    document_index(
        source="courses.lesson",
        source_id="1",
        title="La méthode CADRE",
        url="/formations/x/cadre/",
        text="La méthode CADRE structure une demande : contexte, action, destinataire.",
        visibility=f"training:{training.pk}",
    )
    assert site_search(query="méthode CADRE", visibilities=search_visibilities(learner)).total == 1
    assert site_search(query="méthode CADRE", visibilities=search_visibilities(stranger)).total == 0
    assert site_search(query="méthode CADRE", visibilities=search_visibilities(AnonymousUser())).total == 0
    assert site_search(query="méthode CADRE", visibilities=search_visibilities(learner)).total == 1


def test_staff_notes_stay_out_of_the_search_even_for_the_team():
    from frenchbot.courses.tests.factories import LearnerFactory

    staff = LearnerFactory(is_staff=True)
    assert "staff" not in search_visibilities(staff)
    document_index(
        source="t",
        source_id="n",
        title="Note interne",
        url="/n/",
        text="Tarif plancher négociable.",
        visibility="staff",
    )
    assert site_search(query="tarif plancher", visibilities=search_visibilities(staff)).total == 0


def test_distance():
    assert distance("promt", "prompt", 2) == 1
    assert distance("hallucinaton", "hallucination", 2) == 1
    assert distance("fromation", "formation", 2) == 1  # a transposition
    assert distance("abc", "xyzabc", 2) == 3


def test_the_dictionary_is_rebuilt_at_most_every_few_minutes(settings, django_assert_num_queries):
    from frenchbot.retrieval import spelling

    settings.SEARCH_SPELLING_REFRESH_SECONDS = 600
    document_index(source="t", source_id="a", title="Un", url="/a/", text="Le glossaire des termes.")
    assert query_correct("glosaire").text == "glossaire"
    document_index(source="t", source_id="b", title="Deux", url="/b/", text="Une bibliothèque de modèles.")
    # Just after a change, the dictionary in memory still serves (the new word is not known yet)...
    assert not query_correct("bibliotheqe").changed
    # ...and once it is old enough, the next search rebuilds it.
    spelling._dictionaries["site"].checked_at -= 601
    assert query_correct("bibliotheqe").text == "bibliothèque"
    # Between two looks at the index version, a search reads nothing to correct its words.
    with django_assert_num_queries(0):
        assert query_correct("glosaire").text == "glossaire"


def test_the_same_words_are_embedded_once_and_found_the_same(monkeypatch):
    from frenchbot.retrieval.embedders import get_embedder
    from frenchbot.retrieval.sitesearch import _query_vector_of

    _content()
    _query_vector_of.cache_clear()
    embedder = get_embedder()
    embedded = []
    original = type(embedder).embed_query

    def counting(self, text):
        embedded.append(text)
        return original(self, text)

    monkeypatch.setattr(type(embedder), "embed_query", counting)
    first = site_search(query="hallucination")
    again = site_search(query="hallucination")
    assert embedded == ["hallucination"]
    assert [h.url for g in again.groups for h in g.hits] == [h.url for g in first.groups for h in g.hits]
    assert first.total and again.total == first.total


# --- Results kept per index version -------------------------------------------------------------------------


def _plain(result):
    return [re.sub(r"</?mark>", "", title) for title in _titles(result)]


@pytest.fixture
def kept_results(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def test_kept_results_follow_every_change_of_the_index(kept_results):
    _content()
    first = site_search(query="prompt")
    assert "Écrire un bon prompt" in _plain(first)
    assert first.stamp  # kept
    assert site_search(query="prompt").stamp == first.stamp  # the same words again: the kept result
    document_index(
        source="blog.article",
        source_id="5",
        title="Un prompt pour résumer une réunion",
        url="/blog/resume/",
        text="Collez vos notes : ce prompt en fait un résumé avec les décisions et les actions.",
    )
    again = site_search(query="prompt")
    assert "Un prompt pour résumer une réunion" in _plain(again)
    assert again.stamp != first.stamp


def test_a_scheduled_document_appears_when_its_time_comes_without_any_write(kept_results):
    _content()
    soon = timezone.now() + datetime.timedelta(minutes=10)
    document_index(
        source="blog.article",
        source_id="6",
        title="Le prompt du lundi",
        url="/blog/lundi/",
        text="Chaque lundi, un prompt pour préparer la semaine.",
        available_from=soon,
    )
    assert "Le prompt du lundi" not in _plain(site_search(query="prompt"))
    with freeze_time(soon + datetime.timedelta(seconds=1)):
        assert "Le prompt du lundi" in _plain(site_search(query="prompt"))


def test_a_kept_list_of_results_is_shown_the_same_as_a_fresh_one(client, settings):
    _content()
    settings.FRAGMENT_CACHE_SECONDS = 0
    fresh = client.get("/recherche/", {"q": "hallucination"}).content.decode()
    settings.FRAGMENT_CACHE_SECONDS = 60
    client.get("/recherche/", {"q": "hallucination"})
    kept = client.get("/recherche/", {"q": "hallucination"}).content.decode()

    def results(page):
        return page[page.index('class="search-total"') : page.index("</main>")]

    assert "Les <mark>hallucinations</mark> de ChatGPT" in results(kept)
    assert " ".join(results(kept).split()) == " ".join(results(fresh).split())
