"""The bot's JSON API through Django's client: ownership, CSRF, streaming and whole answers, feedback."""

import json

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client

from frenchbot.assistant.models import Feedback, Message

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Comment donner un rôle à ChatGPT ?"


def _start(client) -> str:
    response = client.post("/api/assistant/conversations", content_type="application/json")
    assert response.status_code == 201
    return response.json()["id"]


def _sse(body: str) -> list[tuple[str, dict]]:
    events = []
    for frame in body.split("\n\n"):
        lines = [line for line in frame.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        name = next(line[6:].strip() for line in lines if line.startswith("event:"))
        data = json.loads("".join(line[5:].strip() for line in lines if line.startswith("data:")))
        events.append((name, data))
    return events


def test_a_whole_answer_in_json(client, content):
    conversation = _start(client)
    response = client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        {"content": QUESTION},
        content_type="application/json",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "complete" and "juriste" in answer["text"]
    assert answer["sources"][0]["url"] == "/blog/prompt/#donner-un-role"
    assert "<p>" in answer["html"]
    # Read back: the question and the answer, with sources and next steps.
    thread = client.get(f"/api/assistant/conversations/{conversation}").json()
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]
    assert thread["messages"][1]["sources"] == answer["sources"]
    assert thread["messages"][1]["suggestions"][-1]["url"] == "/rendez-vous/"


def test_the_answer_streams_as_server_sent_events(content):
    async_to_sync(_stream_one)()


async def _stream_one():
    client = AsyncClient()
    response = await client.post("/api/assistant/conversations", content_type="application/json")
    conversation = response.json()["id"]
    response = await client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        {"content": QUESTION},
        content_type="application/json",
        headers={"accept": "text/event-stream"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache, no-store"
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    events = _sse(body)
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done" and "token" in names
    assert "".join(d["text"] for n, d in events if n == "token").strip() == events[-1][1]["text"]


def test_another_visitor_cannot_read_or_continue_a_conversation(client, content):
    conversation = _start(client)
    client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        {"content": QUESTION},
        content_type="application/json",
    )
    stranger = Client()
    assert stranger.get(f"/api/assistant/conversations/{conversation}").status_code == 404
    response = stranger.post(
        f"/api/assistant/conversations/{conversation}/messages",
        {"content": "Et alors ?"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Conversation introuvable."
    assert response.json()["code"] == "not_found"
    answer = Message.objects.get(role="assistant")
    response = stranger.post(
        f"/api/assistant/messages/{answer.pk}/feedback", {"rating": -1}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not Feedback.objects.exists()
    assert client.get("/api/assistant/conversations/not-a-uuid").status_code in (404, 422)


def test_writes_need_the_csrf_token(content):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/assistant/conversations", content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    # With the token of the page, as the widget sends it, the same request passes.
    page = client.get("/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/api/assistant/conversations", content_type="application/json", headers={"x-csrftoken": token}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "payload, status, message",
    [
        ({"content": ""}, 422, "le champ est vide"),
        ({"content": "x" * 2001}, 422, "trop longue"),
    ],
)
def test_bad_questions_get_a_french_message(client, content, payload, status, message):
    conversation = _start(client)
    response = client.post(
        f"/api/assistant/conversations/{conversation}/messages", payload, content_type="application/json"
    )
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert response.json()["field"] == "content"
    assert not Message.objects.exists()


def test_a_malformed_body_is_refused_without_a_500(client, content):
    conversation = _start(client)
    for body in ("{", "[]", '{"content": 12}', '{"autre": "x"}'):
        response = client.post(
            f"/api/assistant/conversations/{conversation}/messages", body, content_type="application/json"
        )
        assert 400 <= response.status_code < 500, body


def test_too_many_questions_get_429(client, content, settings):
    settings.ASSISTANT_RATE_PER_SESSION = 1
    conversation = _start(client)
    url = f"/api/assistant/conversations/{conversation}/messages"
    assert client.post(url, {"content": QUESTION}, content_type="application/json").status_code == 200
    response = client.post(url, {"content": QUESTION}, content_type="application/json")
    assert response.status_code == 429
    assert "patientez" in response.json()["detail"]
    assert response.json()["code"] == "rate_limited"


def test_feedback_with_a_comment(client, content):
    conversation = _start(client)
    answer = client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        {"content": QUESTION},
        content_type="application/json",
    ).json()
    url = f"/api/assistant/messages/{answer['message_id']}/feedback"
    response = client.post(
        url, {"rating": -1, "comment": "Il manque un exemple."}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["rating"] == -1
    assert Feedback.objects.get().comment == "Il manque un exemple."
    assert client.post(url, {"rating": 3}, content_type="application/json").status_code == 422


def test_the_api_is_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/assistant/conversations",
        "/api/assistant/conversations/{conversation_id}",
        "/api/assistant/conversations/{conversation_id}/messages",
        "/api/assistant/messages/{message_id}/feedback",
    } <= set(paths)


def test_a_missing_field_is_named_in_french(client, content):
    conversation = _start(client)
    url = f"/api/assistant/conversations/{conversation}/messages"
    response = client.post(url, {"autre": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == "Requête invalide : le champ « content » est obligatoire."
    response = client.post(url, "{", content_type="application/json")
    assert response.status_code in (400, 422)
