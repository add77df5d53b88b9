"""What the visitor does inside the chat: book the audit call in a slot the bot shows, leave a message for the team,
and what the bot says when our content has no answer. Through the JSON API the widget uses, and through the page
without JavaScript."""

import datetime
import json
import zoneinfo

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.assistant.models import Message
from frenchbot.assistant.selectors import unanswered_groups
from frenchbot.booking.models import Booking
from frenchbot.booking.tests.factories import EventTypeFactory, TeamMemberFactory, every_day
from frenchbot.leads.models import Lead, LeadEvent, Source
from frenchbot.retrieval.services import document_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(db):
    member = TeamMemberFactory(display_name="Camille Laurent", hours=every_day())
    return EventTypeFactory(slug="appel-audit-offert", members=[member], min_notice_minutes=60)


def _start(client) -> str:
    return client.post("/api/assistant/conversations", content_type="application/json").json()["id"]


def _ask(client, conversation, content, tz="Europe/Paris") -> dict:
    response = client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        data=json.dumps({"content": content, "timezone": tz}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def _slots(answer) -> dict:
    return next(action for action in answer["actions"] if action["type"] == "slots")


def _booking_payload(slots, chosen, **fields):
    return {
        "event_type": slots["event_type"],
        "start": chosen,
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "consent": True,
        "timezone": slots["timezone"],
        **fields,
    }


def test_asking_for_a_call_shows_the_next_free_slots_in_the_visitors_time_zone(client, call):
    conversation = _start(client)
    answer = _ask(
        client, conversation, "Je voudrais prendre rendez-vous avec un conseiller.", tz="America/Montreal"
    )
    slots = _slots(answer)
    assert slots["event_type"] == "appel-audit-offert"
    assert slots["timezone"] == "America/Montreal" and "Montreal" in slots["timezone_label"]
    assert 1 <= len(slots["slots"]) <= 6
    first = datetime.datetime.fromisoformat(slots["slots"][0]["start"])
    assert first.utcoffset() == first.astimezone(zoneinfo.ZoneInfo("America/Montreal")).utcoffset()
    # Labels read in French, in the visitor's zone.
    assert " à " in slots["slots"][0]["label"]
    assert slots["submit"] == f"/api/assistant/conversations/{conversation}/booking"
    assert "/rendez-vous/appel-audit-offert/" in answer["text"]
    # At most two a day: the visitor sees several days.
    days = {datetime.datetime.fromisoformat(s["start"]).date() for s in slots["slots"]}
    assert len(days) >= 3


def test_an_unknown_time_zone_falls_back_to_paris(client, call):
    answer = _ask(client, _start(client), "je veux un rdv", tz="Mars/Olympus_Mons")
    assert _slots(answer)["timezone"] == "Europe/Paris"


def test_a_slot_booked_from_the_chat_is_a_real_booking_seen_by_the_team(
    client, call, smtp_server, django_capture_on_commit_callbacks
):
    conversation = _start(client)
    slots = _slots(_ask(client, conversation, "Je voudrais prendre rendez-vous"))
    chosen = slots["slots"][1]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, slots["submit"], _booking_payload(slots, chosen["start"]))
    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get()
    assert booking.start == datetime.datetime.fromisoformat(chosen["start"])
    assert booking.email == "jeanne@example.fr" and booking.event_type == call
    # The same lead record as a booking made on /rendez-vous/, with the consent text as shown in the chat.
    lead = Lead.objects.get(email="jeanne@example.fr")
    assert lead.status == Lead.Status.AUDIT_BOOKED
    assert lead.consents.get().text == slots["consent_text"]
    # The bot's confirmation is in the conversation, with the booking's page.
    confirmation = Message.objects.get(pk=body["message"]["id"])
    assert confirmation.conversation_id.hex == conversation.replace("-", "")
    assert body["booking"]["manage_url"] in confirmation.content and "Camille Laurent" in confirmation.content
    assert client.get(body["booking"]["manage_url"]).status_code == 200
    # The confirmation e-mail went out through SMTP, as for any booking.
    assert any(message["To"] == "jeanne@example.fr" for message in smtp_server)
    # The team sees it in the back-office.
    staff = Client()
    sales = get_user_model().objects.create_user("equipe", is_staff=True)
    sales.groups.add(staff_group("Commercial"))
    staff.force_login(sales)
    assert "Jeanne Dupont" in staff.get("/equipe/rendez-vous/").content.decode()


