"""A reader in a real browser: signs up at the end of an article, confirms from the e-mail's link, comes back."""

import re

import pytest

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.leads.models import Lead, Source
from frenchbot.newsletter.models import Subscriber

from .factories import MailingListFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _confirm_path(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            return re.search(r"https?://\S+?(/lettre/confirmer/\S+/)", text).group(1)
    raise AssertionError("no text part")


def test_subscribe_from_an_article_and_confirm_from_the_email(page, smtp_server):
    MailingListFactory(slug="actualites", name="Actualités de l'IA")
    MailingListFactory(slug="evenements", name="Formations et événements", is_default=False)
    article = ArticleFactory(title="Écrire un bon prompt")
    page.goto(article.get_absolute_url())
    signup = page.locator(".newsletter-signup")
    expect(signup.get_by_role("heading", level=2)).to_contain_text("Rejoignez notre communauté")
    signup.get_by_label("E-mail où recevoir la lettre").fill("camille@exemple.fr")
    expect(signup.get_by_label("Actualités de l'IA")).to_be_checked()
    signup.get_by_label("Formations et événements").check()
    signup.get_by_label("J'accepte de recevoir la lettre").check()
    with page.expect_navigation():
        signup.get_by_role("button", name="Je m'inscris").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte mail")
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    # Back to the article in one click.
    back = page.get_by_role("link", name="Revenir à ma lecture")
    assert back.get_attribute("href") == article.get_absolute_url()

    assert len(smtp_server) == 1
    page.goto(_confirm_path(smtp_server[0]))
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert {m.slug for m in subscriber.lists.all()} == {"actualites", "evenements"}
    assert Lead.objects.get(email="camille@exemple.fr").source == Source.NEWSLETTER


def test_signup_pages_pass_axe(axe_page):
    MailingListFactory(slug="actualites", name="Actualités de l'IA", description="Le meilleur de la semaine.")
    MailingListFactory(slug="tutoriels", name="Tutoriels")
    article = ArticleFactory()
    subscriber = Subscriber.objects.create(email="camille@exemple.fr", consent_text="J'accepte.")
    from frenchbot.newsletter.services.subscriptions import subscriber_token

    pages = ["/", article.get_absolute_url(), "/lettre/"] + [
        f"/lettre/{path}/{subscriber_token(subscriber=subscriber, action=action)}/"
        for path, action in (
            ("confirmer", "confirm"),
            ("preferences", "preferences"),
            ("desinscription", "unsubscribe"),
        )
    ]
    problems = {}
    for path in pages:
        axe_page.goto(path)
        problems[path] = axe_page.violations()
    # The form sent empty: its errors, tied to their fields.
    axe_page.goto("/lettre/")
    axe_page.locator("#newsletter-lists_0").uncheck()
    axe_page.locator("#newsletter-lists_1").uncheck()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Je m'inscris").click()
    expect(axe_page.get_by_text("Choisissez au moins une liste")).to_be_visible()
    problems["/lettre/ (erreurs)"] = axe_page.violations()
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_bot_offers_the_sign_up_in_the_widget(chat_context, smtp_server):
    MailingListFactory(slug="actualites", name="Actualités de l'IA")
    page = chat_context.new_page()
    page.goto("/blog/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    panel = page.locator("#chat-panel")
    panel.get_by_label("Votre question").fill("Je voudrais recevoir vos articles par e-mail")
    panel.get_by_role("button", name="Envoyer").click()
    form = panel.locator(".chat__newsletter-form")
    form.wait_for(timeout=60_000)
    expect(form).to_contain_text("Vous recevrez un e-mail pour confirmer")
    expect(form).to_contain_text("Actualités de l'IA")
    form.get_by_label("Votre e-mail").fill("lea@yopmail.com")
    form.get_by_label("J'accepte de recevoir la lettre").check()
    form.get_by_role("button", name="M'inscrire").click()
    expect(form.locator(".chat__field-error").first).to_contain_text("adresses e-mail jetables")
    assert form.get_by_label("J'accepte de recevoir la lettre").is_checked()
    form.get_by_label("Votre e-mail").fill("lea@exemple.fr")
    form.get_by_role("button", name="M'inscrire").click()
    expect(panel.get_by_text("Un e-mail de confirmation part à lea@exemple.fr")).to_be_visible()
    assert Subscriber.objects.get(email="lea@exemple.fr").origin == "assistant"
    assert len(smtp_server) == 1
