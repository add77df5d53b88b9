"""The rights as a person exercises them: the link sent to their address, the page of their data, the archive,
the correction, the withdrawal of a consent and the erasure, with and without an account."""

import html
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from frenchbot.core.formguard import form_timestamp
from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent
from frenchbot.leads.services import contact_submit
from frenchbot.privacy.models import PrivacyRequest
from frenchbot.privacy.services import email_digest, link_token

pytestmark = pytest.mark.django_db

EMAIL = "marie.curie@exemple.fr"


def _contact(email=EMAIL, name="Marie Curie", ip="203.0.113.7"):
    return contact_submit(
        name=name,
        email=email,
        company="Radium SARL",
        subject="formation-equipe",
        message="Bonjour, je voudrais former mon équipe à ChatGPT.",
        consent=True,
        consent_text="J'accepte d'être recontactée.",
        ip=ip,
    )


def _ask_link(client, email, *, ts=None):
    return client.post(
        reverse("privacy:request"), {"email": email, "ts": ts or form_timestamp(), "website": ""}
    )


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _link_from(message) -> str:
    body = (
        message.get_payload(decode=True).decode()
        if not message.is_multipart()
        else message.get_payload(0).get_payload(decode=True).decode()
    )
    return re.search(r"https?://\S+/donnees-personnelles/acces/\S+/", body).group(0)


@pytest.fixture
def aged_ts(monkeypatch):
    """A form time stamp shown a minute ago, so the minimum fill time is met."""
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 60)
    ts = form_timestamp()
    monkeypatch.setattr(time, "time", real)
    return ts


def test_the_link_reaches_the_address_and_opens_the_persons_data(client, smtp_server, aged_ts):
    _contact()
    response = _ask_link(client, EMAIL, ts=aged_ts)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "C'est envoyé" in _text(page)
    assert len(smtp_server) == 1 and smtp_server[0]["To"] == EMAIL
    url = _link_from(smtp_server[0])
    overview = client.get(url[url.index("/donnees-personnelles/") :])
    text = _text(overview)
    assert overview.status_code == 200
    assert "Marie Curie" in text and "Radium SARL" in text
    assert "je voudrais former mon équipe" in text
    assert overview["Cache-Control"].startswith("max-age=0") or "no-cache" in overview["Cache-Control"]


def test_an_unknown_address_gets_the_same_answer_and_a_link_that_shows_nothing(client, smtp_server, aged_ts):
    _contact()
    known = _ask_link(client, EMAIL, ts=aged_ts)
    unknown = _ask_link(client, "personne@exemple.fr", ts=aged_ts)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m["To"] for m in smtp_server] == [EMAIL, "personne@exemple.fr"]
    url = _link_from(smtp_server[1])
    text = _text(client.get(url[url.index("/donnees-personnelles/") :]))
    assert "Nous ne conservons aucune donnée liée à cette adresse." in text
    assert "Marie Curie" not in text


def test_a_forged_or_expired_link_is_refused_in_french(client, settings):
    forged = client.get(reverse("privacy:access", kwargs={"token": "abc:def"}))
    assert forged.status_code == 400
    assert "Ce lien n'est pas valide" in _text(forged)
    settings.PRIVACY_LINK_MAX_AGE_HOURS = 1
    # A link signed two hours ago.
    import time

    real = time.time
    try:
        time.time = lambda: real() - 7200
        token = link_token(email=EMAIL)
    finally:
        time.time = real
    expired = client.get(reverse("privacy:access", kwargs={"token": token}))
    assert expired.status_code == 400
    assert "Ce lien a expiré" in _text(expired)
    assert "Demander un nouveau lien" in _text(expired)


def test_repeated_requests_for_one_address_are_limited_and_the_address_kept(
    client, smtp_server, settings, aged_ts
):
    settings.PRIVACY_LINK_RATE_PER_HOUR = 2
    for _ in range(2):
        assert _ask_link(client, EMAIL, ts=aged_ts).status_code == 302
    refused = _ask_link(client, EMAIL, ts=aged_ts)
    assert refused.status_code == 429
    text = _text(refused)
    assert "beaucoup de liens" in text and f'value="{EMAIL}"' in text
    assert len(smtp_server) == 2


def test_an_invalid_address_is_said_next_to_the_field(client, aged_ts):
    response = _ask_link(client, "marie@", ts=aged_ts)
    assert response.status_code == 400
    assert "ne semble pas valide" in response.content.decode()
    assert 'value="marie@"' in response.content.decode()


def _access_url(name="access", email=EMAIL):
    return reverse(f"privacy:{name}", kwargs={"token": link_token(email=email)})


