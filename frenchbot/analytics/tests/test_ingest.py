"""The beacon and the image: what is kept, what is refused, and that nothing personal is ever stored."""

import asyncio
import http.client
import json
import logging
import re
import urllib.parse

import pytest
from django.db import models
from freezegun import freeze_time
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from frenchbot.analytics import ingest
from frenchbot.analytics.models import Device, Hit
from frenchbot.blog.tests.factories import ArticleFactory, UserFactory
from frenchbot.core.metrics import metrics_render
from frenchbot.core.middleware import RequestLogASGI

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
FRENCH_IP = "90.84.0.1"  # Orange France


@pytest.fixture(autouse=True)
def _fresh_rate_counter():
    ingest.rate_counter.reset()
    yield
    ingest.rate_counter.reset()


def send(client, data, *, ip=FRENCH_IP, ua=CHROME, **headers):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(
        "/mesure/",
        body,
        content_type="text/plain;charset=UTF-8",
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=ua,
        **headers,
    )


def assert_empty(response, status):
    assert response.status_code == status
    assert response.content == b""
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_page_view_keeps_only_what_the_dashboard_needs(client):
    response = send(
        client,
        {
            "k": "v",
            "u": "/blog/un-article/?utm_source=lettre&utm_medium=email&utm_campaign=rentree&id=42",
            "r": "https://www.Google.fr/search?q=chatgpt+formation",
            "w": 390,
        },
        HTTP_ORIGIN="http://testserver",
    )
    assert_empty(response, 202)
    hit = Hit.objects.get()
    assert hit.kind == Hit.Kind.PAGEVIEW
    assert hit.path == "/blog/un-article/"
    assert (hit.utm_source, hit.utm_medium, hit.utm_campaign) == ("lettre", "email", "rentree")
    assert hit.referrer == "google.fr"
    assert hit.device == Device.MOBILE
    assert hit.country == "FR"
    assert hit.duration is None and hit.scroll is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "kept"),
    [
        # A report, a booking, a subscription, a registration: their address is their key, never kept.
        ("/audit/resultat/442155b7-b0ec-4680-a148-477b5481fdb8/", "/audit/resultat/…/"),
        ("/rendez-vous/gerer/Zk9xQ2-secret.token/annuler/", "/rendez-vous/gerer/…/annuler/"),
        ("/lettre/confirmer/abc:def:ghi/", "/lettre/confirmer/…/"),
        ("/evenements/inscription/t0ken/", "/evenements/inscription/…/"),
        ("/certificats/FB-2026-XYZ/", "/certificats/…/"),
        # Public names stay: an article, a lesson by its number and name.
        ("/blog/un-article/", "/blog/un-article/"),
        ("/formations/ia-pme/lecons/3/le-prompt/", "/formations/ia-pme/lecons/3/le-prompt/"),
    ],
)
def test_private_keys_in_an_address_are_never_kept(client, url, kept):
    assert_empty(send(client, {"k": "v", "u": url}), 202)
    assert Hit.objects.get().path == kept


@pytest.mark.django_db
def test_engagement_keeps_a_clamped_duration_and_scroll(client):
    assert send(client, {"k": "e", "u": "/", "d": 42.4, "s": 63}).status_code == 202
    assert send(client, {"k": "e", "u": "/", "d": 10**9, "s": 250}).status_code == 202
    assert send(client, {"k": "e", "u": "/", "d": -5, "s": -1}).status_code == 202
    rows = list(Hit.objects.order_by("pk").values_list("kind", "duration", "scroll"))
    assert rows == [(2, 42, 63), (2, 21_600, 100), (2, 0, 0)]


