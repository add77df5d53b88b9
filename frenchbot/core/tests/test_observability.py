"""Observability as an operator meets it: log lines, the access line, /metrics, error reporting."""

import datetime
import gzip
import http.server
import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from frenchbot.core.logs import JsonFormatter, RequestContextFilter

ROOT = Path(__file__).resolve().parents[3]
TEST_URLS = "frenchbot.core.tests.observability_urls"
# Ports of this suite's own servers (uvicorn workers, the error-reporting receiver).
PORTS = range(18350, 18400)


@pytest.fixture
def json_lines():
    """Every log line written during the test, as the JSON formatter writes it (parsed)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def _value(text: str, name: str, **labels) -> float:
    """One sample of a Prometheus exposition (0 when the series is absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def _scrape(client=None) -> str:
    response = (client or Client()).get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return response.content.decode()


def _port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("Aucun port libre entre 18350 et 18399")


# --- Logs -------------------------------------------------------------------------------------------------


@pytest.mark.urls(TEST_URLS)
def test_json_lines_carry_the_request_id_and_route_and_no_personal_value(settings, json_lines):
    settings.ACCESS_LOG = True
    response = Client().get(
        "/essai-observabilite/mon-article/jeton-secret-42/?email=marie.dupont@example.fr&token=ZZsecretZZ",
        headers={"X-Request-ID": "proxy-req-00112233"},
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "proxy-req-00112233"
    lines = json_lines()
    [warning] = [line for line in lines if line["logger"] == "frenchbot.tests.observability"]
    assert warning["level"] == "WARNING" and warning["message"] == "Vue de test : un avertissement"
    assert warning["request"] == {
        "id": "proxy-req-00112233",
        "method": "GET",
        "route": "/essai-observabilite/<slug:slug>/<str:token>/",
    }
    [access] = [line for line in lines if line["logger"] == "frenchbot.access"]
    assert access["request_id"] == "proxy-req-00112233"
    assert access["route"] == "/essai-observabilite/<slug:slug>/<str:token>/"
    assert access["status"] == 200 and access["method"] == "GET" and access["size"] == 2
    assert access["duration_ms"] >= 0
    # The slug is kept, the token is not; the query string's names only.
    assert access["path"] == "/essai-observabilite/mon-article/<token>/"
    assert access["query"] == "email,token"
    raw = json.dumps(lines)
    assert "marie.dupont" not in raw and "ZZsecretZZ" not in raw and "jeton-secret-42" not in raw
    # A client fingerprint, never the address.
    assert access["client"] and "127.0.0.1" not in raw


def test_an_email_address_in_a_path_is_masked_and_a_request_id_is_made_when_none_is_sent(
    settings, json_lines
):
    settings.ACCESS_LOG = True
    response = Client().get("/desinscription/jean.martin@example.org/")

    assert response.status_code == 404
    lines = json_lines()
    [access] = [line for line in lines if line["logger"] == "frenchbot.access"]
    assert access["path"] == "/desinscription/<e-mail>/" and access["route"] == "unmatched"
    # Django's own "Not Found" warning is masked too.
    [not_found] = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["message"] == "Not Found: /desinscription/<e-mail>/" and not_found["status_code"] == 404
    assert "jean.martin" not in json.dumps(lines)
    assert access["request_id"] == response["X-Request-ID"] and len(response["X-Request-ID"]) == 32


def test_an_injected_request_id_is_replaced(settings, json_lines):
    settings.ACCESS_LOG = True
    response = Client().get("/robots.txt", headers={"X-Request-ID": "a\nforged line"})

    assert response["X-Request-ID"] != "a\nforged line" and "\n" not in response["X-Request-ID"]


def test_the_access_line_is_off_unless_asked_and_truncates_the_client_when_told(settings, json_lines):
    settings.ACCESS_LOG = False
    Client().get("/robots.txt")
    assert not [line for line in json_lines() if line["logger"] == "frenchbot.access"]

    settings.ACCESS_LOG = True
    settings.ACCESS_LOG_CLIENT = "truncated"
    Client().get("/robots.txt", REMOTE_ADDR="203.0.113.77")
    [access] = [line for line in json_lines() if line["logger"] == "frenchbot.access"]
    assert access["client"] == "203.0.113.0/24"


def test_log_format_json_makes_every_line_json_and_a_wrong_value_is_refused():
    script = "import django, logging; django.setup(); logging.getLogger('frenchbot.essai').warning('Démarré')"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "LOG_FORMAT": "json"}
    result = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(line) for line in result.stderr.splitlines() if "frenchbot.essai" in line]
    assert line["message"] == "Démarré" and line["level"] == "WARNING" and line["time"].endswith("+00:00")

    environment["LOG_FORMAT"] = "xml"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_through_asgi_one_access_line_per_request_with_its_route(settings, asgi_server, json_lines):
    # (asgi_server first: importing the ASGI application configures logging anew, dropping earlier handlers.)
    settings.ACCESS_LOG = True
    with urllib.request.urlopen(f"{asgi_server}/robots.txt?page=2") as response:  # noqa: S310 - loopback
        request_id = response.headers["X-Request-ID"]
        body = response.read()

    # The line is written once the last byte is sent, which the client may read first.
    deadline = time.monotonic() + 10
    while not (access := [line for line in json_lines() if line["logger"] == "frenchbot.access"]):
        assert time.monotonic() < deadline, "no access line"
        time.sleep(0.05)
    time.sleep(0.2)
    access = [line for line in json_lines() if line["logger"] == "frenchbot.access"]
    assert len(access) == 1
    assert access[0]["route"] == "/robots.txt" and access[0]["request_id"] == request_id
    assert access[0]["size"] == len(body) and access[0]["query"] == "page"


