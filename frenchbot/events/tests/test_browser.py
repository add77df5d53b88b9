"""A visitor in a real browser registers to a webinar, sees the join link on their page, then cancels;
the pages pass axe."""

import pytest

from frenchbot.events.models import Registration

from .factories import EventFactory, register

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webinar():
    return EventFactory(slug="chatgpt-au-bureau", title="ChatGPT au bureau", seats=3)


def test_register_to_a_webinar_then_cancel(page, webinar):
    page.goto("/evenements/")
    with page.expect_navigation():
        page.get_by_role("link", name="ChatGPT au bureau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ChatGPT au bureau")
    assert "salle-secrete" not in page.content()
    page.get_by_label("Votre nom").fill("Jeanne Dupont")
    page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    # Forgetting the consent keeps everything typed.
    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    assert page.get_by_text("Cochez la case de consentement").first.is_visible()
    assert page.get_by_label("Votre e-mail").input_value() == "jeanne@example.fr"
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
    expect(page.get_by_role("link", name="Rejoindre le webinaire")).to_have_attribute(
        "href", webinar.join_url
    )
    with page.expect_navigation():
        page.get_by_role("link", name="Annuler mon inscription").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Oui, annuler mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription annulée")
    assert Registration.objects.get().status == Registration.Status.CANCELLED


def test_event_pages_pass_axe(axe_page, webinar):
    page = axe_page
    register(webinar, 1)
    problems = {}
    page.goto("/evenements/")
    problems["list"] = page.violations()
    page.goto(webinar.get_absolute_url())
    problems["detail"] = page.violations()
    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    problems["form with errors"] = page.violations()
    page.get_by_label("Votre nom").fill("Jeanne")
    page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    problems["registration"] = page.violations()
    with page.expect_navigation():
        page.get_by_role("link", name="Annuler mon inscription").click()
    problems["cancel"] = page.violations()
    assert {name: found for name, found in problems.items() if found} == {}
