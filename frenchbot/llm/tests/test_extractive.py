"""The default provider: answers in the site's own French sentences, or says politely that it does not know."""

import pytest

from frenchbot.llm.base import ChatOptions, Message, Passage
from frenchbot.llm.providers.extractive import ExtractiveProvider

from .contract import PASSAGES, ProviderContractTests, collect, run

DONT_KNOW = "Je n'ai pas trouvé la réponse dans nos contenus."


class TestExtractiveContract(ProviderContractTests):
    @pytest.fixture
    def provider(self):
        return ExtractiveProvider()

    @pytest.fixture
    def failing_provider(self):
        pytest.skip(
            "the extractive provider has no upstream that could fail: it reads the passages it is given"
        )

    def assert_generation_stopped(self, provider, probe):
        # Nothing runs upstream; the mixin already checked that the closed stream yields nothing more.
        pass


def ask(question, passages, **kwargs):
    messages = [Message("system", "Ignoré par ce fournisseur."), Message("user", question)]
    return run(collect(ExtractiveProvider(), messages, passages=passages, **kwargs))


def test_answers_with_the_matching_sentences_only():
    deltas = ask("Comment réserver l'appel d'audit ?", PASSAGES)
    answer = "".join(deltas)
    assert "Pour réserver l'appel d'audit, choisissez un créneau sur la page rendez-vous." in answer
    # Nothing else: no sentence about prompts, no sources (the assistant lists them beside the answer).
    assert "prompts" not in answer
    assert "/audit/" not in answer and "[1]" not in answer
    assert DONT_KNOW not in answer


def test_streams_word_by_word():
    deltas = ask("Comment réserver l'appel d'audit ?", PASSAGES)
    assert len(deltas) > 5
    assert all(len(delta.split()) == 1 for delta in deltas)
    assert not deltas[-1].endswith(" ")


def test_answers_the_last_user_message():
    provider = ExtractiveProvider()
    messages = [
        Message("user", "Comment réserver l'appel d'audit ?"),
        Message("assistant", "Choisissez un créneau."),
        Message("user", "Que m'apprennent vos formations sur les prompts ?"),
    ]
    answer = "".join(run(collect(provider, messages, passages=PASSAGES)))
    assert "écrire de bons prompts" in answer
    assert "créneau" not in answer


def test_without_passages_it_does_not_know_and_suggests_next_steps():
    answer = "".join(ask("Comment réserver l'appel d'audit ?", []))
    assert answer.startswith(DONT_KNOW)
    for suggestion in ("reformuler", "formations", "appel d'audit offert"):
        assert suggestion in answer


def test_when_no_sentence_matches_it_does_not_know():
    passages = [Passage(title="Recette", url="/blog/tarte/", text="Préchauffez le four à 180 degrés.")]
    assert "".join(ask("Combien coûte la certification ?", passages)).startswith(DONT_KNOW)


def test_with_no_user_message_it_does_not_know():
    messages = [Message("system", "Tu es un assistant.")]
    answer = "".join(run(collect(ExtractiveProvider(), messages, passages=PASSAGES)))
    assert answer.startswith(DONT_KNOW)


def test_max_sentences_and_max_tokens_bound_the_answer():
    long_passage = Passage(
        title="Audit",
        url="/audit/",
        text="L'audit dure une heure. L'audit est offert. L'audit se réserve en ligne. L'audit donne un rapport.",
    )
    messages = [Message("user", "Comment se passe l'audit ?")]
    one = "".join(run(collect(ExtractiveProvider(max_sentences=1), messages, passages=[long_passage])))
    assert one.count("L'audit") == 1
    words = run(
        collect(ExtractiveProvider(), messages, passages=[long_passage], options=ChatOptions(max_tokens=3))
    )
    assert len(words) == 3


def test_identity_in_french():
    provider = ExtractiveProvider()
    assert provider.display_name == "Réponse extraite de nos contenus (sans IA générative)"
    assert provider.capabilities.uses_passages_only
    assert provider.capabilities.local


def test_usage_counts_the_words():
    completion = run(
        ExtractiveProvider().complete(
            [Message("user", "Comment réserver l'appel d'audit ?")], passages=PASSAGES
        )
    )
    assert completion.usage["completion_tokens"] == len(completion.text.split())


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="max_sentences"):
        ExtractiveProvider(max_sentences=0)


MUSK = [
    Passage(
        title="L'offre d'Elon Musk",
        url="/blog/offre/#histoire",
        text=(
            "Elon Musk a cofondé OpenAI en 2015 avec Sam Altman. En 2024, Elon Musk a attaqué OpenAI en justice."
        ),
    ),
    Passage(
        title="L'offre d'Elon Musk",
        url="/blog/offre/",
        text=(
            "Le 10 février 2025, un consortium mené par Elon Musk a proposé 97,4 milliards de dollars pour OpenAI. "
            "Refus immédiat de Sam Altman, rejet unanime du conseil quatre jours plus tard."
        ),
    ),
]
MISTRAL = [
    Passage(
        title="Mistral AI",
        url="/blog/mistral/",
        text=(
            "Le Chat est l'assistant de Mistral AI, sorti en 2024. Mistral AI a été fondée à Paris en 2023 par "
            "Arthur Mensch, Guillaume Lample et Timothée Lacroix."
        ),
    )
]


def test_a_how_much_question_is_answered_by_the_sentence_with_the_amount_not_a_date():
    answer = "".join(ask("Combien Elon Musk a-t-il proposé pour OpenAI ?", MUSK))
    assert answer.startswith("Le 10 février 2025, un consortium mené par Elon Musk a proposé 97,4 milliards")


def test_a_follow_up_is_answered_about_the_subject_of_the_question_it_leans_on():
    messages = [
        Message("user", "Qui a fondé Mistral AI ?"),
        Message("user", "Et en quelle année ?"),
    ]
    answer = "".join(run(collect(ExtractiveProvider(), messages, passages=MISTRAL)))
    # A year answers « en quelle année », and of the two years, the one of the founding.
    assert answer.startswith("Mistral AI a été fondée à Paris en 2023")


def test_an_inflected_word_finds_its_sentence():
    # « refusée » and « refus » are stemmed apart by the light stemmer: the answer still finds the refusal.
    messages = [Message("user", "Combien Elon Musk a-t-il proposé ?"), Message("user", "Qui l'a refusée ?")]
    answer = "".join(run(collect(ExtractiveProvider(), messages, passages=MUSK)))
    assert answer == "Refus immédiat de Sam Altman, rejet unanime du conseil quatre jours plus tard."
