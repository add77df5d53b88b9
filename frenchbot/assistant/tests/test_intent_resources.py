"""The resources intent: a visitor asking for our guides, templates, prompts or glossary is pointed to the right
page, from what is published; a question about AI itself still goes to retrieval."""

import re

import pytest
from asgiref.sync import async_to_sync

from frenchbot.assistant import services
from frenchbot.assistant.guard import answer_html
from frenchbot.assistant.intents import intent_detect
from frenchbot.assistant.intents.classifier import intents_reset
from frenchbot.resources.models import Guide
from frenchbot.resources.tests.factories import (
    GlossaryTermFactory,
    GuideFactory,
    PromptFactory,
    UseCaseFactory,
)
from frenchbot.retrieval.services import document_index

# The three messages of a real conversation that other intents, or a quote of a prompt, answered.
PROBLEM_MESSAGES = [
    "Où trouver vos guides gratuits ?",
    "Vous avez une charte pour encadrer l'IA dans mon entreprise ?",
    "Avez-vous des modèles de prompts pour répondre à un e-mail ?",
]


@pytest.fixture(params=[True, False], ids=["vectors", "words"])
def classifier_mode(request, settings, intent_vectors_kept):
    """The classifier with the embedder, and comparing words (a first start, or RETRIEVAL_SEMANTIC off)."""
    settings.RETRIEVAL_SEMANTIC = request.param
    intents_reset()
    yield request.param
    intents_reset()


@pytest.fixture
def library(db):
    """Resources as the demo has them: a template charter, a gated guide, a check-list, a draft, prompts in two
    use cases and glossary terms."""
    charter = GuideFactory(
        title="Charte d'utilisation de l'IA générative",
        slug="charte-utilisation-ia-generative",
        kind=Guide.Kind.TEMPLATE,
    )
    gated = GuideFactory(title="30 cas d'usage de l'IA pour une PME", slug="30-cas-d-usage", is_gated=True)
    checklist = GuideFactory(
        title="Check-list : un outil d'IA conforme au RGPD ?",
        slug="check-list-rgpd",
        kind=Guide.Kind.CHECKLIST,
    )
    draft = GuideFactory(title="Brouillon de charte secrète", slug="brouillon-charte", is_published=False)
    emails = UseCaseFactory(name="E-mails", slug="e-mails", order=1)
    hr = UseCaseFactory(name="Ressources humaines", slug="ressources-humaines", order=2)
    email_prompts = [
        PromptFactory(title=f"E-mail numéro {n}", slug=f"e-mail-{n}", use_case=emails, order=n)
        for n in range(4)
    ]
    hidden = PromptFactory(
        title="E-mail caché", slug="e-mail-cache", use_case=emails, order=0, is_published=False
    )
    hr_prompt = PromptFactory(title="Rédiger une offre d'emploi", slug="offre-emploi", use_case=hr)
    GlossaryTermFactory.create_batch(3)
    return {
        "charter": charter,
        "gated": gated,
        "checklist": checklist,
        "draft": draft,
        "email_prompts": email_prompts,
        "hidden": hidden,
        "hr_prompt": hr_prompt,
    }


def _ask(question: str) -> dict:
    conversation = services.conversation_start(session_key="s1", ip="203.0.113.5")
    prepared = services.answer_prepare(
        conversation=conversation, question=question, session_key="s1", ip="203.0.113.5"
    )

    async def collect():
        return [event async for event in services.answer_stream(prepared)]

    assert prepared.intent == "resources", prepared.intent
    return async_to_sync(collect)()[-1].data


@pytest.mark.parametrize(
    "message",
    [
        *PROBLEM_MESSAGES,
        "Vous avez des ressources gratuites ?",
        "Je cherche un modèle de charte IA",
        "Des prompts pour les RH ?",
        "Vous avez un glossaire ?",
        "Une check-list pour le RGPD ?",
        "Où est votre bibliothèque de prompts ?",
    ],
)
def test_a_request_for_our_resources_is_recognised(classifier_mode, message):
    assert intent_detect(message).name == "resources"


@pytest.mark.parametrize(
    "message",
    [
        "comment écrire un bon prompt ?",
        "c'est quoi un LLM ?",
        "c'est quoi un prompt système ?",
        "que veut dire le mot token ?",
        "comment utiliser ChatGPT pour répondre à mes e-mails ?",
        "comment rédiger un bon prompt pour les RH ?",
        "quels outils d'IA gratuits utiliser ?",
    ],
)
def test_a_question_about_ai_is_still_a_question(classifier_mode, message):
    assert intent_detect(message).name == "question"


def test_a_charter_request_lists_the_charter_not_the_draft(library):
    done = _ask("Je cherche un modèle de charte IA")
    text = done["text"]
    assert f"[**Charte d'utilisation de l'IA générative**]({library['charter'].get_absolute_url()})" in text
    assert "(modèle)" in text
    assert "Brouillon" not in text and library["draft"].get_absolute_url() not in text
    assert done["sources"] == []
    assert "/ressources/" in [s["url"] for s in done["suggestions"]]