def test_the_archive_holds_the_data_as_json_and_html_and_the_request_is_logged(client):
    _contact()
    response = client.post(_access_url("access_archive"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"donnees.json", "donnees.html"} <= set(archive.namelist())
    data = json.loads(archive.read("donnees.json"))
    lead_rows = data["donnees"]["leads"]["contenu"]["Votre fiche de prospect"]
    assert lead_rows[0]["e-mail"] == EMAIL and lead_rows[0]["nom"] == "Marie Curie"
    assert "Radium SARL" in archive.read("donnees.html").decode()
    logged = PrivacyRequest.objects.get(right=PrivacyRequest.Right.ACCESS)
    assert logged.status == PrivacyRequest.Status.DONE
    assert logged.email == "" and logged.email_digest == email_digest(EMAIL)


def test_the_archive_is_not_offered_on_a_get(client):
    assert client.get(_access_url("access_archive")).status_code == 405


def test_a_correction_reaches_every_row_holding_the_name(client):
    _contact(name="Marie Curi")
    response = client.post(_access_url("access_rectify"), {"name": "Marie Curie", "email": ""})
    assert response.status_code == 302
    assert Lead.objects.get(email=EMAIL).name == "Marie Curie"
    assert PrivacyRequest.objects.filter(right=PrivacyRequest.Right.RECTIFICATION, status="done").exists()


def test_an_empty_correction_is_refused_without_losing_anything(client):
    _contact()
    response = client.post(_access_url("access_rectify"), {"name": " ", "email": ""})
    assert response.status_code == 400
    assert "Indiquez le nom ou l'e-mail à corriger." in _text(response)


def test_a_consent_is_withdrawn_in_one_click_and_the_team_sees_it(client):
    _contact()
    record = ConsentRecord.objects.get(lead__email=EMAIL)
    page = client.get(_access_url()).content.decode()
    assert f'value="leads:{record.pk}"' in page
    response = client.post(_access_url("access_withdraw"), {"consent": f"leads:{record.pk}"})
    assert response.status_code == 302
    assert not ConsentRecord.objects.filter(pk=record.pk).exists()
    assert LeadEvent.objects.filter(lead__email=EMAIL, kind=LeadEvent.Kind.CONSENT).exists()
    again = client.post(_access_url("access_withdraw"), {"consent": f"leads:{record.pk}"}, follow=True)
    assert "déjà été retiré" in _text(again)


def test_someone_elses_consent_cannot_be_withdrawn_with_my_link(client):
    _contact(email="autre@exemple.fr", name="Autre Personne")
    _contact()
    other = ConsentRecord.objects.get(lead__email="autre@exemple.fr")
    client.post(_access_url("access_withdraw"), {"consent": f"leads:{other.pk}"})
    assert ConsentRecord.objects.filter(pk=other.pk).exists()


def test_erasure_shows_the_rules_then_needs_a_confirmation(client):
    _contact()
    plan = _text(client.get(_access_url("access_erase")))
    assert "Votre fiche de prospect est anonymisée" in plan
    refused = client.post(_access_url("access_erase"), {})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer" in _text(refused)
    assert Lead.objects.filter(email=EMAIL).exists()


def test_erasure_leaves_no_trace_of_the_address_and_logs_what_was_done(client):
    _contact()
    _contact(email="autre@exemple.fr", name="Autre Personne")
    response = client.post(_access_url("access_erase"), {"confirm": "on"})
    assert response.status_code == 200
    assert "Vos données sont effacées" in response.content.decode()
    assert not Lead.objects.filter(email=EMAIL).exists()
    assert not Lead.objects.filter(name="Marie Curie").exists()
    assert Lead.objects.filter(email="autre@exemple.fr", name="Autre Personne").exists()
    logged = PrivacyRequest.objects.get(right=PrivacyRequest.Right.ERASURE)
    assert logged.status == PrivacyRequest.Status.DONE and logged.email == "" and logged.ip_fingerprints == []
    assert "anonymisé" in logged.summary


def test_a_signed_in_person_sees_their_data_and_deleting_the_account_signs_them_out(client):
    user = get_user_model().objects.create_user(
        username="marie",
        email=EMAIL,
        password="x-Tr3s-l0ng-mot-de-passe",
        first_name="Marie",
        last_name="Curie",
    )
    _contact()
    client.force_login(user)
    page = client.get(reverse("privacy:mine"))
    assert page.status_code == 200
    text = _text(page)
    assert "Votre compte" in text and "Votre fiche de prospect" in text
    response = client.post(reverse("privacy:mine_erase"), {"confirm": "on"})
    assert response.status_code == 200
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert client.get(reverse("privacy:mine")).status_code == 302  # signed out: to the login page


def test_my_data_needs_a_sign_in(client):
    response = client.get(reverse("privacy:mine"))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
