"""A visitor in a real browser: from the resources hub to a gated guide, the request form refused without
consent (what was typed is kept), then sent; the pages pass the WCAG checks."""

import pytest

from frenchbot.resources.models import GuideRequest

from .factories import GuideFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    settings.RESOURCES_REQUEST_MIN_FILL_SECONDS = 0


def test_request_a_gated_guide_from_the_hub(page):
    GuideFactory(title="Charte d'utilisation de l'IA générative", is_gated=True, kind="template")

    page.goto("/ressources/")
    page.get_by_role("link", name="Charte d'utilisation de l'IA générative").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charte d'utilisation de l'IA générative")

    page.get_by_label("Votre e-mail").fill("claire.martin@example.fr")
    page.get_by_role("button", name="Recevoir le guide").click()
    expect(page.get_by_text("Cochez la case de consentement").first).to_be_visible()
    expect(page.get_by_label("Votre e-mail")).to_have_value("claire.martin@example.fr")
    assert not GuideRequest.objects.exists()

    page.locator("#id_consent").check()
    page.get_by_role("button", name="Recevoir le guide").click()
    expect(page.get_by_role("heading", name="C'est envoyé !")).to_be_visible()
    expect(page.get_by_text("claire.martin@example.fr")).to_be_visible()
    assert GuideRequest.objects.get().email == "claire.martin@example.fr"


def test_hub_and_guide_pages_pass_the_accessibility_checks(_browser, live_server, axe):
    open_guide = GuideFactory(title="Guide du prompt efficace")
    gated = GuideFactory(title="Charte IA", is_gated=True)
    # axe-core is injected as an inline script, which the site's Content Security Policy rightly forbids.
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    try:
        for path in ("/ressources/", open_guide.get_absolute_url(), gated.get_absolute_url()):
            page.goto(path)
            assert axe(page) == [], path
    finally:
        context.close()
