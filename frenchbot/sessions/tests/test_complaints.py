"""Complaints: the public form of /reclamation/ (refusals that keep the input, spam defences, the reference, the
e-mails), and the team's pages (who may open them, the answer stamped and sent, no closing before an answer)."""

import datetime
import html as htmllib

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from frenchbot.core.formguard import form_timestamp
from frenchbot.courses.tests.factories import TrainingFactory
from frenchbot.leads.models import LeadEvent
from frenchbot.sessions.forms.complaints import ComplaintForm
from frenchbot.sessions.models import Complaint
from frenchbot.sessions.services import complaints as services

from .factories import ComplaintFactory

pytestmark = pytest.mark.django_db
URL = "/reclamation/"
S = Complaint.Status


@pytest.fixture(autouse=True)
def _no_fill_wait(monkeypatch, settings):
    monkeypatch.setattr(ComplaintForm, "min_fill_seconds", 0)
    settings.STAFF_NOTIFICATION_EMAILS = ["qualite@thefrenchbot.fr"]


def _text(response) -> str:
    return htmllib.unescape(response.content.decode())


def _form(**overrides) -> dict:
    data = {
        "name": "Jeanne Dupont",
        "email": "Jeanne@Exemple.fr",
        "company": "Boulangerie Dupont",
        "role": "company",
        "training": "",
        "subject": "Attestation jamais reçue",
        "body": "Nous attendons toujours le certificat de réalisation\u00a0: pouvez-vous l'envoyer\u00a0?",
        "website": "",
        "ts": form_timestamp(),
    }
    data.update(overrides)
    return data