@pytest.mark.django_db
def test_no_address_nor_user_agent_is_ever_stored(client):
    ip, ua = "2a01:cb00:1234::42", IPHONE
    send(client, {"k": "v", "u": "/?utm_source=lettre", "r": f"https://[{ip}]/", "w": 1200}, ip=ip, ua=ua)
    send(client, {"k": "e", "u": "/", "r": "", "d": 3, "s": 50}, ip=ip, ua=ua)
    hits = list(Hit.objects.all())
    assert len(hits) == 2
    text_fields = [f.name for f in Hit._meta.fields if isinstance(f, models.CharField | models.TextField)]
    for hit in hits:
        for name in text_fields:
            value = getattr(hit, name)
            assert ip not in value and "cb00" not in value, name
            assert ua[:40] not in value and "iPhone" not in value, name
    assert hits[0].utm_source == "lettre" and hits[0].referrer == ""
    assert hits[0].visitor == hits[1].visitor


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_DNT": "1"},
        {"HTTP_SEC_GPC": "1"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"HTTP_USER_AGENT": CHROME.replace("Chrome/", "HeadlessChrome/")},
        {"HTTP_USER_AGENT": ""},
    ],
)
def test_robots_and_visitors_who_ask_not_to_be_measured_are_left_out(client, headers):
    response = client.post(
        "/mesure/",
        json.dumps({"k": "v", "u": "/"}),
        content_type="text/plain",
        **{"HTTP_USER_AGENT": CHROME, **headers},
    )
    assert_empty(response, 204)
    assert not Hit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe\x00",
        b"[" * 1000 + b"]" * 1000,
        b'["v", "/"]',
        b'{"k": "x", "u": "/"}',
        b'{"u": "/"}',
        b'{"k": "v"}',
        b'{"k": "v", "u": 42}',
        b'{"k": "v", "u": "/", "w": "large"}',
        b'{"k": "v", "u": "/", "r": ["a"]}',
        b'{"k": "e", "u": "/", "d": "long"}',
        b'{"k": "e", "u": "/", "s": NaN}',
        b'{"k": "v", "u": "https://evil.example/"}',
        b'{"k": "v", "u": "//evil.example/blog/"}',
        b'{"k": "v", "u": "/n-existe-pas/"}',
        b'{"k": "v", "u": "/equipe/"}',
        b'{"k": "v", "u": "/admin/"}',
        b'{"k": "v", "u": "/compte/login/"}',
        b'{"k": "v", "u": "/donnees-personnelles/acces/eyJlIjoiYUBiLmZyIn0:1x:abc/"}',
        b'{"k": "v", "u": "/donnees-personnelles/mes-donnees/"}',
        b'{"k": "v", "u": "/api/docs"}',
        b'{"k": "v", "u": "/mesure/"}',
        b'{"k": "v", "u": "/blog/%ff%fe/"}',
        b'{"k": "v", "u": "/blog/a\\u0000b/"}',
        ('{"k": "v", "u": "/blog/' + "a" * 300 + '/"}').encode(),
    ],
)
def test_forged_beacons_are_refused_and_nothing_is_stored(client, body):
    assert_empty(send(client, body), 400)
    assert not Hit.objects.exists()


@pytest.mark.django_db
def test_an_oversized_beacon_is_refused(client):
    body = json.dumps({"k": "v", "u": "/", "r": "https://example.com/" + "x" * 2100}).encode()
    assert_empty(send(client, body), 413)
    assert not Hit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://testserver.evil.example"])
def test_a_beacon_from_another_site_is_refused(client, origin):
    assert_empty(send(client, {"k": "v", "u": "/"}, HTTP_ORIGIN=origin), 403)
    assert not Hit.objects.exists()


@pytest.mark.django_db
def test_only_post_is_answered(client):
    assert_empty(client.get("/mesure/"), 405)


@pytest.mark.django_db
def test_a_flood_from_one_address_gets_429(client, settings):
    settings.ANALYTICS_RATE_PER_MINUTE = 5
    statuses = [send(client, {"k": "v", "u": "/"}, ip="203.0.113.7").status_code for _ in range(7)]
    assert statuses == [202] * 5 + [429] * 2
    # Another visitor is not affected.
    assert send(client, {"k": "v", "u": "/"}, ip="203.0.113.8").status_code == 202
    assert Hit.objects.count() == 6


@pytest.mark.django_db
def test_measurement_switched_off_stores_nothing(client, settings):
    settings.ANALYTICS_ENABLED = False
    assert_empty(send(client, {"k": "v", "u": "/"}), 204)
    assert not Hit.objects.exists()


@pytest.mark.django_db
def test_countries_can_be_switched_off(client, settings):
    settings.ANALYTICS_COUNTRIES = False
    send(client, {"k": "v", "u": "/"})
    assert Hit.objects.get().country == ""


@given(body=st.binary(max_size=2100) | st.text(max_size=600).map(str.encode))
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@pytest.mark.django_db
def test_no_body_yields_a_server_error(body):
    ingest.rate_counter.reset()
    status = ingest.beacon_accept(body=body, headers={"user-agent": CHROME}, ip=FRENCH_IP, host="testserver")
    assert status in (202, 400, 413)


