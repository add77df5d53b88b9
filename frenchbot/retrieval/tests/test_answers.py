import pytest

from frenchbot.retrieval.answers import answer_extractive, split_sentences
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index

pytestmark = pytest.mark.django_db

RGPD = """## Les données personnelles

Ne collez jamais de données personnelles de vos clients dans un outil grand public sans base légale. La CNIL
publie des recommandations pour les entreprises. Nos formations durent une journée.
"""


def test_sentences_split_on_ends_not_on_numbers():
    assert split_sentences("Le prix est de 97,4 milliards. Sam Altman a refusé ! Et après ?") == [
        "Le prix est de 97,4 milliards.",
        "Sam Altman a refusé !",
        "Et après ?",
    ]


def test_the_answer_is_the_sentences_that_answer_with_their_source():
    document_index(source="t", source_id="1", title="RGPD et IA", url="/rgpd/", text=RGPD)
    question = "Puis-je coller les données personnelles de mes clients dans ChatGPT ?"
    answer = answer_extractive(query=question, hits=search(query=question))
    assert answer.text.startswith("Ne collez jamais de données personnelles de vos clients")
    assert "formations" not in answer.text
    assert [(c.title, c.url) for c in answer.citations] == [("RGPD et IA", "/rgpd/#les-donnees-personnelles")]


def test_no_answer_when_nothing_matches():
    assert answer_extractive(query="tarte aux pommes", hits=[]).text == ""
    assert answer_extractive(query="?!", hits=[]).citations == []


def test_the_best_sentence_opens_the_answer_and_a_repeated_fact_is_said_once():
    from frenchbot.core.extractive import extract_answer

    class Passage:
        def __init__(self, title, url, text):
            self.title, self.url, self.text = title, url, text

    summary = Passage(
        "En bref",
        "/bref/",
        "Altman a répondu par une plaisanterie sur Twitter. "
        "Le 10 février 2025, un consortium mené par Elon Musk a proposé 97,4 milliards de dollars pour OpenAI.",
    )
    article = Passage(
        "L'offre de Musk",
        "/offre/",
        "Le 10 février 2025, un consortium mené par Elon Musk a proposé 97,4 milliards de dollars pour racheter OpenAI.",
    )
    answer = extract_answer(
        query="Combien Elon Musk a-t-il proposé pour racheter OpenAI ?", passages=[summary, article]
    )
    assert answer.sentences[0].startswith("Le 10 février 2025")
    assert sum("97,4 milliards" in sentence for sentence in answer.sentences) == 1
