"""The intent layer: what a message asks for, and the reply the bot gives without searching or calling a model."""

import decimal
import re

import pytest
from asgiref.sync import async_to_sync

from frenchbot.assistant import services
from frenchbot.assistant.intents import intent_detect, intents_all
from frenchbot.assistant.intents.base import Intent, list_position
from frenchbot.assistant.intents.classifier import intents_reset, request_part
from frenchbot.assistant.models import Message
from frenchbot.core.datafiles import DataFileError
from frenchbot.courses.tests.factories import TrainingFactory

NBSP = "\u00a0"


def _ask(conversation, question, **kwargs):
    prepared = services.answer_prepare(
        conversation=conversation, question=question, session_key="s1", ip="203.0.113.5", **kwargs
    )

    async def collect():
        return [event async for event in services.answer_stream(prepared)]

    return prepared, async_to_sync(collect)()


@pytest.fixture
def conversation(db):
    return services.conversation_start(session_key="s1", ip="203.0.113.5")


@pytest.fixture
def catalogue(db):
    return [
        TrainingFactory(
            title="ChatGPT au quotidien",
            slug="chatgpt-au-quotidien",
            audience="individual",
            duration_hours=decimal.Decimal("7.0"),
            price_text="190 € TTC",
            order=1,
        ),
        TrainingFactory(
            title="L'IA dans votre PME",
            slug="ia-dans-votre-pme",
            audience="business",
            duration_hours=decimal.Decimal("10.5"),
            price_text="490 € HT par personne",
            order=2,
        ),
    ]


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Bonjour !", "greeting"),
        ("Merci beaucoup", "thanks"),
        ("Merci, au revoir", "goodbye"),
        ("vous êtes un robot ?", "identity"),
        ("Je voudrais prendre rendez-vous avec un conseiller.", "booking"),
        ("C'est quoi votre audit gratuit ?", "audit"),
        ("Quelles formations proposez-vous ?", "trainings"),
        ("Combien coûte une formation ?", "trainings"),
        ("Bonjour, vous faites des formations pour les PME ?", "trainings"),
        ("je veux parler à quelqu'un", "handoff"),
        ("votre bot ne m'aide pas", "handoff"),
        ("Je voudrais recevoir vos articles par e-mail", "newsletter"),
        ("Comment écrire une newsletter avec ChatGPT ?", "question"),
        ("Quel est le prochain webinaire ?", "events"),
        ("Vous organisez des ateliers sur l'IA ?", "events"),
        ("Comment organiser un webinaire avec ChatGPT ?", "question"),
        ("Quel temps fera-t-il demain à Lyon ?", "out_of_scope"),
        ("Écris-moi un poème sur la mer", "out_of_scope"),
        ("Qui a fondé Mistral AI ?", "question"),
        ("Comment donner un rôle à ChatGPT dans un prompt ?", "question"),
        ("Que faites-vous de mes données ?", "privacy"),
        ("Je veux supprimer mon compte", "privacy"),
        ("Est-ce que je peux mettre des données clients dans ChatGPT ?", "question"),
    ],
)
def test_each_intent_is_recognised(message, intent):
    assert intent_detect(message).name == intent


def test_a_follow_up_keeps_the_subject_of_the_previous_message():
    assert intent_detect("Et en quelle année ?", previous="Qui a fondé Mistral AI ?").name == "question"
    follow_up = intent_detect("Et pour les PME ?", previous="Quelles formations proposez-vous ?")
    assert follow_up.name == "trainings"
    assert follow_up.request == "Quelles formations proposez-vous ? Et pour les PME ?"


def test_the_courtesy_a_message_opens_with_is_not_the_request():
    assert request_part("Bonjour, combien coûte la formation ?") == "combien coûte la formation ?"
    assert request_part("Merci ! Et pour les PME ?") == "Et pour les PME ?"
    # Nothing but courtesy: the message is the request.
    assert request_part("Bonjour !") == "Bonjour !"


