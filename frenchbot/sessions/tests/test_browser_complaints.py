"""Complaints in a real browser: the public form (as shown, then with its refusals) and the team's list and
detail pages pass the WCAG checks."""

import pytest
from django.contrib.auth.models import Permission

from frenchbot.sessions.forms.complaints import ComplaintForm

from .factories import ComplaintFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_fill_wait(monkeypatch):
    monkeypatch.setattr(ComplaintForm, "min_fill_seconds", 0)


def test_the_complaint_pages_pass_the_accessibility_checks(axe_page, django_user_model):
    axe_page.goto("/reclamation/")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Faire une réclamation")
    assert axe_page.violations() == [], "/reclamation/"
    axe_page.get_by_label("Votre e-mail").fill("jeanne@")
    axe_page.get_by_role("button", name="Envoyer ma réclamation").click()
    expect(axe_page.get_by_text("Votre réclamation est vide")).to_be_visible()
    assert axe_page.violations() == [], "/reclamation/ (refus)"

    complaint = ComplaintFactory(company="Boulangerie Dupont")
    user = django_user_model.objects.create_user(
        "qualite", "qualite@exemple.fr", password="motdepasse-solide-42", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="training_sessions", codename__endswith="_complaint"
        )
    )
    axe_page.goto("/admin/login/?next=/equipe/reclamations/")
    axe_page.get_by_label("Nom d’utilisateur").fill("qualite")
    axe_page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Connexion").click()
    expect(axe_page.get_by_role("link", name=complaint.reference)).to_be_visible()
    assert axe_page.violations() == [], "/equipe/reclamations/"

    axe_page.get_by_role("link", name=complaint.reference).click()
    expect(axe_page.get_by_role("heading", level=1)).to_contain_text(complaint.reference)
    axe_page.get_by_label("Statut").select_option("closed")
    axe_page.get_by_role("button", name="Enregistrer").click()
    expect(axe_page.get_by_text("ne peut être close qu'après une réponse")).to_be_visible()
    assert axe_page.violations() == [], "/equipe/reclamations/<id>/"
