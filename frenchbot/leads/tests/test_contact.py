"""contact_submit: the message lands on the sender's lead with its consent, then two e-mails leave through
the task queue and a real SMTP server."""

from email.header import decode_header, make_header

import pytest
from django.urls import reverse

from frenchbot.core.net import ip_fingerprint
from frenchbot.leads import services
from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent, Source

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

CONSENT = "J'accepte que The French Bot utilise ces informations pour répondre à mon message."
MESSAGE = (
    "Bonjour,\r\n\r\nNous sommes huit au cabinet et voudrions apprendre à utiliser ChatGPT pour nos comptes "
    "rendus (R&D, <direction>).\r\nQuelles dates proposez-vous ?"
)


def _submit(**overrides):
    data = {
        "name": "Jeanne Dupont",
        "email": "Jeanne.Dupont@Example.FR",
        "company": "Cabinet Dupont",
        "subject": services.ContactSubject.TRAINING_TEAM,
        "message": MESSAGE,
        "consent": True,
        "consent_text": CONSENT,
        "ip": "203.0.113.7",
    }
    data.update(overrides)
    return services.contact_submit(**data)


def _header(message, name) -> str:
    return str(make_header(decode_header(message[name])))


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            # SMTP carries lines ending in CRLF; compare text as written.
            return part.get_payload(decode=True).decode().replace("\r\n", "\n")
    raise AssertionError("no text part")


def test_a_message_creates_the_lead_with_its_consent_and_timeline_event():
    lead = _submit()

    assert lead.email == "jeanne.dupont@example.fr"
    assert (lead.name, lead.company, lead.source) == ("Jeanne Dupont", "Cabinet Dupont", Source.CONTACT)
    consent = ConsentRecord.objects.get(lead=lead)
    assert consent.text == CONSENT
    assert consent.purpose == Source.CONTACT
    assert consent.ip_fingerprint == ip_fingerprint("203.0.113.7")
    event = lead.events.get()
    assert event.kind == LeadEvent.Kind.CONTACT
    expected = MESSAGE.replace("\r\n", "\n")
    assert event.payload == {"subject": "formation-equipe", "message": expected}
    # The back-office timeline shows the summary and the text.
    assert event.summary == (
        "Une formation pour mon équipe — Bonjour, Nous sommes huit au cabinet et voudrions apprendre à "
        "utiliser ChatGPT…"
    )
    assert event.text == expected


def test_a_known_address_updates_its_lead_and_keeps_its_origin():
    existing = LeadFactory(email="jeanne.dupont@example.fr", name="J. Dupont", source=Source.BOOKING)

    lead = _submit(subject=services.ContactSubject.OTHER, message="Une autre question.")

    assert lead.pk == existing.pk and Lead.objects.count() == 1
    lead.refresh_from_db()
    assert lead.source == Source.BOOKING
    assert lead.name == "Jeanne Dupont"
    event = lead.events.get(kind=LeadEvent.Kind.CONTACT)
    assert event.summary == "Autre question — Une autre question."
    assert event.payload["subject"] == "autre"


