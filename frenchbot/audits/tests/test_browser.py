"""A visitor in a real browser: the free audit → the report (and its PDF) → the audit call booked with it."""

from pathlib import Path

import pytest

from frenchbot.audits.demo import audits_demo_load
from frenchbot.audits.models import Audit
from frenchbot.booking.models import Booking
from frenchbot.booking.tests.factories import EventTypeFactory, TeamMemberFactory, every_day
from frenchbot.leads.models import Lead

pytest.importorskip("playwright.sync_api", reason="Playwright manquant : pip install playwright")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def audit_and_booking():
    audits_demo_load()
    return EventTypeFactory(
        slug="appel-audit-offert",
        name="Appel d'audit offert",
        members=[TeamMemberFactory(hours=every_day())],
        min_notice_minutes=60,
    )


def _answer_every_question(page, *, skip_last: bool = False) -> None:
    groups = page.locator("fieldset.audit-question")
    count = groups.count()
    for index in range(count - 1 if skip_last else count):
        # The third answer of each question (a middling profile), clicked on its label as a visitor does.
        groups.nth(index).locator("label").nth(2).click()


def test_from_the_audit_to_a_booked_call(page, audit_and_booking):
    page.goto("/audit/")
    with page.expect_navigation():
        page.get_by_role("link", name="Audit IA — entreprise").click()
    _answer_every_question(page, skip_last=True)
    page.get_by_label("Votre e-mail (facultatif)").fill("jeanne@boulangerie.fr")
    page.get_by_role("checkbox", name="J'accepte").check()
    # One question left blank: the page says so and keeps every answer given.
    with page.expect_navigation():
        page.get_by_role("button", name="Voir mon rapport").click()
    assert page.get_by_text("1 question à compléter ou corriger").is_visible()
    assert page.locator("fieldset.audit-question input[type=radio]:checked").count() >= 12
    assert page.get_by_label("Votre e-mail (facultatif)").input_value() == "jeanne@boulangerie.fr"
    page.locator("fieldset.audit-question").last.locator("label").nth(2).click()
    if not page.get_by_role("checkbox", name="J'accepte").is_checked():
        page.get_by_role("checkbox", name="J'accepte").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Voir mon rapport").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Votre rapport d'audit IA"
    audit = Audit.objects.get()
    assert page.get_by_text(f"{audit.overall}/100").first.is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le rapport en PDF").click()
    assert download.value.suggested_filename.startswith("rapport-audit-ia-")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    with page.expect_navigation():
        page.get_by_role("link", name="Prendre rendez-vous").first.click()
    assert page.get_by_text(f"Votre rapport d'audit IA ({audit.overall}/100) sera transmis").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Appel d'audit offert").click()
    with page.expect_navigation():
        page.locator("a.day--free").first.click()
    with page.expect_navigation():
        page.locator("a.slot").first.click()
    assert page.get_by_text("est joint à votre demande").is_visible()
    page.get_by_label("Votre nom").fill("Jeanne Dupont")
    page.get_by_label("Votre e-mail").fill("jeanne@boulangerie.fr")
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Votre rendez-vous est confirmé"

    booking = Booking.objects.get()
    assert booking.audit == audit
    lead = Lead.objects.get()
    assert lead.email == "jeanne@boulangerie.fr" and lead.status == "audit_booked"
    assert set(lead.events.values_list("kind", flat=True)) >= {"audit_completed", "booking_created"}