def test_without_an_embedder_the_words_of_the_examples_decide(settings):
    settings.RETRIEVAL_SEMANTIC = False
    intents_reset()
    try:
        assert intent_detect("bonjour").name == "greeting"
        assert intent_detect("je voudrais prendre rendez-vous").name == "booking"
        assert intent_detect("bonjour").vector is None
    finally:
        intents_reset()


def test_every_intent_has_examples_and_those_that_answer_have_a_reply():
    intents = intents_all()
    assert len(intents) >= 10
    for intent in intents.values():
        assert intent.examples
        assert intent.replies or not intent.answers_itself, intent.name


def test_a_malformed_intent_file_is_named_in_the_error(tmp_path):
    path = tmp_path / "frenchbot" / "assistant" / "intents" / "data" / "greeting.toml"
    path.parent.mkdir(parents=True)
    path.write_text('examples = ["bonjour"]\nreplies = ["Bonjour !"]\nrepliez = []\n', encoding="utf-8")
    with pytest.raises(
        DataFileError, match="frenchbot/assistant/intents/data/greeting.toml: unknown key 'repliez'"
    ):
        Intent.from_file(path)


def test_hello_gets_a_warm_reply_that_says_it_is_an_ai_and_no_passage(conversation):
    prepared, events = _ask(conversation, "Bonjour !")
    done = events[-1].data
    assert prepared.intent == "greeting"
    assert [e.name for e in events] == ["meta", "token", "done"]
    assert done["text"].startswith("Bonjour")
    assert "intelligence artificielle" in done["text"] or "IA" in done["text"]
    assert done["sources"] == []
    assert {s["url"] for s in done["suggestions"]} >= {"/formations/", "/audit/"}
    saved = Message.objects.get(pk=done["message_id"])
    assert saved.status == Message.Status.COMPLETE and saved.content == done["text"]


def test_trainings_and_prices_come_from_the_catalogue(conversation, catalogue):
    _, events = _ask(conversation, "Quelles formations proposez-vous ?")
    done = events[-1].data
    assert "ChatGPT au quotidien" in done["text"] and "L'IA dans votre PME" in done["text"]
    assert f"190{NBSP}€ TTC" in done["text"] and "490" in done["text"]
    assert f"10,5{NBSP}h" in done["text"]
    # The trainings come as cards, in the catalogue's order, with their price.
    cards = next(a for a in done["actions"] if a["type"] == "trainings")["trainings"]
    assert [card["url"] for card in cards] == [
        "/formations/chatgpt-au-quotidien/",
        "/formations/ia-dans-votre-pme/",
    ]
    assert cards[0]["price"] == f"190{NBSP}€ TTC"
    assert "/formations/chatgpt-au-quotidien/" not in [s["url"] for s in done["suggestions"]]
    assert done["sources"] == []
    # A follow-up about companies narrows the answer to the training for them.
    _, events = _ask(conversation, "Et pour les PME ?")
    done = events[-1].data
    assert "L'IA dans votre PME" in done["text"] and "ChatGPT au quotidien" not in done["text"]
    assert "490" in done["text"]


def test_a_question_about_my_data_gets_the_page_of_my_rights_and_the_policy(conversation):
    _, events = _ask(conversation, "Vous gardez mes questions ? Je veux pouvoir les effacer")
    done = events[-1].data
    assert [s["url"] for s in done["suggestions"]] == ["/donnees-personnelles/", "/confidentialite/"]
    assert "tout faire effacer" in done["text"] and done["sources"] == []


def test_booking_audit_handoff_and_off_topic_each_offer_their_next_step(conversation):
    expected = {
        "Je voudrais prendre rendez-vous avec un conseiller.": "/rendez-vous/",
        "C'est quoi votre audit gratuit ?": "/audit/",
        "je veux parler à quelqu'un": "/rendez-vous/",
        "Quel temps fera-t-il demain à Lyon ?": "/formations/",
    }
    for question, url in expected.items():
        _, events = _ask(conversation, question)
        done = events[-1].data
        assert url in [s["url"] for s in done["suggestions"]], question
        assert done["sources"] == [], question
    off_topic = Message.objects.filter(role=Message.Role.ASSISTANT).order_by("pk").last()
    assert off_topic.content.startswith("Je ne peux pas vous aider sur ce sujet")


