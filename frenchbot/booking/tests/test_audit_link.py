"""A visitor who did the free audit books the call with the report attached: the team member receives it."""

import io
from email.header import decode_header, make_header

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from frenchbot.audits.models import Audit, Questionnaire, Track
from frenchbot.booking import selectors
from frenchbot.booking.forms import format_start
from frenchbot.booking.models import Booking

from .factories import EventTypeFactory, StaffUserFactory, TeamMemberFactory, every_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_type():
    member = TeamMemberFactory(
        display_name="Camille Laurent", user=StaffUserFactory(username="camille"), hours=every_day()
    )
    return EventTypeFactory(slug="appel-audit-offert", members=[member], min_notice_minutes=60)


@pytest.fixture
def audit():
    questionnaire = Questionnaire.objects.create(track=Track.BUSINESS, title="Audit IA — entreprise")
    report = {
        "track": "business",
        "scores": {"usage": 25, "data": 50, "governance": 75},
        "overall": 42,
        "level": "explorer",
        "opportunities": [
            {
                "id": 1,
                "task": "Répondre aux demandes de devis",
                "description": "",
                "tools": "ChatGPT, Make",
                "hours_saved_per_month": 12,
                "difficulty": 2,
                "dimension": "processes",
                "reason": "score",
            }
        ],
        "hours_saved_per_month": 12,
    }
    return Audit.objects.create(
        questionnaire=questionnaire,
        track=Track.BUSINESS,
        answers={},
        scores=report["scores"],
        overall=42,
        level="explorer",
        report=report,
    )


def _slot(event_type):
    return selectors.slot_first_available(
        event_type=event_type, tz=selectors.zone_get("Europe/Paris"), now=timezone.now()
    )


def _book(client, event_type, slot, capture):
    with capture(execute=True):
        return client.post(
            reverse("booking:book", args=[event_type.slug]),
            {
                "start": format_start(slot.start),
                "tz": "Europe/Paris",
                "name": "Jeanne Dupont",
                "email": "jeanne@example.fr",
                "company": "Boulangerie Dupont",
                "message": "",
                "consent": "on",
            },
        )


def test_the_report_follows_the_visitor_to_the_team_member(
    client, event_type, audit, smtp_server, django_capture_on_commit_callbacks
):
    start_page = client.get(reverse("booking:start") + f"?audit={audit.id}").content.decode()
    assert "Votre rapport d'audit IA (42/100) sera transmis" in start_page
    slot = _slot(event_type)
    form_page = client.get(
        reverse("booking:book", args=[event_type.slug]) + f"?debut={format_start(slot.start)}"
    )
    assert "Votre rapport d'audit IA (42/100) est joint à votre demande." in form_page.content.decode()

    response = _book(client, event_type, slot, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.audit == audit
    assert any(e.payload.get("audit_id") == str(audit.id) for e in booking.lead.events.all())

    member = next(m for m in smtp_server if m["To"] == "camille@thefrenchbot.fr")
    body = (
        next(p for p in member.walk() if p.get_content_type() == "text/plain")
        .get_payload(decode=True)
        .decode()
    )
    assert "Rapport d'audit IA (PDF joint)\u00a0: 42/100, niveau Explorateur" in body
    assert "Répondre aux demandes de devis — ChatGPT, Make" in body
    assert f"/audit/resultat/{audit.id}/" in body
    pdfs = [p for p in member.walk() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    text = pypdf.PdfReader(io.BytesIO(pdfs[0].get_payload(decode=True))).pages[0].extract_text()
    assert "Répondre aux demandes de devis" in text
    # The visitor's own confirmation carries the invitation, not the team's copy of the report.
    visitor = next(m for m in smtp_server if m["To"] == "jeanne@example.fr")
    assert "Rendez-vous confirmé" in str(make_header(decode_header(visitor["Subject"])))
    assert not [p for p in visitor.walk() if p.get_content_type() == "application/pdf"]


def test_a_booking_without_audit_sends_no_report(
    client, event_type, smtp_server, django_capture_on_commit_callbacks
):
    response = _book(client, event_type, _slot(event_type), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Booking.objects.get().audit is None
    member = next(m for m in smtp_server if m["To"] == "camille@thefrenchbot.fr")
    assert not [p for p in member.walk() if p.get_content_type() == "application/pdf"]


def test_an_unknown_audit_id_is_ignored_on_the_page(client, event_type):
    page = client.get(reverse("booking:start") + "?audit=pas-un-identifiant")
    assert page.status_code == 200
    assert "sera transmis" not in page.content.decode()


def test_the_api_takes_the_audit_and_refuses_an_unknown_one(client, event_type, audit):
    slot = _slot(event_type)
    payload = {
        "event_type": event_type.slug,
        "start": slot.start.isoformat(),
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "consent": True,
    }
    bad = client.post(
        "/api/booking/bookings",
        {**payload, "audit": "6f1c7a57-0000-4000-8000-000000000000"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "rapport d'audit est introuvable" in bad.json()["detail"]
    assert not Booking.objects.exists()
    good = client.post(
        "/api/booking/bookings", {**payload, "audit": str(audit.id)}, content_type="application/json"
    )
    assert good.status_code == 201
    assert Booking.objects.get().audit == audit
