"""A gated guide end to end: the teaser and the form, the request (lead, timeline, consent kept), the e-mail
through a real SMTP server, the signed link that downloads once recorded, forged and expired links, refused
inputs that keep what the person typed, the rate limit, the direct addresses that refuse, and retention."""

import datetime
import io
import re
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from frenchbot.core.formguard import form_timestamp
from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent
from frenchbot.resources.forms import GUIDE_CONSENT_TEXT
from frenchbot.resources.models import GuideRequest
from frenchbot.resources.services.guides import guide_download_token, guide_requests_prune
from frenchbot.resources.tests.factories import GuideFactory, GuideRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    settings.RESOURCES_REQUEST_MIN_FILL_SECONDS = 0


def _post(client, guide, **overrides):
    data = {"name": "Claire", "email": "claire.martin@example.fr", "consent": "on", "ts": form_timestamp()}
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(reverse("resources:guide_request", args=[guide.slug]), data, REMOTE_ADDR="203.0.113.9")


def _link(message) -> str:
    body = message.get_payload(decode=True).decode() if not message.is_multipart() else ""
    if not body:
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                body = part.get_payload(decode=True).decode()
                break
    match = re.search(r"https?://\S+/ressources/telechargement/\S+?/(?=\s)", body)
    assert match, body
    return match.group(0)


def test_gated_page_shows_the_teaser_and_the_form_not_the_whole_body(client):
    guide = GuideFactory(is_gated=True)

    html = client.get(guide.get_absolute_url()).content.decode()

    assert "Ce guide vous aide à démarrer" in html  # the introduction
    assert "Notez le temps passé avant et après" not in html  # the rest is sent by e-mail
    assert "Au sommaire du guide" in html and "Fixer les règles" in html
    assert 'name="email"' in html and 'name="consent"' in html
    assert reverse("resources:guide_pdf", args=[guide.slug]) not in html


def test_direct_pdf_and_file_addresses_of_a_gated_guide_send_visitors_to_the_form(client, admin_client):
    guide = GuideFactory(is_gated=True)
    guide.file.save("charte.docx", ContentFile(b"PK docx"), save=True)
    form_url = reverse("resources:guide_request", args=[guide.slug])

    for name in ("resources:guide_pdf", "resources:guide_file"):
        response = client.get(reverse(name, args=[guide.slug]))
        assert response.status_code == 302 and response["Location"] == form_url
        assert admin_client.get(reverse(name, args=[guide.slug])).status_code == 200
    assert "Recevoir le guide" in client.get(form_url).content.decode()


def test_request_end_to_end_through_smtp_then_the_link_downloads_the_pdf(
    client, smtp_server, django_capture_on_commit_callbacks
):
    guide = GuideFactory(is_gated=True, title="Charte d'utilisation de l'IA générative")

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, guide)

    assert response.status_code == 302
    confirmation = client.get(response["Location"])
    assert "claire.martin@example.fr" in confirmation.content.decode()
    assert "Et maintenant" in confirmation.content.decode()

    request = GuideRequest.objects.get()
    assert request.guide == guide and request.email == "claire.martin@example.fr" and request.name == "Claire"
    assert request.consent_text == str(GUIDE_CONSENT_TEXT)
    assert request.sent_at is not None and request.downloaded_at is None

    lead = Lead.objects.get(email="claire.martin@example.fr")
    assert lead.source == "resources"
    event = LeadEvent.objects.get(lead=lead, kind=LeadEvent.Kind.GUIDE_REQUESTED)
    assert "Charte d'utilisation de l'IA générative" in event.summary
    assert ConsentRecord.objects.get(lead=lead).text == str(GUIDE_CONSENT_TEXT)

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "claire.martin@example.fr"
    assert "Charte d'utilisation de l'IA générative" in str(make_header(decode_header(message["Subject"])))
    link = urlsplit(_link(message)).path

    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(download.content))
    assert "Sommaire" in reader.pages[1].extract_text()
    request.refresh_from_db()
    first = request.downloaded_at
    assert first is not None

    # A second download works and keeps the first date.
    assert client.get(link).status_code == 200
    request.refresh_from_db()
    assert request.downloaded_at == first