def _staff(django_user_model, username: str, *codenames: str) -> Client:
    user = django_user_model.objects.create_user(
        username, f"{username}@thefrenchbot.fr", "x", is_staff=True, first_name="Paul", last_name="Mercier"
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="training_sessions", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


# --- The public form ------------------------------------------------------------------------------------------
def test_the_page_says_what_happens_next_and_prefills_a_signed_in_person(client, django_user_model):
    TrainingFactory(title="ChatGPT au quotidien", is_published=True)
    TrainingFactory(title="Brouillon caché", is_published=False)
    page = _text(client.get(URL))
    assert "accusé de réception par e-mail avec la référence" in page
    assert "sous 10\u00a0jours ouvrés" in page
    assert "ChatGPT au quotidien" in page and "Brouillon caché" not in page
    assert 'href="/reclamation/"' in page  # the footer's link

    user = django_user_model.objects.create_user(
        "claire", "claire.martin@exemple.fr", "x", first_name="Claire", last_name="Martin"
    )
    client.force_login(user)
    page = _text(client.get(URL))
    assert 'value="Claire Martin"' in page and 'value="claire.martin@exemple.fr"' in page


def test_refusals_are_in_french_and_keep_what_was_typed(client):
    response = client.post(URL, _form(email="jeanne@", body="   ", role=""))
    page = _text(response)
    assert response.status_code == 400
    assert "Cette adresse e-mail ne semble pas valide" in page
    assert "Votre réclamation est vide" in page
    assert "Dites-nous qui vous êtes" in page
    assert 'value="Jeanne Dupont"' in page and 'value="Attestation jamais reçue"' in page
    assert 'value="jeanne@"' in page
    assert not Complaint.objects.exists() and not mail.outbox


def test_the_honeypot_refuses_and_keeps_the_text(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _form(website="http://spam.example"))
    assert response.status_code == 400
    assert "pris pour un envoi automatique" in _text(response)
    assert "Nous attendons toujours le certificat" in _text(response)
    assert not Complaint.objects.exists() and not mail.outbox


def test_the_rate_limit_per_address_keeps_the_text(client, settings):
    settings.SESSIONS_FORM_RATE_LIMIT = 1
    assert client.post(URL, _form()).status_code == 302
    response = client.post(URL, _form(subject="Deuxième réclamation"))
    assert response.status_code == 429
    assert "beaucoup de formulaires en peu de temps" in _text(response)
    assert 'value="Deuxième réclamation"' in _text(response)
    assert Complaint.objects.count() == 1


def test_a_complaint_gets_its_reference_an_acknowledgement_and_the_team_hears_of_it(
    client, django_capture_on_commit_callbacks
):
    training = TrainingFactory(title="ChatGPT au quotidien", is_published=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _form(training=str(training.pk)))
    complaint = Complaint.objects.get()
    reference = f"R-{timezone.localdate().year}-0001"
    assert complaint.reference == reference
    assert (complaint.email, complaint.training, complaint.status) == (
        "jeanne@exemple.fr",
        training,
        S.RECEIVED,
    )
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert f"Votre réclamation est bien reçue, sous la référence {reference}." in page
    # The reference stays in the session for one display only.
    assert reference not in _text(client.get(response["Location"]))

    to_person = next(message for message in mail.outbox if message.to == ["jeanne@exemple.fr"])
    assert reference in to_person.subject
    assert "sous 10\u00a0jours ouvrés" in to_person.body
    assert "> Nous attendons toujours le certificat" in to_person.body
    assert "Formation concernée\u00a0: ChatGPT au quotidien" in to_person.body
    to_team = next(message for message in mail.outbox if message.to == ["qualite@thefrenchbot.fr"])
    assert to_team.subject == f"Réclamation {reference}\u00a0: Attestation jamais reçue"
    assert to_team.reply_to == ["jeanne@exemple.fr"]
    assert f"/equipe/reclamations/{complaint.pk}/" in to_team.body
    assert len(mail.outbox) == 2

    event = LeadEvent.objects.get(kind=LeadEvent.Kind.COMPLAINT)
    assert event.lead.email == "jeanne@exemple.fr" and event.summary.startswith(reference)


def test_references_follow_each_other_and_a_taken_one_is_retried(monkeypatch):
    year = timezone.localdate().year
    first = services.complaint_create(
        name="A", email="a@exemple.fr", role="learner", subject="Un", body="Texte"
    )
    real_next = services.complaint_reference_next
    calls = []

    def racing(*, year):
        # The first read returns the number a concurrent request has just taken.
        calls.append(year)
        return first.reference if len(calls) == 1 else real_next(year=year)

    monkeypatch.setattr(services, "complaint_reference_next", racing)
    second = services.complaint_create(
        name="B", email="b@exemple.fr", role="funder", subject="Deux", body="Texte"
    )
    assert (first.reference, second.reference) == (f"R-{year}-0001", f"R-{year}-0002")
    assert len(calls) == 2
    ComplaintFactory(reference=f"R-{year}-9999")
    assert real_next(year=year) == f"R-{year}-10000"


# --- The team's pages -----------------------------------------------------------------------------------------
def test_who_may_open_the_teams_pages(client, django_user_model):
    complaint = ComplaintFactory()
    urls = [reverse("backoffice:complaints"), reverse("backoffice:complaint_detail", args=[complaint.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    nobody = _staff(django_user_model, "sans-droit")
    for url in urls:
        assert nobody.get(url).status_code == 403, url
    reader = _staff(django_user_model, "lecteur", "view_complaint")
    assert reader.get(urls[0]).status_code == 200
    page = _text(reader.get(urls[1]))
    assert complaint.reference in page and "Enregistrer" not in page
    assert reader.post(urls[1], {"status": "closed", "answer": "Non"}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_the_list_puts_open_complaints_first_and_filters_by_status(django_user_model):
    closed = ComplaintFactory(
        subject="Ancienne close", status=S.CLOSED, answer="Réglé", closed_at=timezone.now()
    )
    old = ComplaintFactory(subject="Plus ancienne ouverte")
    Complaint.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=12))
    ComplaintFactory(subject="Récente ouverte")
    reader = _staff(django_user_model, "lecteur", "view_complaint")
    page = _text(reader.get("/equipe/reclamations/"))
    assert page.index("Plus ancienne ouverte") < page.index("Récente ouverte") < page.index(closed.subject)
    assert "12\u00a0jours" in page
    page = _text(reader.get("/equipe/reclamations/?status=closed"))
    assert closed.subject in page and "Récente ouverte" not in page


def test_answering_stamps_the_date_and_emails_the_answer_closing_needs_an_answer(
    django_user_model, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory(email="jeanne@exemple.fr")
    url = reverse("backoffice:complaint_detail", args=[complaint.pk])
    editor = _staff(django_user_model, "qualite", "view_complaint", "change_complaint")

    response = editor.post(url, {"status": "closed", "answer": "", "action": "Convocations envoyées à J-10"})
    assert response.status_code == 400
    assert "ne peut être close qu'après une réponse" in _text(response)
    assert "Convocations envoyées à J-10" in _text(response)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_at, complaint.action) == (S.RECEIVED, None, "")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            url,
            {
                "status": "in_progress",
                "answer": "Le certificat vous a été renvoyé ce jour.",
                "action": "Convocations envoyées à J-10",
            },
        )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED and complaint.answered_at and complaint.action_at
    assert complaint.handled_by.username == "qualite" and complaint.closed_at is None
    [answer] = mail.outbox
    assert answer.to == ["jeanne@exemple.fr"] and complaint.reference in answer.subject
    assert "Le certificat vous a été renvoyé ce jour." in answer.body and "Paul Mercier" in answer.body

    answered_at = complaint.answered_at
    with django_capture_on_commit_callbacks(execute=True):
        # The answer field is shown but no longer taken into account; closing now works, sends nothing more.
        response = editor.post(
            url, {"status": "closed", "answer": "Autre texte", "action": "Convocations à J-10"}
        )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.closed_at and complaint.answered_at == answered_at
    assert complaint.answer == "Le certificat vous a été renvoyé ce jour." and len(mail.outbox) == 1
    page = _text(editor.get(url))
    for stamp in (complaint.answered_at, complaint.action_at, complaint.closed_at):
        assert date_format(timezone.localtime(stamp), "DATETIME_FORMAT") in page
    assert "Close le" in page and "pas encore" not in page