# --- Metrics ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_a_404_page_for_an_address_not_allowed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Through the proxy, the visitor's address is the forwarded one: not loopback.
    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404
    assert b"frenchbot_http_request_duration_seconds" not in response.content
    assert Client().get("/metrics", REMOTE_ADDR="198.51.100.4").status_code == 404

    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert (
        Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 200
    )
    settings.METRICS_ALLOWED_IPS = []
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


@pytest.fixture
def content(db):
    from frenchbot.retrieval.services import document_index

    document_index(
        source="blog", source_id="1", title="Écrire un bon prompt", url="/blog/prompt/", text=ARTICLE
    )


ARTICLE = """## Donner un rôle

Commencez votre prompt en donnant un rôle à ChatGPT : « vous êtes juriste en droit du travail ». Le rôle oriente
le vocabulaire et le niveau de détail de la réponse.
"""


def _ask(client) -> dict:
    conversation = client.post("/api/assistant/conversations", content_type="application/json").json()["id"]
    return client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        {"content": "Comment donner un rôle à ChatGPT ?"},
        content_type="application/json",
    ).json()


@pytest.mark.django_db(transaction=True)
def test_metrics_count_requests_by_route_and_bot_answers_by_provider(content):
    client = Client()
    before = _scrape(client)
    for _ in range(3):
        assert client.get("/robots.txt").status_code == 200
    assert client.get("/page-qui-n-existe-pas/").status_code == 404
    assert _ask(client)["status"] == "complete"

    after = _scrape(client)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    histogram = "frenchbot_http_request_duration_seconds_count"
    assert grew(histogram, route="/robots.txt", method="GET", status="2xx") == 3
    assert grew(histogram, route="unmatched", method="GET", status="4xx") == 1
    assert grew(histogram, route="/api/assistant/conversations", method="POST", status="2xx") == 1
    assert grew("frenchbot_bot_answers_total", provider="extractive", status="complete") == 1
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert "no-cache" in response["Cache-Control"] and response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db(transaction=True)
def test_a_provider_failure_is_counted_under_its_provider(content, settings):
    settings.ASSISTANT_INTENTS = False
    settings.LLM_PROVIDERS = {
        "default": {
            "BACKEND": "frenchbot.llm.providers.fake.FakeProvider",
            "OPTIONS": {"fail_before": "ProviderUnavailable"},
        },
        "extractive": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}},
    }
    client = Client()
    before = _scrape(client)
    assert _ask(client)["status"] == "error"
    after = _scrape(client)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("frenchbot_bot_provider_errors_total", provider="fake", error="ProviderUnavailable") == 1
    assert grew("frenchbot_bot_answers_total", provider="fake", status="error") == 1