def test_link_serves_the_uploaded_file_of_a_template(client):
    guide = GuideFactory(is_gated=True, body="")
    guide.file.save("charte-ia.docx", ContentFile(b"PK docx content"), save=True)
    request = GuideRequestFactory(guide=guide)

    url = reverse("resources:guide_download", args=[guide_download_token(guide_request=request)])
    assert client.head(url).status_code == 200
    request.refresh_from_db()
    assert request.downloaded_at is None  # a mail client checking the link is not a download

    response = client.get(url)

    assert response.status_code == 200
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="charte-ia.docx"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"PK docx content"
    request.refresh_from_db()
    assert request.downloaded_at is not None


def test_forged_link_is_refused_with_400(client):
    request = GuideRequestFactory()
    token = guide_download_token(guide_request=request)
    forged = signing.dumps({"r": request.pk}, salt="another-salt", compress=True)

    for bad in (token[:-3] + "abc", forged, "nimportequoi"):
        response = client.get(reverse("resources:guide_download", args=[bad]))
        assert response.status_code == 400
        assert "Ce lien ne fonctionne pas" in response.content.decode()
    request.refresh_from_db()
    assert request.downloaded_at is None


def test_expired_link_is_refused_with_410(client, settings):
    request = GuideRequestFactory()
    token = guide_download_token(guide_request=request)
    settings.RESOURCES_LINK_MAX_AGE_DAYS = 0

    response = client.get(reverse("resources:guide_download", args=[token]))

    assert response.status_code == 410
    assert "expiré" in response.content.decode()


def test_missing_consent_keeps_the_input_with_a_french_error_and_stores_nothing(client):
    guide = GuideFactory(is_gated=True)

    response = _post(client, guide, consent=None)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Cochez la case de consentement" in html
    assert 'value="claire.martin@example.fr"' in html and 'value="Claire"' in html
    assert not GuideRequest.objects.exists() and not Lead.objects.exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("pas-une-adresse", "ne semble pas valide"),
        ("", "Indiquez votre adresse e-mail"),
        ("quelquun@mailinator.com", "jetables ne sont pas acceptées"),
    ],
)
def test_bad_addresses_are_refused_with_a_french_message(client, email, message):
    guide = GuideFactory(is_gated=True)

    response = _post(client, guide, email=email)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GuideRequest.objects.exists() and not Lead.objects.exists()


def test_rate_limit_per_ip_keeps_the_input(client, settings):
    settings.RESOURCES_REQUEST_RATE_LIMIT = 2
    guide = GuideFactory(is_gated=True)

    assert _post(client, guide, email="un@example.fr").status_code == 302
    assert _post(client, guide, email="deux@example.fr").status_code == 302
    response = _post(client, guide, email="trois@example.fr")

    assert response.status_code == 429
    html = response.content.decode()
    assert "beaucoup de guides en peu de temps" in html and 'value="trois@example.fr"' in html
    assert GuideRequest.objects.count() == 2


def test_open_guide_has_no_request_form(client):
    guide = GuideFactory(is_gated=False)

    response = _post(client, guide)

    assert response.status_code == 302 and response["Location"] == guide.get_absolute_url()
    assert not GuideRequest.objects.exists()


def test_retention_deletes_old_requests_only(settings):
    settings.RESOURCES_REQUEST_RETENTION_DAYS = 365
    old = GuideRequestFactory()
    GuideRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    recent = GuideRequestFactory()

    assert guide_requests_prune() == 1
    assert list(GuideRequest.objects.all()) == [recent]

    settings.RESOURCES_REQUEST_RETENTION_DAYS = 0
    GuideRequest.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=4000)
    )
    assert guide_requests_prune() == 0