def test_the_hub_lists_the_published_guides_the_gated_one_sent_by_e_mail(library):
    done = _ask("Vous avez des ressources gratuites ?")
    text = done["text"]
    for guide in ("charter", "gated", "checklist"):
        assert library[guide].get_absolute_url() in text
    assert f"({library['gated'].get_kind_display().lower()}, envoyé par e-mail)" in text
    assert library["draft"].get_absolute_url() not in text
    # The two other doors: the prompt library and the glossary, with what they hold.
    assert re.search(r"\[bibliothèque de 5\s?prompts\]\(/ressources/prompts/\)", text)
    assert re.search(r"\[glossaire de l'IA\]\(/ressources/glossaire/\) de 3\s?termes", text)
    assert [s["url"] for s in done["suggestions"]] == [
        "/ressources/",
        "/ressources/prompts/",
        "/ressources/glossaire/",
    ]


def test_prompts_of_the_named_use_case_are_linked_with_its_filtered_list(library):
    done = _ask("Avez-vous des modèles de prompts pour répondre à un e-mail ?")
    text = done["text"]
    assert "/ressources/prompts/?usage=e-mails" in text
    shown = [prompt for prompt in library["email_prompts"] if prompt.get_absolute_url() in text]
    assert [prompt.slug for prompt in shown] == ["e-mail-0", "e-mail-1", "e-mail-2"]
    assert library["hidden"].get_absolute_url() not in text
    assert library["hr_prompt"].get_absolute_url() not in text
    # Not a quote of a prompt's text: the page it is on.
    assert "Tu es responsable du service client" not in text
    assert done["suggestions"][0] == {
        "kind": "resources",
        "label": "E-mails",
        "url": "/ressources/prompts/?usage=e-mails",
    }


def test_initials_name_a_use_case(library):
    done = _ask("Des prompts pour les RH ?")
    assert library["hr_prompt"].get_absolute_url() in done["text"]
    assert "?usage=ressources-humaines" in done["text"]


def test_the_glossary_is_offered_for_a_lexicon(library):
    done = _ask("Vous avez un glossaire ?")
    assert "[glossaire de l'IA](/ressources/glossaire/)" in done["text"]
    assert re.search(r"explique 3\s?termes", done["text"])


def test_titles_are_shown_as_text_not_as_markdown_or_html(db):
    GuideFactory(
        title="Charte <script>alert(1)</script> [piège](https://evil.example) *gras*",
        slug="charte-piegee",
        kind=Guide.Kind.TEMPLATE,
    )
    done = _ask("Vous avez une charte IA ?")
    html = answer_html(done["text"])
    assert "<script>" not in html
    assert 'href="https://evil.example"' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[piège](https://evil.example) *gras*" in html
    assert '<a href="/ressources/guides/charte-piegee/"' in html


def test_with_nothing_published_the_written_reply_and_the_hub(db):
    done = _ask("Vous avez des ressources gratuites ?")
    assert "en préparation" in done["text"]
    assert done["suggestions"][0]["url"] == "/ressources/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("message", PROBLEM_MESSAGES)
def test_the_problem_messages_get_the_resources_reply_through_the_api(
    client, classifier_mode, library, message
):
    # What retrieval would otherwise quote: a prompt's own text.
    document_index(
        source="resources",
        source_id="1",
        title="Répondre à un e-mail",
        url="/ressources/prompts/e-mail-0/",
        text="Tu es assistant. Rédige une réponse à l'e-mail suivant, sur un ton courtois : [e-mail reçu].",
    )
    response = client.post("/api/assistant/conversations", content_type="application/json")
    conversation = response.json()["id"]
    response = client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        {"content": message},
        content_type="application/json",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["sources"] == []
    assert "webinaire" not in answer["text"].lower() and "questionnaire" not in answer["text"]
    assert "/ressources/" in answer["text"]
    expected = {
        PROBLEM_MESSAGES[0]: library["gated"].get_absolute_url(),
        PROBLEM_MESSAGES[1]: library["charter"].get_absolute_url(),
        PROBLEM_MESSAGES[2]: "/ressources/prompts/?usage=e-mails",
    }[message]
    assert expected in answer["text"]


def test_a_use_case_is_named_by_all_its_words_not_by_one_of_them(db):
    from frenchbot.resources.selectors.prompts import use_case_named

    hr = PromptFactory(
        use_case=UseCaseFactory(name="Ressources humaines", slug="ressources-humaines")
    ).use_case
    data = PromptFactory(use_case=UseCaseFactory(name="Données", slug="donnees")).use_case
    assert use_case_named(text="des prompts pour les ressources humaines") == hr
    assert use_case_named(text="vous avez des ressources gratuites ?") is None
    # « donne-moi » is not « Données ».
    assert use_case_named(text="donne-moi des prompts") is None
    assert use_case_named(text="des prompts pour analyser mes données") == data
