"""The stream over a real ASGI server (uvicorn): events arrive as they are made, and a visitor who leaves stops
the model."""

import http.client
import json
import time
from http.cookies import SimpleCookie

import pytest

from frenchbot.assistant.models import Message


def _session(base_url: str) -> tuple[http.client.HTTPConnection, dict]:
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/assistant/")
    response = connection.getresponse()
    response.read()
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie"):
        cookies.load(header)
    headers = {
        "Cookie": "; ".join(f"{k}={v.value}" for k, v in cookies.items()),
        "X-CSRFToken": cookies["csrftoken"].value,
        "Content-Type": "application/json",
    }
    connection.request("POST", "/api/assistant/conversations", body="{}", headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    assert response.status == 201, body
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    headers["Cookie"] = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
    return connection, {"headers": headers, "conversation": body["id"]}


@pytest.mark.django_db(transaction=True)
def test_a_visitor_who_leaves_stops_the_model(asgi_server, content, use_provider):
    fake = use_provider(replies=["mot " * 400], delay=0.02)
    connection, state = _session(asgi_server)
    connection.request(
        "POST",
        f"/api/assistant/conversations/{state['conversation']}/messages",
        body=json.dumps({"content": "Comment donner un rôle ?"}),
        headers={**state["headers"], "Accept": "text/event-stream"},
    )
    response = connection.getresponse()
    assert response.status == 200
    seen = b""
    while b"event: token" not in seen:
        seen += response.read1(4096)
    # The visitor closes the tab.
    connection.sock.shutdown(2)
    connection.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not fake.cancelled:
        time.sleep(0.05)
    assert fake.cancelled == 1 and fake.completed == 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Message.objects.filter(status=Message.Status.STREAMING).exists():
        time.sleep(0.05)
    answer = Message.objects.get(role=Message.Role.ASSISTANT)
    assert answer.status == Message.Status.STOPPED
    assert 0 < len(answer.content) < len("mot " * 400)


@pytest.mark.django_db(transaction=True)
def test_tokens_arrive_before_the_answer_is_finished(asgi_server, content, use_provider):
    use_provider(replies=["un deux trois quatre cinq six sept huit neuf dix " * 10], delay=0.02)
    connection, state = _session(asgi_server)
    connection.request(
        "POST",
        f"/api/assistant/conversations/{state['conversation']}/messages",
        body=json.dumps({"content": "Comment donner un rôle ?"}),
        headers={**state["headers"], "Accept": "text/event-stream"},
    )
    response = connection.getresponse()
    reads = []
    while chunk := response.read1(65536):
        reads.append(chunk)
    body = b"".join(reads)
    assert b"event: done" in body
    first_token = next(i for i, chunk in enumerate(reads) if b"event: token" in chunk)
    done = next(i for i, chunk in enumerate(reads) if b"event: done" in chunk)
    # The words reached the client in several reads, the first ones well before the end of the answer.
    assert first_token < done - 5