@pytest.mark.django_db(transaction=True)
def test_bookings_to_come_and_leads_by_status_are_counted_when_scraped():
    from django.utils import timezone

    from frenchbot.booking.services import booking_create
    from frenchbot.booking.tests.factories import EventTypeFactory, TeamMemberFactory, every_day
    from frenchbot.booking.tests.helpers import PARIS
    from frenchbot.leads.models import Lead

    before = _scrape()
    event_type = EventTypeFactory()
    event_type.members.add(TeamMemberFactory(hours=every_day()))
    day = timezone.now().astimezone(PARIS).date() + datetime.timedelta(days=3)
    booking_create(
        event_type=event_type,
        start=datetime.datetime.combine(day, datetime.time(10), tzinfo=PARIS),
        name="Jeanne Dupont",
        email="jeanne@example.fr",
        consent=True,
        consent_text="J'accepte d'être recontactée.",
    )
    after = _scrape()

    assert _value(before, "frenchbot_bookings_upcoming") == 0
    assert _value(after, "frenchbot_bookings_upcoming") == 1
    booked = Lead.objects.get().status
    assert (
        _value(after, "frenchbot_leads", status=booked)
        == _value(before, "frenchbot_leads", status=booked) + 1
    )
    # Every status is a series, even at zero, so that a dashboard's line does not vanish.
    assert _value(after, "frenchbot_leads", status="lost") == 0 and 'status="lost"' in after


@pytest.mark.django_db(transaction=True)
def test_a_database_task_waiting_shows_in_the_queue_depth(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from frenchbot.core.tests.observability_tasks import noop

    before = _value(_scrape(), "frenchbot_task_queue_depth", backend="default", queue="*")
    noop.enqueue()
    noop.enqueue()
    assert DBTaskResult.objects.ready().count() >= 2
    assert _value(_scrape(), "frenchbot_task_queue_depth", backend="default", queue="*") == before + 2


def _database_url() -> str:
    data = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{data['NAME']}"
    password = f":{data['PASSWORD']}" if data.get("PASSWORD") else ""
    return f"postgres://{data['USER']}{password}@{data['HOST'] or '127.0.0.1'}:{data['PORT'] or 5432}/{data['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_uvicorn_workers_are_added_up_in_one_scrape(tmp_path):
    """Two worker processes behind one port: whichever answers the scrape reports the requests of both."""
    port = _port()
    var = tmp_path / "var"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "FRENCHBOT_VAR_DIR": str(var),
        "DATABASE_URL": _database_url(),
        "PAGE_CACHE_SECONDS": "0",
        "ACCESS_LOG": "false",
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    reset = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-m", "frenchbot.core.cli", "metrics_reset"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert reset.returncode == 0, reset.stderr
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--no-access-log", "--lifespan", "off"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/robots.txt", timeout=2).read()  # noqa: S310 - loopback
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"uvicorn did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        sent = 1
        # New connections until both workers have served some (each worker's counters are a file of its pid).
        metrics_dir = var / "metrics"
        while len({path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("histogram_*.db")}) < 2:
            assert sent < 500, "one worker served every request"
            threads = [
                threading.Thread(
                    target=lambda: urllib.request.urlopen(f"{base}/robots.txt", timeout=10).read()  # noqa: S310
                )
                for _ in range(8)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sent += len(threads)
        # A request is counted once its last byte is sent, which the client may read first: poll a little.
        deadline = time.monotonic() + 10
        while True:
            scraped = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()  # noqa: S310
            count = _value(
                scraped,
                "frenchbot_http_request_duration_seconds_count",
                route="/robots.txt",
                method="GET",
                status="2xx",
            )
            if count >= sent or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=20)
    logged = server.stderr.read().decode()

    # Both workers served some of the requests: only their files added up make the whole count.
    assert count == sent
    # uvicorn's own access log (raw addresses, query strings) stays off once Django has configured logging.
    assert '"GET /robots.txt HTTP/1.1" 200' not in logged


