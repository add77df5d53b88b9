"""The community journey in a real browser, as a reader lives it: they join the letter at the end of an article,
confirm from the e-mail's link, find the webinar on the home page, register, and later cancel from the link of
their confirmation e-mail."""

import re

import pytest

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.events.models import Registration
from frenchbot.newsletter.models import Subscriber
from frenchbot.newsletter.tests.factories import MailingListFactory

from .factories import EventFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def _path(message, pattern: str) -> str:
    found = re.search(r"https?://[^/\s]+(" + pattern + r")", _text(message))
    assert found, _text(message)
    return found.group(1)


def _has_invitation(message) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in message.walk())


def test_join_the_letter_then_register_to_the_webinar_and_cancel(page, smtp_server):
    MailingListFactory(slug="actualites", name="Actualités de l'IA")
    article = ArticleFactory(title="Écrire un bon prompt")
    webinar = EventFactory(title="ChatGPT au bureau", seats=30)

    # 1. The letter, from the end of the article.
    page.goto(article.get_absolute_url())
    signup = page.locator(".newsletter-signup")
    signup.get_by_label("E-mail où recevoir la lettre").fill("camille@exemple.fr")
    signup.get_by_label("J'accepte de recevoir la lettre").check()
    with page.expect_navigation():
        signup.get_by_role("button", name="Je m'inscris").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte mail")
    assert len(smtp_server) == 1

    # 2. Confirmed from the e-mail's link (a page with a button, so that a mail scanner confirms nothing).
    page.goto(_path(smtp_server[0], r"/lettre/confirmer/\S+?/"))
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    # 3. The webinar, found on the home page, and the registration.
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="ChatGPT au bureau").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ChatGPT au bureau")
    assert webinar.join_url not in page.content()
    page.get_by_label("Votre nom").fill("Camille Martin")
    page.get_by_label("Votre e-mail").fill("camille@exemple.fr")
    page.locator("form").filter(has=page.get_by_label("Votre nom")).get_by_role("checkbox").last.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
    expect(page.get_by_role("link", name="Rejoindre le webinaire")).to_have_attribute(
        "href", webinar.join_url
    )
    confirmation = smtp_server[-1]
    assert confirmation["To"] == "camille@exemple.fr"
    assert _has_invitation(confirmation)

    # 4. Days later, the cancel link of that e-mail.
    page.goto(_path(confirmation, r"/evenements/inscription/\S+?/annuler/"))
    with page.expect_navigation():
        page.get_by_role("button", name="Oui, annuler mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription annulée")
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    assert _has_invitation(smtp_server[-1]) and "annul" in smtp_server[-1]["Subject"].lower()