@pytest.mark.parametrize(
    "question",
    ["Bonjour, je voudrais faire une réclamation", "Je veux déposer une réclamation sur ma formation."],
)
def test_a_complaint_is_sent_to_the_complaints_form_with_the_message_to_the_team_beside_it(
    conversation, question
):
    prepared, events = _ask(conversation, question)
    done = events[-1].data
    assert prepared.intent == "handoff"
    assert "formulaire de réclamation" in done["text"] and "désolé" in done["text"]
    assert done["suggestions"][0] == {
        "kind": "complaint",
        "label": "Faire une réclamation",
        "url": "/reclamation/",
    }
    assert [a.get("form") for a in done["actions"]] == ["handoff"]


def test_a_plain_request_for_a_person_is_not_treated_as_a_complaint(conversation):
    _, events = _ask(conversation, "je veux parler à quelqu'un")
    done = events[-1].data
    assert "/reclamation/" not in [s["url"] for s in done["suggestions"]]
    assert "réclamation" not in done["text"]


def test_a_question_still_goes_to_retrieval(conversation):
    from frenchbot.retrieval.services import document_index

    document_index(
        source="blog",
        source_id="1",
        title="Mistral AI",
        url="/blog/mistral/",
        text="## Les fondateurs\n\nMistral AI a été fondée en 2023 par Arthur Mensch, Guillaume Lample et Timothée Lacroix.",
    )
    prepared, events = _ask(conversation, "Bonjour, qui a fondé Mistral AI ?")
    done = events[-1].data
    assert prepared.intent == "question" and prepared.reply is None
    assert "Arthur Mensch" in done["text"]
    assert done["sources"][0]["url"].startswith("/blog/mistral/")


def _generative(settings, **options):
    from frenchbot.llm.registry import get_provider

    settings.LLM_PROVIDERS = {
        "default": {"BACKEND": "frenchbot.llm.providers.fake.FakeProvider", "OPTIONS": options},
        "extractive": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}},
    }
    settings.LLM_DEFAULT_PROVIDER = "default"
    return get_provider()


def test_with_a_generative_model_the_model_words_small_talk_without_any_passage(conversation, settings):
    fake = _generative(settings, replies=["Avec plaisir, à bientôt sur The French Bot !"])
    _, events = _ask(conversation, "Merci, au revoir")
    assert events[-1].data["text"] == "Avec plaisir, à bientôt sur The French Bot !"
    sent = fake.last_messages[-1].content
    assert "la règle 8" in sent and "[1]" not in sent
    saved = Message.objects.get(pk=events[-1].data["message_id"])
    assert saved.prompt_tokens > 0 and saved.sources == []


def test_with_a_generative_model_the_catalogue_still_answers_the_price_without_the_model(
    conversation, settings, catalogue
):
    fake = _generative(settings, replies=["Nos formations coûtent 9 999 €."])
    _, events = _ask(conversation, "Combien coûte une formation ?")
    assert "190" in events[-1].data["text"] and "9 999" not in events[-1].data["text"]
    assert fake.last_messages == []


def test_when_the_model_fails_small_talk_falls_back_to_the_written_reply(conversation, settings):
    _generative(settings, fail_before="ProviderUnavailable")
    _, events = _ask(conversation, "Bonjour !")
    assert events[-1].name == "done"
    assert events[-1].data["text"].startswith(("Bonjour", "Bienvenue", "Hello", "Salut"))


def test_the_intents_command_prepares_the_examples_and_classifies_messages():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("intents", "Bonjour !", "Combien coûte une formation ?", stdout=out)
    lines = out.getvalue().splitlines()
    assert "intentions" in lines[0] and "exemples prêts" in lines[0]
    assert lines[1].startswith("greeting\t") and lines[2].startswith("trainings\t")


