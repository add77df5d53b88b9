"""The newsletter and events pages of the back-office in a real browser: readable by assistive technologies (axe,
WCAG 2.1 AA), the period chosen with the selector, attendance ticked and saved without JavaScript."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.events.models import Event, Registration, SurveyResponse
from frenchbot.leads.models import LeadEvent
from frenchbot.newsletter.models import MailingList, Subscriber, SubscriptionChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, django_user_model, group: str, next_url: str) -> None:
    user = django_user_model.objects.create_user("camille", password="motdepasse-solide-42", is_staff=True)
    user.groups.add(staff_group(group))
    page.goto(f"/admin/login/?next={next_url}")
    page.get_by_label("Nom d’utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()


def test_the_newsletter_page_and_its_period_selector(axe_page, django_user_model):
    page = axe_page
    news = MailingList.objects.create(slug="actualites", name="Actualités de l'IA")
    for i in range(3):
        person = Subscriber.objects.create(email=f"p{i}@exemple.fr", status=Subscriber.Status.CONFIRMED)
        SubscriptionChange.objects.create(
            subscriber=person,
            mailing_list=news,
            kind=SubscriptionChange.Kind.JOINED,
            at=timezone.now() - datetime.timedelta(days=3 * i),
        )
    _login(page, django_user_model, "Commercial", "/equipe/lettre/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lettre d'information")
    expect(page.get_by_role("img", name="Abonnés par liste, 30 derniers jours")).to_be_visible()
    expect(page.locator("#tableau-abonnes tbody tr")).to_have_count(30)
    assert page.violations() == []

    page.get_by_label("Période").select_option(label="12 derniers mois")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#tableau-abonnes tbody tr")).to_have_count(12)
    expect(page.locator("#tableau-abonnes tbody tr").last.locator("td").first).to_have_text("3")


def test_attendance_is_ticked_and_saved(axe_page, django_user_model):
    page = axe_page
    event = Event.objects.create(
        slug="atelier",
        title="Atelier prompts",
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        seats=5,
    )
    alice = Registration.objects.create(
        event=event, name="Alice Martin", email="alice@exemple.fr", status="confirmed", seat=1
    )
    Registration.objects.create(
        event=event, name="Bruno Petit", email="bruno@exemple.fr", status="confirmed", seat=2
    )
    Registration.objects.create(event=event, name="Chloé Roux", email="chloe@exemple.fr", status="waitlisted")
    SurveyResponse.objects.create(registration=alice, rating=4, comment="Clair et concret.")
    _login(page, django_user_model, "Formation", f"/equipe/evenements/{event.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier prompts")
    assert page.violations() == []

    page.get_by_label("Alice Martin (alice@exemple.fr) présent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la présence").click()
    expect(
        page.get_by_text("Présence enregistrée\u00a0: 1 personne présente sur 2 inscrites.")
    ).to_be_visible()
    expect(page.get_by_label("Alice Martin (alice@exemple.fr) présent")).to_be_checked()
    assert dict(Registration.objects.values_list("name", "attended")) == {
        "Alice Martin": True,
        "Bruno Petit": False,
        "Chloé Roux": None,
    }
    # The real service wrote the lead's timeline: Alice came, Bruno did not.
    assert list(
        LeadEvent.objects.filter(kind=LeadEvent.Kind.EVENT_ATTENDED).values_list("lead__email", flat=True)
    ) == ["alice@exemple.fr"]
