"""The bot in a real browser over the real ASGI server: ask in the widget, watch the answer stream, follow a
source to the passage; the page and the open widget pass axe."""

import pytest

from frenchbot.blog.tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "## Le contexte\n\nExpliquez la situation avant de poser la question.\n\n"
    + "Un paragraphe de remplissage pour que la section suivante soit loin dans la page. " * 40
    + "\n\n## Le rôle\n\nCommencez votre prompt en donnant un rôle à ChatGPT : « vous êtes juriste en droit du "
    "travail ». Le rôle oriente le vocabulaire et le niveau de détail de la réponse."
)
REPLY = (
    "Commencez par donner un rôle à ChatGPT, par exemple « vous êtes juriste en droit du travail » : le rôle "
    "oriente le vocabulaire et le niveau de détail de la réponse [1]."
)


def _context(browser, base_url, **options):
    context = browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris", **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def site_page(_browser, asgi_server):
    context = _context(_browser, asgi_server)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(_browser, asgi_server, axe):
    # The site's CSP forbids inline scripts, as it should; the checker is injected around it.
    context = _context(_browser, asgi_server, bypass_csp=True)
    page = context.new_page()
    page.violations = lambda: axe(page)
    yield page
    context.close()


def test_ask_in_the_widget_watch_it_stream_and_land_on_the_passage(site_page, use_provider):
    article = ArticleFactory(title="Écrire un bon prompt", body=BODY)
    use_provider(replies=[REPLY], delay=0.04)
    page = site_page
    page.goto("/blog/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    panel = page.locator("#chat-panel")
    # The AI disclosure: one line at the top, the fuller text (who answers) one click away.
    assert panel.get_by_text("Assistant IA · peut se tromper").is_visible()
    panel.get_by_text("En savoir plus").click()
    assert panel.get_by_text(
        "Vous échangez avec un assistant d'intelligence artificielle : Fournisseur de test"
    ).is_visible()
    page.get_by_label("Votre question").fill("Comment donner un rôle à ChatGPT ?")
    page.get_by_role("button", name="Envoyer").click()
    # Words appear while the answer is still being written (no sources yet, the stop button offered).
    page.wait_for_function(
        "() => { const s = document.querySelector('#chat-panel .chat__streaming');"
        " return s && s.textContent.length > 0 && !document.querySelector('#chat-panel .chat__sources'); }"
    )
    assert page.get_by_role("button", name="Arrêter").is_visible()
    source = panel.locator(".chat__source").first
    source.wait_for()
    assert "rôle" in panel.locator(".chat__message--assistant .chat__text").inner_text()
    assert panel.get_by_role("link", name="Prendre rendez-vous avec l'équipe").is_visible()
    source.click()
    page.wait_for_url(f"**{article.get_absolute_url()}#le-role")
    heading = page.locator("#le-role")
    assert heading.inner_text() == "Le rôle"
    assert heading.is_visible()  # scrolled to the passage


def test_the_conversation_is_still_there_on_the_next_page(site_page, use_provider):
    ArticleFactory(title="Écrire un bon prompt", body=BODY)
    use_provider(replies=[REPLY])
    page = site_page
    page.goto("/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    page.get_by_label("Votre question").fill("Comment donner un rôle à ChatGPT ?")
    page.get_by_label("Votre question").press("Enter")
    page.locator("#chat-panel .chat__source").first.wait_for()
    page.goto("/blog/")
    # The widget was left open: it is open on the next page too, with the conversation.
    assert page.get_by_role("button", name="Une question\u00a0?").get_attribute("aria-expanded") == "true"
    page.locator("#chat-panel .chat__message--user").get_by_text(
        "Comment donner un rôle à ChatGPT ?"
    ).wait_for()
    # Feedback: thumbs down, then a comment.
    page.get_by_role("button", name="Pas utile").click()
    page.get_by_label("Qu'est-ce qui n'allait pas ? (facultatif)").fill("Il manque un exemple.")
    page.get_by_role("button", name="Envoyer l'avis").click()
    page.get_by_text("Merci : votre commentaire est transmis à l'équipe.").wait_for()
    from frenchbot.assistant.models import Feedback

    assert Feedback.objects.get().comment == "Il manque un exemple."


def test_the_widget_and_the_page_pass_axe(axe_page, use_provider):
    ArticleFactory(title="Écrire un bon prompt", body=BODY)
    use_provider(replies=[REPLY])
    page = axe_page
    page.goto("/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    page.get_by_label("Votre question").fill("Comment donner un rôle à ChatGPT ?")
    page.get_by_role("button", name="Envoyer").click()
    page.locator("#chat-panel .chat__source").first.wait_for()
    problems = {}
    for path in (None, "/assistant/"):
        if path:
            page.goto(path)
        problems[path or "widget"] = page.violations()
    assert {k: v for k, v in problems.items() if v} == {}


LOG_STATE = """() => { const log = document.querySelector('#chat-panel .chat__log');
  const answers = log.querySelectorAll('.chat__message--assistant');
  const last = answers[answers.length - 1];
  return {scroll: log.scrollTop, answerTop: last.getBoundingClientRect().top - log.getBoundingClientRect().top,
          text: last.textContent.length}; }"""


def test_a_long_answer_shows_its_start_and_lets_the_visitor_scroll_back(site_page, use_provider):
    ArticleFactory(title="Écrire un bon prompt", body=BODY)
    long = "\n\n".join(
        f"Conseil {i} : "
        + "donnez le contexte, le rôle et le format attendu avant de poser la question. " * 4
        for i in range(1, 7)
    )
    use_provider(replies=[REPLY, long], delay=0.008)
    page = site_page
    page.goto("/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    page.get_by_label("Votre question").fill("Comment donner un rôle à ChatGPT ?")
    page.get_by_role("button", name="Envoyer").click()
    page.locator("#chat-panel .chat__source").first.wait_for()
    page.get_by_label("Votre question").fill("Et pour le reste ?")
    page.get_by_role("button", name="Envoyer").click()
    # While it streams, the log follows the answer down until its first line reaches the top, and no further.
    page.wait_for_function(f"() => ({LOG_STATE})().text > 1200")
    state = page.evaluate(LOG_STATE)
    assert state["scroll"] > 0
    assert 0 <= state["answerTop"] < 20
    # The visitor scrolls up to read the previous answer: the log stays where they put it.
    box = page.locator("#chat-panel .chat__log").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -5000)
    page.wait_for_function(f"() => ({LOG_STATE})().scroll === 0")
    page.locator("#chat-panel .chat__message--assistant").nth(1).locator(".chat__tools").wait_for()
    assert page.evaluate(LOG_STATE)["scroll"] == 0