def test_events_come_from_the_calendar_with_seats_and_replays(conversation):
    import datetime

    from django.utils import timezone

    from frenchbot.events.tests.factories import EventFactory, register

    webinar = EventFactory(title="Ce que l'AI Act change pour une PME", slug="ai-act")
    workshop = EventFactory(
        title="Atelier automatisation",
        slug="atelier",
        kind="workshop",
        place="12 rue de l'Exemple, Lyon",
        join_url="",
        seats=3,
        starts_at=timezone.now() + datetime.timedelta(days=20),
    )
    register(workshop, 1)
    past = EventFactory(
        title="ChatGPT au bureau",
        slug="chatgpt-bureau",
        starts_at=timezone.now() - datetime.timedelta(days=10),
        replay_url="https://video.example.fr/replay",
    )
    _, events = _ask(conversation, "Quel est le prochain webinaire ?")
    done = events[-1].data
    text = done["text"]
    # Soonest first, linked, with its date in French, and the workshop's place and seats left.
    assert text.index("AI Act") < text.index("Atelier automatisation")
    assert webinar.get_absolute_url() in text and workshop.get_absolute_url() in text
    assert "Lyon" in text and "plus que 2 places" in text
    # The webinar's room is for registrants only; the past event is offered as a replay.
    assert webinar.join_url not in text
    assert past.get_absolute_url() in text and "replay" in text.lower()
    assert "/evenements/" in [s["url"] for s in done["suggestions"]]
    assert done["sources"] == []


def test_with_no_event_planned_the_bot_says_so_and_offers_the_letter(conversation):
    _, events = _ask(conversation, "Quel est le prochain webinaire ?")
    done = events[-1].data
    assert "Aucun webinaire" in done["text"]
    assert "/lettre/" in [s["url"] for s in done["suggestions"]]


def test_a_training_named_gets_its_own_answer_and_a_follow_up_keeps_it(conversation, catalogue):
    _, events = _ask(conversation, "Combien coûte la formation ChatGPT au quotidien ?")
    done = events[-1].data
    assert "ChatGPT au quotidien" in done["text"] and "coûte" in done["text"]
    assert f"190{NBSP}€ TTC" in done["text"]
    assert "L'IA dans votre PME" not in done["text"] and "490" not in done["text"]
    cards = next(a for a in done["actions"] if a["type"] == "trainings")["trainings"]
    assert [card["url"] for card in cards] == ["/formations/chatgpt-au-quotidien/"]
    # « elle »: the training just named, and what is asked now is its length.
    _, events = _ask(conversation, "Et elle dure combien de temps ?")
    done = events[-1].data
    assert re.search(r"ChatGPT au quotidien\*\*\]\([^)]*\) dure \d", done["text"]), done["text"]
    assert "L'IA dans votre PME" not in done["text"]
    # A word that many trainings may teach does not name one: the catalogue is listed.
    _, events = _ask(conversation, "Quelles formations ChatGPT proposez-vous ?")
    done = events[-1].data
    assert "ChatGPT au quotidien" in done["text"] and "L'IA dans votre PME" in done["text"]


def test_a_single_training_is_presented_as_such_not_asked_which_one(conversation, catalogue):
    # « Et pour les PME ? » narrows the catalogue to one training: no « Laquelle vous intéresse ? ».
    _ask(conversation, "Quelles formations proposez-vous ?")
    _, events = _ask(conversation, "Et pour les PME ?")
    text = events[-1].data["text"]
    assert "L'IA dans votre PME" in text and "490" in text
    assert "Laquelle" not in text and "Voici notre formation" not in text
    assert "son programme" in text


