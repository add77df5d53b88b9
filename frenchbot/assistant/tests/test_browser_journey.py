"""A visitor's whole conversation with the bot in a real browser, over the real ASGI server, with the default
offline provider (extractive) and the demo's booking set-up: hello, the trainings, the price, a slot booked from
the chat, then the booking's own page. And the same chat on a phone, across a reload."""

import pytest

from frenchbot.booking.demo import EVENT_TYPES
from frenchbot.booking.models import Booking, EventType
from frenchbot.booking.tests.factories import TeamMemberFactory, every_day
from frenchbot.courses.tests.factories import TrainingFactory
from frenchbot.leads.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRICES = ["190 € TTC par personne, accès pendant un an", "Sur devis, à partir de 1 900 € HT pour 5 personnes"]


@pytest.fixture
def offer():
    """The demo's catalogue (its two trainings) and its audit call, with someone free every day."""
    TrainingFactory(
        slug="chatgpt-au-quotidien",
        title="ChatGPT au quotidien",
        summary="Six heures pour utiliser ChatGPT avec méthode dans votre vie de tous les jours.",
        audience="individual",
        duration_hours=6,
        price_text=PRICES[0],
        order=10,
    )
    TrainingFactory(
        slug="ia-dans-votre-pme",
        title="L'IA dans votre PME",
        summary="10,5 heures pour les dirigeants et les équipes de PME.",
        audience="business",
        level="intermediate",
        duration_hours=10.5,
        price_text=PRICES[1],
        order=20,
    )
    event_type = EventType.objects.create(**EVENT_TYPES[0])
    event_type.members.add(TeamMemberFactory(hours=every_day()))
    return event_type


def _context(browser, base_url, **options):
    context = browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris", **options)
    context.set_default_timeout(15_000)
    return context


def _ask(page, question):
    """Ask in the widget and wait for the whole answer; returns the answer's node."""
    panel = page.locator("#chat-panel")
    answers = panel.locator(".chat__message--assistant[data-message-id]")
    before = answers.count()
    page.get_by_label("Votre question").fill(question)
    page.get_by_role("button", name="Envoyer").click()
    answers.nth(before).wait_for()
    return answers.nth(before)


def test_hello_trainings_price_then_a_slot_booked_from_the_chat(_browser, asgi_server, axe, offer):
    context = _context(_browser, asgi_server, bypass_csp=True)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    panel = page.locator("#chat-panel")

    hello = _ask(page, "Bonjour")
    assert hello.locator(".chat__text").inner_text().strip()
    assert hello.locator(".chat__sources").count() == 0  # a greeting, not a passage of the blog

    trainings = _ask(page, "Quelles formations proposez-vous ?")
    cards = trainings.get_by_role("list", name="Nos formations")
    cards.wait_for()
    assert "ChatGPT au quotidien" in cards.inner_text() and "L'IA dans votre PME" in cards.inner_text()
    assert (
        cards.get_by_role("link", name="ChatGPT au quotidien")
        .get_attribute("href")
        .startswith("/formations/")
    )

    price = _ask(page, "Combien coûte la formation ?")
    # French typography puts no-break spaces in the price (« 190 € TTC »).
    said = price.inner_text().replace("\u00a0", " ").replace("\u202f", " ")
    assert any(p in said for p in PRICES)

    booking = _ask(page, "Je voudrais prendre rendez-vous")
    slots = booking.locator(".chat__booking")
    slots.wait_for()
    assert (
        slots.get_by_role("link", name="Voir tous les créneaux")
        .get_attribute("href")
        .startswith("/rendez-vous/")
    )
    chip = slots.locator(".chat__chip--slot").first
    chosen = chip.inner_text().strip()
    chip.click()
    assert axe(page) == []  # the widget with the slots and the booking form open
    slots.get_by_label("Votre nom").fill("Léa Martin")
    slots.get_by_label("Votre e-mail").fill("lea@exemple.fr")
    slots.get_by_role("checkbox").check()
    slots.get_by_role("button", name="Réserver ce créneau").click()

    confirmation = panel.locator(".chat__message--assistant[data-message-id]").nth(4)
    link = confirmation.locator("a[href*='/rendez-vous/gerer/']").first
    link.wait_for()
    assert Booking.objects.get().email == "lea@exemple.fr"
    assert chosen in slots.inner_text()  # « Rendez-vous réservé : <the slot> » where the chips were
    link.click()
    page.wait_for_url("**/rendez-vous/gerer/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Votre rendez-vous")
    assert "Appel d'audit offert" in page.locator(".booking-summary").inner_text()
    context.close()


def test_on_a_phone_the_chat_is_full_screen_and_survives_a_reload(_browser, asgi_server, offer):
    context = _context(
        _browser, asgi_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    panel = page.locator("#chat-panel")
    box = panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    close = page.get_by_role("button", name="Fermer le bot")
    assert close.is_visible()
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") == "hidden"

    answer = _ask(page, "Je voudrais prendre rendez-vous")
    answer.locator(".chat__chip--slot").first.wait_for()
    assert answer.locator(".chat__chip--slot").first.bounding_box()["height"] >= 44
    # A reload: the widget is open again, the conversation and the offer of slots are back.
    page.reload()
    panel.locator(".chat__message--user", has_text="Je voudrais prendre rendez-vous").wait_for()
    panel.locator(".chat__chip--slot").first.wait_for()
    # After another answer, the older offer is not drawn again on the next page (it may be stale).
    _ask(page, "Merci, au revoir")
    page.goto("/formations/")
    panel.locator(".chat__message--user", has_text="Merci, au revoir").wait_for()
    assert panel.locator(".chat__chip--slot").count() == 0
    # A message for the team, refused first for its e-mail: said next to the field, what was typed kept.
    handoff = _ask(page, "Je veux parler à quelqu'un").locator(".chat__handoff-form")
    handoff.get_by_label("Votre nom").fill("Léa Martin")
    handoff.get_by_label("Votre e-mail").fill("lea@")
    handoff.get_by_label("Votre message (facultatif)").fill("Je voudrais former mon équipe.")
    handoff.get_by_role("checkbox").check()
    handoff.get_by_role("button").click()
    handoff.locator("input[type=email][aria-invalid=true]").wait_for()
    assert handoff.locator(".chat__field-error:not(:empty)").count() == 1
    assert (
        handoff.get_by_label("Votre message (facultatif)").input_value() == "Je voudrais former mon équipe."
    )
    handoff.get_by_label("Votre e-mail").fill("lea@exemple.fr")
    handoff.get_by_role("button").click()
    panel.get_by_text("c'est transmis").wait_for()
    assert Lead.objects.get().email == "lea@exemple.fr"
    close.click()
    assert panel.is_hidden()
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") != "hidden"
    context.close()