# --- Parsing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("utm_source=lettre&utm_medium=email&utm_campaign=noel", ("lettre", "email", "noel")),
        ("ref=producthunt", ("producthunt", "", "")),
        ("source=linkedin&utm_campaign=x", ("linkedin", "", "x")),
        ("utm_source=a&ref=b", ("a", "", "")),
        ("utm_source=%0Ale%09bot%7F", ("lebot", "", "")),
        ("utm_campaign=" + "c" * 150, ("", "", "c" * 100)),
        ("", ("", "", "")),
    ],
)
def test_campaign_parameters(query, expected):
    found = ingest.campaign(query)
    assert (found["utm_source"], found["utm_medium"], found["utm_campaign"]) == expected


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("https://www.linkedin.com/feed/?trk=x", "linkedin.com"),
        ("http://News.YCombinator.com/item?id=1", "news.ycombinator.com"),
        ("https://lefrenchbot.fr/blog/", ""),
        ("https://www.lefrenchbot.fr/", ""),
        ("android-app://com.google.android.gm/", ""),
        ("ftp://files.example.com/", ""),
        ("https://exa mple.com/", ""),
        ("https://[::1/", ""),
        ("not a url", ""),
        ("", ""),
        ("https://" + "a" * 200 + ".com/", "a" * 120),
    ],
)
def test_referrer_is_reduced_to_a_domain(referrer, expected):
    assert ingest.referrer_domain(referrer, host="lefrenchbot.fr:443") == expected


def test_a_french_address_is_in_france_and_a_private_one_nowhere():
    from frenchbot.analytics.geo import country_code

    assert country_code(FRENCH_IP) == "FR"
    assert country_code("2a01:cb00::1") == "FR"
    assert country_code("192.168.1.10") == ""
    assert country_code("127.0.0.1") == ""
    assert country_code("n'importe quoi") == ""


# --- The image of browsers without JavaScript ----------------------------------------------------------


@pytest.mark.django_db
def test_the_image_counts_the_page_named_by_the_referer(client):
    response = client.get(
        "/mesure/vue.gif",
        HTTP_REFERER="http://testserver/blog/un-article/?utm_source=lettre",
        HTTP_USER_AGENT=IPHONE,
        REMOTE_ADDR=FRENCH_IP,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"GIF89a")
    hit = Hit.objects.get()
    assert (hit.path, hit.utm_source, hit.device, hit.referrer) == (
        "/blog/un-article/",
        "lettre",
        "mobile",
        "",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_REFERER": "https://evil.example/blog/un-article/"},
        {"HTTP_REFERER": "http://testserver/equipe/"},
        {},
        {"HTTP_REFERER": "http://testserver/", "HTTP_DNT": "1"},
    ],
)
def test_the_image_from_elsewhere_is_served_but_not_counted(client, headers):
    response = client.get("/mesure/vue.gif", HTTP_USER_AGENT=CHROME, **headers)
    assert response.status_code == 200
    assert response.content.startswith(b"GIF89a")
    assert not Hit.objects.exists()


# --- The script tag ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_get_the_script_and_the_image(client):
    article = ArticleFactory()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'src="/static/analytics/mesure.js" data-endpoint="/mesure/" defer' in page
    assert '<noscript><img src="/mesure/vue.gif" alt="" width="1" height="1"' in page


@pytest.mark.django_db
def test_staff_get_no_script(client):
    article = ArticleFactory()
    client.force_login(UserFactory(username="equipiere", is_staff=True))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<h1" in page and article.title in page
    assert "mesure.js" not in page and "vue.gif" not in page


@pytest.mark.django_db
def test_signed_in_visitors_get_the_script(client):
    article = ArticleFactory()
    client.force_login(UserFactory(username="lectrice"))
    assert "mesure.js" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_no_script_when_measurement_is_off(client, settings):
    settings.ANALYTICS_ENABLED = False
    article = ArticleFactory()
    assert "mesure.js" not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_no_script_on_account_pages(client):
    page = client.get("/compte/login/")
    assert page.status_code == 200
    assert "mesure.js" not in page.content.decode()


# --- Through the ASGI stack, as in production -----------------------------------------------------------