# --- Error reporting --------------------------------------------------------------------------------------


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        type(self).received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_error_in_a_view_reaches_the_dsn_without_personal_data_and_the_visitor_gets_our_page():
    port = _port()
    _Receiver.received = []
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Receiver)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    script = (
        "import django, sentry_sdk; django.setup()\n"
        "from django.test.utils import setup_test_environment, override_settings\n"
        "from django.test import Client\n"
        "setup_test_environment()\n"
        f"with override_settings(ROOT_URLCONF={TEST_URLS!r}):\n"
        "    r = Client(raise_request_exception=False).get("
        "'/essai-observabilite/panne/?email=claire.petit@example.fr', REMOTE_ADDR='192.0.2.33')\n"
        "print(r.status_code, r.content.decode())\n"
        "sentry_sdk.flush(timeout=10)\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SENTRY_DSN": f"http://clefpublique@127.0.0.1:{port}/42",
        "SENTRY_ENVIRONMENT": "recette",
        "SENTRY_RELEASE": "frenchbot@essai",
    }
    try:
        result = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        receiver.shutdown()
        receiver.server_close()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("500 ") and "Un incident technique" in result.stdout
    envelopes = [body for path, body in _Receiver.received if path == "/api/42/envelope/"]
    events = [
        json.loads(line)
        for body in envelopes
        for line in body.decode().splitlines()
        if line.startswith("{") and '"exception"' in line
    ]
    assert events, f"no error event received: {_Receiver.received!r}"
    event = events[0]
    [exception] = event["exception"]["values"]
    assert exception["type"] == "RuntimeError" and "Panne volontaire" in exception["value"]
    assert event["environment"] == "recette" and event["release"] == "frenchbot@essai"
    sent = b"".join(envelopes).decode()
    assert "claire.petit" not in sent and "192.0.2.33" not in sent


@pytest.mark.django_db
def test_a_page_served_from_the_page_cache_before_django_gets_its_access_line_and_request_id(
    settings, json_lines
):
    import asyncio

    from frenchbot.blog.tests.factories import ArticleFactory
    from frenchbot.core.middleware import RequestLogASGI
    from frenchbot.core.pagecache import PageCacheASGI

    settings.PAGE_CACHE_SECONDS = 300
    settings.ACCESS_LOG = True
    article = ArticleFactory(title="Le prompt parfait")
    Client().get(article.get_absolute_url())  # renders and stores the shared copy
    reached = []

    async def django(scope, receive, send):
        reached.append(scope["path"])

    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": article.get_absolute_url(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
    }
    before = len([line for line in json_lines() if line["logger"] == "frenchbot.access"])
    asyncio.run(RequestLogASGI(PageCacheASGI(django))(scope, receive, send))

    assert not reached and sent[0]["status"] == 200
    request_id = dict(sent[0]["headers"])[b"x-request-id"].decode()
    access = [line for line in json_lines() if line["logger"] == "frenchbot.access"][before:]
    assert len(access) == 1
    assert access[0]["route"] == "/blog/<slug:slug>/" and access[0]["path"] == article.get_absolute_url()
    assert access[0]["request_id"] == request_id and access[0]["size"] == len(sent[1]["body"])