def test_every_wrong_field_is_reported_at_once_and_nothing_is_written(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(services.ContactError) as caught:
        _submit(name=" \n ", email="jeanne@", subject="promotion", message="   ", consent=False)

    errors = caught.value.errors
    assert set(errors) == {"name", "email", "subject", "message", "consent"}
    assert errors["email"] == "Cette adresse e-mail ne semble pas valide (exemple\u00a0: prenom@domaine.fr)."
    assert errors["subject"] == "Choisissez l'objet de votre message dans la liste."
    assert errors["message"].startswith("Votre message est vide")
    assert errors["consent"].startswith("Cochez la case de consentement")
    assert caught.value.field == "name" and caught.value.message == errors["name"]
    assert Lead.objects.count() == 0 and ConsentRecord.objects.count() == 0
    assert callbacks == []


def test_consent_without_its_text_is_refused():
    with pytest.raises(services.ContactError) as caught:
        _submit(consent_text="  ")
    assert set(caught.value.errors) == {"consent"}


def test_the_message_limit_counts_characters_as_the_person_sees_them():
    # 2,500 line ends sent by a browser as \r\n: 5,000 characters on screen, 7,500 on the wire.
    _submit(message="a\r\n" * 2499 + "ab")
    with pytest.raises(services.ContactError) as caught:
        _submit(message="a" * 5001)
    assert caught.value.errors["message"] == (
        "Votre message dépasse 5\u202f000 caractères (il en compte 5\u202f001)\u00a0: raccourcissez-le un peu."
    )


def test_the_team_and_the_sender_receive_their_emails(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@thefrenchbot.fr", "camille@thefrenchbot.fr"]
    settings.SITE_URL = "https://www.thefrenchbot.fr"
    with django_capture_on_commit_callbacks(execute=True):
        lead = _submit()

    assert len(smtp_server) == 2
    team, copy = smtp_server

    assert team["To"] == "equipe@thefrenchbot.fr, camille@thefrenchbot.fr"
    assert team["Reply-To"] == "jeanne.dupont@example.fr"
    assert (
        _header(team, "Subject") == "Message de contact\u00a0: Une formation pour mon équipe — Jeanne Dupont"
    )
    body = _body(team)
    assert "De\u00a0: Jeanne Dupont <jeanne.dupont@example.fr>" in body
    assert "Entreprise\u00a0: Cabinet Dupont" in body
    assert "Quelles dates proposez-vous ?" in body
    # Plain text: what the visitor wrote arrives as written, not HTML-escaped.
    assert "comptes rendus (R&D, <direction>)." in body
    assert (
        f"Fiche\u00a0: https://www.thefrenchbot.fr{reverse('backoffice:lead_detail', args=[lead.pk])}" in body
    )
    assert "&#x27;" not in body and "&amp;" not in body

    assert copy["To"] == "jeanne.dupont@example.fr"
    assert copy["Reply-To"] is None
    assert _header(copy, "Subject") == "Votre message à The French Bot\u00a0: Une formation pour mon équipe"
    body = _body(copy)
    assert body.startswith("Bonjour Jeanne Dupont,")
    assert "sous deux jours ouvrés" in body
    # Their message, quoted line by line, exactly as written.
    assert (
        "> Bonjour,\n>\n> Nous sommes huit au cabinet et voudrions apprendre à utiliser ChatGPT pour nos "
        "comptes rendus (R&D, <direction>).\n> Quelles dates proposez-vous ?"
    ) in body
    assert "/equipe/" not in body


def test_without_a_notification_list_the_team_reads_it_at_the_contact_address(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = []
    settings.CONTACT_EMAIL = "bonjour@thefrenchbot.fr"
    with django_capture_on_commit_callbacks(execute=True):
        _submit()
    assert sorted(message["To"] for message in smtp_server) == [
        "bonjour@thefrenchbot.fr",
        "jeanne.dupont@example.fr",
    ]


def test_a_name_with_line_breaks_cannot_add_headers(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@thefrenchbot.fr"]
    with django_capture_on_commit_callbacks(execute=True):
        lead = _submit(name="Jeanne\r\nBcc: victime@example.org\nX-Spam: oui", company="A\rB")

    assert lead.name == "Jeanne Bcc: victime@example.org X-Spam: oui"
    assert lead.company == "A B"
    assert len(smtp_server) == 2
    team = next(message for message in smtp_server if message["To"] == "equipe@thefrenchbot.fr")
    assert _header(team, "Subject") == (
        "Message de contact\u00a0: Une formation pour mon équipe — Jeanne Bcc: victime@example.org X-Spam: oui"
    )
    for message in smtp_server:
        assert message["Bcc"] is None and message["X-Spam"] is None
        # What the SMTP server was really asked to deliver to (aiosmtpd records the envelope).
        assert "victime@example.org" not in message["X-RcptTo"]


def test_copies_to_one_address_are_limited_but_the_team_gets_every_message(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@thefrenchbot.fr"]
    settings.CONTACT_RATE_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        _submit(ip="203.0.113.7")
    with django_capture_on_commit_callbacks(execute=True):
        _submit(ip="198.51.100.9")
    recipients = [message["To"] for message in smtp_server]
    assert recipients.count("equipe@thefrenchbot.fr") == 2
    assert recipients.count("jeanne.dupont@example.fr") == 1