def test_a_slot_taken_meanwhile_answers_409_with_fresh_slots_and_books_nothing_twice(client, call):
    conversation = _start(client)
    slots = _slots(_ask(client, conversation, "Je voudrais prendre rendez-vous"))
    chosen = slots["slots"][0]["start"]
    assert _post(client, slots["submit"], _booking_payload(slots, chosen)).status_code == 201
    other = Client()
    other_conversation = _start(other)
    other_slots = _slots(_ask(other, other_conversation, "Je voudrais prendre rendez-vous"))
    response = _post(
        other, other_slots["submit"], _booking_payload(other_slots, chosen, email="paul@example.fr")
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "taken" and "vient d'être réservé" in body["detail"]
    assert body["slots"] and chosen not in [slot["start"] for slot in body["slots"]]
    assert all(slot["label"] for slot in body["slots"])
    assert Booking.objects.count() == 1 and not Lead.objects.filter(email="paul@example.fr").exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"email": "jeanne@"}, "email", "e-mail"),
        ({"consent": False}, "consent", "consentement"),
        ({"name": "  "}, "name", "nom"),
        ({"start": "demain"}, "start", "créneau"),
    ],
)
def test_invalid_input_in_the_chat_booking_says_what_is_wrong_and_writes_nothing(
    client, call, fields, field, words
):
    conversation = _start(client)
    slots = _slots(_ask(client, conversation, "Je voudrais prendre rendez-vous"))
    messages_before = Message.objects.count()
    response = _post(client, slots["submit"], _booking_payload(slots, slots["slots"][0]["start"], **fields))
    assert response.status_code == 422
    assert response.json()["field"] == field and words in response.json()["detail"]
    assert not Booking.objects.exists() and not Lead.objects.exists()
    assert Message.objects.count() == messages_before


def test_someone_elses_conversation_cannot_book_or_hand_over(client, call):
    conversation = _start(client)
    slots = _slots(_ask(client, conversation, "Je voudrais prendre rendez-vous"))
    stranger = Client()
    assert (
        _post(stranger, slots["submit"], _booking_payload(slots, slots["slots"][0]["start"])).status_code
        == 404
    )
    handoff = f"/api/assistant/conversations/{conversation}/handoff"
    payload = {"name": "X", "email": "x@example.fr", "consent": True}
    assert _post(stranger, handoff, payload).status_code == 404
    assert not Booking.objects.exists() and not Lead.objects.exists()