def _request(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": CHROME, **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_asgi_layer_answers_the_beacon_and_the_image(asgi_server):
    host = urllib.parse.urlsplit(asgi_server).netloc
    body = json.dumps({"k": "v", "u": "/?ref=lettre", "r": "https://duckduckgo.com/", "w": 1400}).encode()
    status, headers, content = _request(
        asgi_server, "POST", "/mesure/", body, {"Content-Type": "text/plain", "Origin": f"http://{host}"}
    )
    assert (status, content, headers["cache-control"]) == (202, b"", "no-store")

    status, headers, content = _request(
        asgi_server, "GET", "/mesure/vue.gif", headers={"Referer": f"http://{host}/blog/?utm_campaign=noel"}
    )
    assert (status, headers["content-type"], headers["cache-control"]) == (200, "image/gif", "no-store")
    assert content.startswith(b"GIF89a")

    rows = list(
        Hit.objects.order_by("pk").values_list("path", "utm_source", "utm_campaign", "referrer", "device")
    )
    assert rows == [("/", "lettre", "", "duckduckgo.com", "desktop"), ("/blog/", "", "noel", "", "desktop")]


def test_the_asgi_layer_refuses_without_reading_everything(asgi_server):
    status, _, content = _request(
        asgi_server, "POST", "/mesure/", b"x" * 50_000, {"Content-Type": "text/plain"}
    )
    assert (status, content) == (413, b"")
    status, _, content = _request(asgi_server, "POST", "/mesure/", b'{"k": "v", "u": "/equipe/"}')
    assert (status, content) == (400, b"")
    status, _, content = _request(asgi_server, "POST", "/mesure/", b'{"k": "v", "u": "/"}', {"DNT": "1"})
    assert (status, content) == (204, b"")
    status, _, _ = _request(asgi_server, "GET", "/mesure/")
    assert status == 405
    assert not Hit.objects.exists()


# --- What the beacons cost the rest of the site ---------------------------------------------------------


def _posts_counted(status_class: str) -> float:
    """POST requests the latency histogram counted with this status class, all routes together."""
    total = 0.0
    for labels, value in re.findall(
        r"^frenchbot_http_request_duration_seconds_count\{([^}]*)\} (\S+)$", metrics_render().decode(), re.M
    ):
        if 'method="POST"' in labels and f'status="{status_class}"' in labels:
            total += float(value)
    return total


def _through_the_stack(body: bytes, headers: dict[str, str]) -> int:
    """One beacon through the outer ASGI layers of config/asgi.py; the status answered."""

    async def django(scope, receive, send):  # never reached: the beacon is answered before Django
        raise AssertionError(scope["path"])

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/mesure/",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"user-agent", CHROME.encode())]
        + [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "client": (FRENCH_IP, 50000),
    }
    asyncio.run(RequestLogASGI(ingest.AnalyticsASGI(django))(scope, receive, send))
    return sent[0]["status"]


@pytest.mark.django_db(transaction=True)
def test_accepted_beacons_are_counted_without_an_access_line_and_refused_ones_keep_theirs(settings, caplog):
    settings.ACCESS_LOG = True
    accepted, refused = _posts_counted("2xx"), _posts_counted("4xx")
    with caplog.at_level(logging.INFO, logger="frenchbot.access"):
        assert _through_the_stack(b'{"k": "v", "u": "/"}', {}) == 202
        assert _through_the_stack(b'{"k": "v", "u": "/"}', {"DNT": "1"}) == 204
        assert _through_the_stack(b'{"k": "v", "u": "/equipe/"}', {}) == 400

    lines = [record for record in caplog.records if record.name == "frenchbot.access"]
    assert [(line.access["path"], line.access["status"]) for line in lines] == [("/mesure/", 400)]
    assert (_posts_counted("2xx") - accepted, _posts_counted("4xx") - refused) == (2, 1)
    assert list(Hit.objects.values_list("path", flat=True)) == ["/"]


@pytest.mark.django_db
def test_a_beacon_after_midnight_counts_on_the_new_day(client):
    assert send(client, {"k": "x"}).status_code == 400  # the site's modules loaded before time stands still
    # Paris is UTC+1 in December: 22:59:50 UTC is 23:59:50 in Paris.
    with freeze_time("2026-12-06 22:59:50") as clock:
        assert send(client, {"k": "v", "u": "/"}).status_code == 202
        clock.tick(20)
        assert send(client, {"k": "v", "u": "/"}).status_code == 202
    days = list(Hit.objects.order_by("at").values_list("day", flat=True))
    assert [day.isoformat() for day in days] == ["2026-12-06", "2026-12-07"]