def test_a_plain_request_for_a_person_gets_no_apology_a_let_down_visitor_does(conversation):
    _, events = _ask(conversation, "je veux parler à quelqu'un")
    plain = events[-1].data
    assert plain["text"].startswith("Bien sûr") and "désolé" not in plain["text"]
    assert any(a["type"] == "form" for a in plain["actions"])
    _, events = _ask(conversation, "votre bot ne m'aide pas du tout")
    let_down = events[-1].data
    assert "désolé" in let_down["text"]
    assert any(a["type"] == "form" for a in let_down["actions"])


def test_a_price_on_quote_reads_as_part_of_the_sentence(conversation, catalogue):
    pme = catalogue[1]
    pme.price_text = "Sur devis, à partir de 1 900 € HT pour 5 personnes"
    pme.save()
    _, events = _ask(conversation, "Quel est le prix de votre formation pour les PME ?")
    text = events[-1].data["text"]
    assert "h)\u00a0: sur devis, à partir de 1" in text
    assert "coûte" not in text and "Sur devis" not in text
    _, events = _ask(conversation, "Quelles formations proposez-vous ?")
    assert "10,5\u00a0h, sur devis" in events[-1].data["text"]


def test_the_next_session_with_a_trainer_is_given_with_its_dates(conversation, catalogue):
    import datetime

    from django.utils import timezone

    from frenchbot.sessions.tests.factories import HalfDayFactory, TrainingSessionFactory

    _, events = _ask(conversation, "Quand a lieu la prochaine session de la formation ChatGPT au quotidien ?")
    text = events[-1].data["text"]
    assert "Aucune session" in text and "ChatGPT au quotidien" in text

    session = TrainingSessionFactory(training=catalogue[0], format="remote", seats=6)
    first = timezone.localdate() + datetime.timedelta(days=20)
    HalfDayFactory(session=session, date=first)
    HalfDayFactory(session=session, date=first + datetime.timedelta(days=1))
    _, events = _ask(
        conversation, "Quelles sont les dates de la prochaine session de la formation ChatGPT au quotidien ?"
    )
    text = events[-1].data["text"]
    assert "La prochaine session" in text and "à distance" in text and "6 places restantes" in text
    second = first + datetime.timedelta(days=1)
    if first.month == second.month:  # « du 28 au 29 décembre 2026 »
        assert f"du {first.day} au {second.day} " in text
    else:
        assert f"du {first.day} " in text and f" au {second.day} " in text

    # Asked what it costs, the answer adds the next session after the price.
    _, events = _ask(conversation, "Combien coûte la formation ChatGPT au quotidien ?")
    text = events[-1].data["text"]
    assert "coûte" in text and "Prochaine session avec un formateur" in text


def test_the_first_or_the_second_of_the_list_just_given_is_the_one_answered(conversation, catalogue):
    _ask(conversation, "Quelles formations proposez-vous ?")
    _, events = _ask(conversation, "Combien coûte la première ?")
    text = events[-1].data["text"]
    assert "ChatGPT au quotidien" in text and f"coûte 190{NBSP}€ TTC" in text
    assert "L'IA dans votre PME" not in text and "490" not in text
    _, events = _ask(conversation, "Et la deuxième ?")
    text = events[-1].data["text"]
    assert "L'IA dans votre PME" in text and "490" in text and "190" not in text
    # « la première session » asks about a session, not about the first training of the list.
    _, events = _ask(conversation, "Quelles formations proposez-vous ?")
    _, events = _ask(conversation, "Quand a lieu la première session ?")
    text = events[-1].data["text"]
    assert "ChatGPT au quotidien" in text and "L'IA dans votre PME" in text


@pytest.mark.parametrize(
    ("message", "position"),
    [
        ("Combien coûte la première ?", 0),
        ("et le premier, il dure combien ?", 0),
        ("La 2e formation est pour qui ?", 1),
        ("et la seconde ?", 1),
        ("Je prends la dernière", -1),
        ("C'est la première fois que j'utilise ChatGPT", None),
        ("Quand a lieu la dernière séance ?", None),
        ("Quelles formations proposez-vous ?", None),
    ],
)
def test_a_place_in_the_list_is_read_only_where_the_message_points_into_it(message, position):
    assert list_position(message) == position
