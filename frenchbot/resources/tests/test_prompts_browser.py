"""A visitor opens a prompt, fills its variables, copies it, and pastes what they filled in."""

import pytest

from .factories import PromptFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clipboard_page(_browser, live_server):
    context = _browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_fill_the_variables_then_copy_the_prompt(clipboard_page):
    page = clipboard_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    prompt = PromptFactory(
        title="Relance d'un devis",
        body="Tu travailles dans le secteur [secteur].\nRédige une relance au ton [ton] pour [secteur].",
    )
    page.goto(prompt.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Relance d'un devis")

    page.get_by_label("Secteur").fill("la boulangerie")
    page.get_by_label("Ton").fill("chaleureux")
    # The text updates as the visitor types, before any copy.
    expect(page.locator("#prompt-text")).to_have_text(
        "Tu travailles dans le secteur la boulangerie.\nRédige une relance au ton chaleureux pour la boulangerie."
    )

    page.get_by_role("button", name="Copier le prompt").click()
    expect(page.get_by_role("status").filter(has_text="Copié")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (
        "Tu travailles dans le secteur la boulangerie.\nRédige une relance au ton chaleureux pour la boulangerie."
    )

    # Emptied again, a variable shows its name in brackets.
    page.get_by_label("Ton").fill("")
    expect(page.locator("#prompt-text")).to_contain_text("au ton [ton] pour")
    assert errors == []


def test_library_and_glossary_pages_pass_axe(axe_page):
    from .factories import AiToolFactory, GlossaryTermFactory, UseCaseFactory

    use_case = UseCaseFactory(name="E-mails", slug="e-mails")
    prompt = PromptFactory(
        title="Relance d'un devis",
        use_case=use_case,
        tools=[AiToolFactory(name="ChatGPT", slug="chatgpt")],
        body="Secteur [secteur], ton [ton].",
    )
    PromptFactory(title="Réponse à un client", use_case=use_case)
    term = GlossaryTermFactory(term="LLM", slug="llm", aliases="grand modèle de langage")
    term.related.add(GlossaryTermFactory(term="Prompt", slug="prompt"))
    for path in (
        "/ressources/prompts/",
        prompt.get_absolute_url(),
        "/ressources/glossaire/",
        term.get_absolute_url(),
    ):
        axe_page.goto(path)
        assert axe_page.violations() == [], path


def test_star_a_prompt_with_the_keyboard(page, live_server):
    from django.conf import settings
    from django.test import Client

    from frenchbot.blog.tests.factories import UserFactory
    from frenchbot.resources.models import PromptFavourite

    user = UserFactory(username="camille")
    prompt = PromptFactory(title="Résumé de réunion")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(prompt.get_absolute_url())
    page.get_by_role("button", name="Ajouter à mes favoris").focus()
    page.keyboard.press("Enter")
    # Swapped in place by htmx (no page load): the new button has the focus, the status says what happened.
    expect(page.get_by_role("button", name="Retirer de mes favoris")).to_be_focused()
    expect(page.locator(".prompt-fav__status")).to_have_text("Ajouté à vos favoris.")
    assert PromptFavourite.objects.filter(user=user, prompt=prompt).exists()

    page.goto("/ressources/prompts/favoris/")
    expect(page.get_by_role("link", name="Résumé de réunion")).to_be_visible()
