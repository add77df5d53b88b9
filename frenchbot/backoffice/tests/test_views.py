"""The team's back-office: staff only, board, list, lead file, CSV export."""

import re

import pytest
from django.urls import reverse

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.leads.models import Lead, LeadEvent
from frenchbot.leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("camille", password="x", is_staff=True, first_name="Camille")
    # The group the team gives this work (migration accounts 0001).
    user.groups.add(staff_group("Commercial"))
    client.force_login(user)
    return client


def _urls(lead):
    return [
        ("get", reverse("backoffice:board")),
        ("get", reverse("backoffice:lead_list")),
        ("get", reverse("backoffice:lead_export")),
        ("get", reverse("backoffice:bookings")),
        ("get", reverse("backoffice:lead_detail", args=[lead.pk])),
        ("post", reverse("backoffice:lead_status", args=[lead.pk])),
        ("post", reverse("backoffice:lead_note", args=[lead.pk])),
        ("post", reverse("backoffice:lead_next_action", args=[lead.pk])),
    ]


def test_anonymous_and_non_staff_are_sent_to_the_login(client, django_user_model):
    lead = LeadFactory()
    for method, url in _urls(lead):
        response = getattr(client, method)(url, {"status": "client", "text": "x"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    client.force_login(django_user_model.objects.create_user("visiteur", password="x"))
    for method, url in _urls(lead):
        response = getattr(client, method)(url, {"status": "client", "text": "x"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW
    assert not LeadEvent.objects.exists()


def test_board_shows_columns_and_moves_a_lead(staff_client):
    lead = LeadFactory(name="Jeanne Dupont")
    board = staff_client.get(reverse("backoffice:board"))
    html = board.content.decode()
    assert board.status_code == 200
    for label in ("Nouveau", "Audit réservé", "Audit réalisé", "Proposition", "Client", "Perdu"):
        assert f"{label} <span" in html
    assert "Jeanne Dupont" in html
    response = staff_client.post(
        reverse("backoffice:lead_status", args=[lead.pk]),
        {"status": "proposal", "next": reverse("backoffice:board")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:board")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.PROPOSAL
    event = lead.events.get()
    assert event.kind == "status_changed" and event.author.username == "camille"
    # An outside "next" is ignored; a forged status changes nothing.
    response = staff_client.post(
        reverse("backoffice:lead_status", args=[lead.pk]), {"status": "vip", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("backoffice:lead_detail", args=[lead.pk])
    lead.refresh_from_db()
    assert lead.status == Lead.Status.PROPOSAL


def test_list_filters_and_searches(staff_client):
    LeadFactory(email="alice@example.fr", name="Alice", status=Lead.Status.CLIENT, source="booking")
    LeadFactory(email="bob@example.fr", name="Bob")
    html = staff_client.get(reverse("backoffice:lead_list"), {"status": "client"}).content.decode()
    assert "alice@example.fr" in html and "bob@example.fr" not in html
    html = staff_client.get(reverse("backoffice:lead_list"), {"q": "BOB"}).content.decode()
    assert "bob@example.fr" in html and "alice@example.fr" not in html
    # Unknown filter values are ignored, not a 500.
    assert (
        staff_client.get(reverse("backoffice:lead_list"), {"status": "nope", "page": "x"}).status_code == 200
    )


def test_detail_note_and_next_action(staff_client):
    lead = LeadFactory()
    url = reverse("backoffice:lead_detail", args=[lead.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(reverse("backoffice:lead_note", args=[lead.pk]), {"text": "Rappeler jeudi"})
    assert response.status_code == 302
    assert "Rappeler jeudi" in staff_client.get(url).content.decode()
    empty = staff_client.post(reverse("backoffice:lead_note", args=[lead.pk]), {"text": ""})
    assert empty.status_code == 400
    assert "La note est vide" in empty.content.decode()
    bad = staff_client.post(
        reverse("backoffice:lead_next_action", args=[lead.pk]), {"on": "32/13/2026", "text": "Devis"}
    )
    assert bad.status_code == 400
    assert 'value="Devis"' in bad.content.decode()
    ok = staff_client.post(
        reverse("backoffice:lead_next_action", args=[lead.pk]),
        {"on": "2026-12-03", "text": "Envoyer le devis"},
    )
    assert ok.status_code == 302
    lead.refresh_from_db()
    assert lead.next_action == "Envoyer le devis" and str(lead.next_action_on) == "2026-12-03"
    assert staff_client.get(reverse("backoffice:lead_detail", args=[999999])).status_code == 404


def test_csv_export_streams_utf8_with_bom_and_semicolons(staff_client):
    LeadFactory(
        email="eleve@example.fr", name="Élodie Gérard", company="Café; Crème", status=Lead.Status.CLIENT
    )
    LeadFactory(email="autre@example.fr", name="Autre")
    response = staff_client.get(reverse("backoffice:lead_export"), {"status": "client"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="prospects-')
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("e-mail;nom;entreprise;origine;statut")
    assert len(lines) == 2
    assert 'eleve@example.fr;Élodie Gérard;"Café; Crème"' in lines[1]


def test_board_shows_the_funnel_as_a_chart_with_its_figures(staff_client):
    for status in ["new", "new", "audit_booked", "audit_done", "client", "lost"]:
        LeadFactory(status=status)
    html = staff_client.get(reverse("backoffice:board")).content.decode()
    funnel = html[html.index('id="entonnoir"') : html.index('<div class="board">')]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td class="funnel__num">(\d+)</td>\s*<td class="funnel__num">(\d+)',
        funnel,
    )
    # Reached the stage or went further; the lost lead is counted apart.
    assert rows == [
        ("Nouveau", "5", "100"),
        ("Audit réservé", "3", "60"),
        ("Audit réalisé", "2", "40"),
        ("Proposition", "1", "20"),
        ("Client", "1", "20"),
    ]
    assert "1 prospect perdu, compté à part." in funnel
    assert 'style="width: 60%"' in funnel