def test_asking_for_a_person_hands_over_with_the_conversation(
    client, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@thefrenchbot.fr"]
    conversation = _start(client)
    _ask(client, conversation, "Bonjour !")
    answer = _ask(client, conversation, "votre bot ne m'aide pas, je veux parler à quelqu'un")
    form = next(action for action in answer["actions"] if action["type"] == "form")
    assert form["form"] == "handoff" and [f["name"] for f in form["fields"]] == ["name", "email", "message"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            form["submit"],
            {
                "name": "Paul Martin",
                "email": "Paul@Example.fr",
                "message": "Rappelez-moi demain.",
                "consent": True,
            },
        )
    assert response.status_code == 201, response.content
    assert "paul@example.fr" in response.json()["message"]["content"]
    lead = Lead.objects.get(email="paul@example.fr")
    assert lead.source == Source.ASSISTANT and lead.consents.get().text == form["consent_text"]
    event = lead.events.get(kind=LeadEvent.Kind.CONTACT)
    assert (
        "Rappelez-moi demain." in event.text and "je veux parler à quelqu'un" in event.payload["conversation"]
    )
    team = next(message for message in smtp_server if message["To"] == "equipe@thefrenchbot.fr")
    body = team.get_payload(decode=True).decode()

    assert "Rappelez-moi demain." in body and "Conversation avec le bot" in body
    assert "je veux parler à quelqu'un" in body
    assert team["Reply-To"] == "paul@example.fr"


def test_an_invalid_handoff_names_each_field_and_writes_nothing(client):
    conversation = _start(client)
    response = _post(
        client,
        f"/api/assistant/conversations/{conversation}/handoff",
        {"name": "", "email": "paul@", "message": "", "consent": False},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"name", "email", "consent"}
    assert not Lead.objects.exists()


def test_without_javascript_the_page_books_a_slot_and_keeps_what_was_typed_on_error(client, call):
    conversation = _start(client)
    slots = _slots(_ask(client, conversation, "Je voudrais prendre rendez-vous"))
    page = client.get(f"/assistant/?c={conversation}").content.decode()
    assert 'action="/assistant/reserver/"' in page and slots["slots"][0]["label"] in page
    form = {
        "conversation": conversation,
        "event_type": slots["event_type"],
        "timezone": "Europe/Paris",
        "start": slots["slots"][0]["start"],
        "name": "Jeanne Dupont",
        "email": "jeanne@",
    }
    response = client.post("/assistant/reserver/", form)
    assert response.status_code == 422
    text = response.content.decode()
    assert 'value="Jeanne Dupont"' in text and 'value="jeanne@"' in text and 'role="alert"' in text
    response = client.post("/assistant/reserver/", {**form, "email": "jeanne@example.fr", "consent": "on"})
    assert response.status_code == 302
    assert Booking.objects.filter(email="jeanne@example.fr").exists()
    after = client.get(response["Location"]).content.decode()
    assert "C'est réservé" in after
    # The slots offered before are not offered again under the confirmation.
    assert 'action="/assistant/reserver/"' not in after


def test_without_javascript_the_page_hands_over(client):
    conversation = _start(client)
    _ask(client, conversation, "je veux parler à un humain")
    page = client.get(f"/assistant/?c={conversation}").content.decode()
    assert 'action="/assistant/message-equipe/"' in page
    response = client.post(
        "/assistant/message-equipe/",
        {"conversation": conversation, "name": "Paul", "email": "paul@example.fr", "consent": "on"},
    )
    assert response.status_code == 302 and Lead.objects.filter(email="paul@example.fr").exists()


def test_the_stream_carries_the_actions_as_typed_events(client, call):
    conversation = _start(client)

    async def stream():
        visitor = AsyncClient()
        visitor.cookies = client.cookies
        response = await visitor.post(
            f"/api/assistant/conversations/{conversation}/messages",
            {"content": "Je voudrais prendre rendez-vous"},
            content_type="application/json",
            headers={"accept": "text/event-stream"},
        )
        return b"".join([chunk async for chunk in response.streaming_content]).decode()

    body = async_to_sync(stream)()
    names = [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("event: ")]
    assert names.index("slots") < names.index("done")
    restored = client.get(f"/api/assistant/conversations/{conversation}").json()
    assert restored["messages"][-1]["actions"][0]["type"] == "slots"


# ---------------------------------------------------------------------------------------------------------------
# The honesty threshold


@pytest.fixture
def mistral(db):
    document_index(
        source="blog",
        source_id="mistral",
        title="Mistral AI",
        url="/blog/mistral/",
        text=(
            "## Les fondateurs\n\nMistral AI a été fondée à Paris en 2023 par Arthur Mensch, Guillaume Lample et "
            "Timothée Lacroix, trois chercheurs passés par Google DeepMind et Meta."
        ),
    )
    document_index(
        source="blog",
        source_id="musk",
        title="L'offre d'Elon Musk pour OpenAI",
        url="/blog/offre-musk/",
        text=(
            "## L'offre\n\nLe 10 février 2025, un consortium mené par Elon Musk a proposé 97,4 milliards de "
            "dollars pour prendre le contrôle d'OpenAI. Sam Altman a refusé l'offre le jour même."
        ),
    )


def test_a_question_our_content_does_not_answer_gets_an_honest_reply_and_a_way_to_ask_the_team(
    client, mistral
):
    conversation = _start(client)
    answer = _ask(client, conversation, "Qui est le PDG d'Anthropic ?")
    assert answer["unanswered"] is True and answer["sources"] == []
    assert "pas trouvé de réponse sûre" in answer["text"]
    assert [action["type"] for action in answer["actions"]] == ["form"]
    assert Message.objects.get(pk=answer["message_id"]).unanswered


def test_a_question_our_content_answers_is_answered_and_not_listed(client, mistral):
    answer = _ask(client, _start(client), "Qui a fondé Mistral AI ?")
    assert answer["unanswered"] is False and "Arthur Mensch" in answer["text"]


def test_a_follow_up_question_is_searched_with_the_subject_of_the_previous_one(client, mistral):
    conversation = _start(client)
    _ask(client, conversation, "Qui a fondé Mistral AI ?")
    answer = _ask(client, conversation, "Et en quelle année ?")
    assert "2023" in answer["text"] and answer["sources"][0]["url"].startswith("/blog/mistral/")
    _ask(client, conversation, "Combien Elon Musk a-t-il proposé pour OpenAI ?")
    answer = _ask(client, conversation, "Qui l'a refusée ?")
    assert "Sam Altman" in answer["text"]
    assert all(source["url"].startswith("/blog/offre-musk/") for source in answer["sources"])


@pytest.mark.parametrize(
    ("question", "history", "query"),
    [
        (
            "Et en quelle année ?",
            ["Qui a fondé Mistral AI ?"],
            "Qui a fondé Mistral AI ? Et en quelle année ?",
        ),
        (
            "Qui l'a refusée ?",
            ["Combien Musk a-t-il offert ?"],
            "Combien Musk a-t-il offert ? Qui l'a refusée ?",
        ),
        ("Il coûte combien ?", ["C'est quoi n8n ?"], "C'est quoi n8n ? Il coûte combien ?"),
        # A follow-up of a follow-up keeps the subject of the first question.
        ("Et ses fondateurs ?", ["Qui a fondé Mistral AI ?", "Et en quelle année ?"], None),
        # A question that stands alone is searched alone: a new subject is not mixed with the old one.
        (
            "Que dit l'AI Act sur les chatbots ?",
            ["Qui a fondé Mistral AI ?"],
            "Que dit l'AI Act sur les chatbots ?",
        ),
        ("Comment écrire un bon prompt pour un e-mail ?", ["Et en quelle année ?"], None),
    ],
)
def test_the_search_query_carries_the_subject_only_of_a_follow_up(question, history, query):
    from frenchbot.assistant.services import retrieval_query

    result = retrieval_query(question, history)
    if query is not None:
        assert result == query
    elif len(history) == 2 and question.startswith("Et"):
        assert result == " ".join([*history, question])
    else:
        assert result == question


# ---------------------------------------------------------------------------------------------------------------
# The loop: a question the bot cannot answer → the team's FAQ entry → the bot answers it


def test_an_unanswered_question_becomes_an_faq_entry_the_bot_then_answers(client, mistral):
    question = "Avez-vous des bureaux à Lyon ?"
    first = _ask(client, _start(client), question)
    assert first["unanswered"] is True

    staff = Client()
    moderator = get_user_model().objects.create_user("camille", is_staff=True)
    moderator.groups.add(staff_group("Modération"))
    staff.force_login(moderator)
    listing = staff.get("/equipe/questions-sans-reponse/").content.decode().replace("&#x27;", "'")
    assert question in listing
    response = staff.post(
        "/equipe/questions-sans-reponse/rediger/",
        {
            "question": question,
            "answer": "Nos bureaux sont à Paris ; à Lyon, nous venons dans vos locaux, dès 5 personnes.",
            "category": "Nos formations",
            "group": str(first["message_id"]),
        },
    )
    assert response.status_code == 302
    assert unanswered_groups() == []

    again = _ask(client, _start(client), "Vous avez un bureau à Lyon ?")
    assert again["unanswered"] is False
    assert "dans vos locaux" in again["text"]
    assert again["sources"][0]["url"].startswith("/faq/#")


def test_while_vectors_are_not_computed_yet_the_bot_answers_by_words(client, mistral):
    from frenchbot.retrieval.models import Chunk
    from frenchbot.retrieval.services import index_version_bump

    # As while the worker embeds the content: one article has its vectors, the other not yet (the words were
    # indexed again, which moved the index's version on).
    Chunk.objects.filter(document__source_id="mistral").update(vector=None, vector_model="")
    index_version_bump()
    answer = _ask(client, _start(client), "Qui a fondé Mistral AI ?")
    assert answer["unanswered"] is False and "Arthur Mensch" in answer["text"]
