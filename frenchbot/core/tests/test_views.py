import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["cache"] == "ok"


@pytest.mark.django_db
def test_healthz_says_whether_a_task_worker_is_alive(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from frenchbot.core.worker import worker_heartbeat_beat

    settings.WORKER_HEARTBEAT_SECONDS = 30
    assert client.get("/healthz").json()["worker"] == "unseen"
    now = timezone.now()
    worker_heartbeat_beat(
        host="web-1", pid=42, started_at=now - timedelta(hours=1), now=now - timedelta(minutes=5)
    )
    # Silent for five minutes (ten intervals): stopped or stuck, which the operator must hear of; still 200.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["worker"] == "late"
    worker_heartbeat_beat(host="web-1", pid=42, started_at=now - timedelta(hours=1))
    assert client.get("/healthz").json()["worker"] == "ok"


def test_healthz_hides_the_database_error_and_logs_it(client, monkeypatch, caplog):
    import logging

    from django.db import OperationalError, connection

    secret = "password authentication failed for user frenchbot host db.internal:5432 pw=S3cr3t"

    def broken_cursor(*args, **kwargs):
        raise OperationalError(secret)

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    with caplog.at_level(logging.ERROR, logger="frenchbot.core.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert "S3cr3t" not in response.content.decode() and "db.internal" not in response.content.decode()
    assert "S3cr3t" in caplog.text


def test_robots_points_to_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_the_icon_browsers_ask_for_is_the_sites(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg")
    # The file it leads to is the site's icon (served by WhiteNoise from the collected files).
    with open(finders.find("img/favicon.svg"), "rb") as icon:
        assert icon.read().lstrip().startswith(b"<svg")


@pytest.mark.django_db
def test_unknown_page_is_a_404_in_the_layout(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Cette page est introuvable" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_explained(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/blog/x/commenter/", {"body": "texte"})
    assert response.status_code == 403
    assert "Votre formulaire a expiré" in response.content.decode()


@pytest.mark.django_db
def test_english_interface_on_request(client, settings):
    response = client.get("/blog/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Aller au contenu" not in html


@pytest.mark.django_db
def test_french_time_typography(client):
    from django.template import Context, Template
    from django.utils import timezone, translation

    moment = timezone.datetime(2026, 11, 27, 14, 30, tzinfo=timezone.get_current_timezone())
    with translation.override("fr"):
        rendered = Template("{{ moment|date }} à {{ moment|time }}").render(Context({"moment": moment}))
    assert rendered == "27 novembre 2026 à 14 h 30"


@pytest.mark.django_db
def test_head_requests_are_answered(client):
    assert client.head("/").status_code == 200
    assert client.head("/blog/").status_code == 200
