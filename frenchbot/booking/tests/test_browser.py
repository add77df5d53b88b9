"""A visitor in a real browser books a call: day → slot → form → confirmation; the pages pass axe."""

import pytest

from frenchbot.booking.models import Booking
from frenchbot.leads.models import Lead

from .factories import EventTypeFactory, TeamMemberFactory, every_day

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event_type():
    return EventTypeFactory(
        slug="appel-audit-offert",
        name="Appel d'audit offert",
        members=[TeamMemberFactory(hours=every_day())],
        min_notice_minutes=60,
    )


def test_book_a_call_from_the_calendar(page, event_type):
    page.goto("/rendez-vous/")
    with page.expect_navigation():
        page.get_by_role("link", name="Appel d'audit offert").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Appel d'audit offert"
    with page.expect_navigation():
        page.locator("a.day--free").first.click()
    with page.expect_navigation():
        page.locator("a.slot").first.click()
    assert page.get_by_text("Vous recevrez une confirmation par e-mail").is_visible()
    page.get_by_label("Votre nom").fill("Jeanne Dupont")
    page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    page.get_by_label("Votre entreprise (facultatif)").fill("Boulangerie Dupont")
    page.get_by_label("Votre message (facultatif)").fill("Nos devis prennent trop de temps.")
    # Forgetting the consent keeps everything typed.
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    assert page.get_by_text("Cochez la case de consentement").first.is_visible()
    assert page.get_by_label("Votre e-mail").input_value() == "jeanne@example.fr"
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre rendez-vous est confirmé")
    assert page.get_by_role("status").filter(has_text="C'est réservé").is_visible()
    booking = Booking.objects.get()
    assert booking.email == "jeanne@example.fr"
    assert Lead.objects.get().status == "audit_booked"


def test_the_calendar_follows_the_browsers_time_zone(_browser, live_server, event_type):
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="America/New_York")
    page = context.new_page()
    page.goto("/rendez-vous/appel-audit-offert/")
    page.wait_for_url("**tz=America%2FNew_York**")
    assert page.get_by_label("Fuseau horaire des horaires affichés").input_value() == "America/New_York"
    context.close()


def test_booking_pages_pass_axe(axe_page, event_type):
    page = axe_page
    problems = {}
    page.goto("/rendez-vous/")
    problems["start"] = page.violations()
    page.goto("/rendez-vous/appel-audit-offert/")
    problems["calendar"] = page.violations()
    with page.expect_navigation():
        page.locator("a.day--free").first.click()
    problems["day"] = page.violations()
    with page.expect_navigation():
        page.locator("a.slot").first.click()
    problems["form"] = page.violations()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    problems["form with errors"] = page.violations()
    page.get_by_label("Votre nom").fill("Jeanne")
    page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    problems["confirmation"] = page.violations()
    assert {name: found for name, found in problems.items() if found} == {}
