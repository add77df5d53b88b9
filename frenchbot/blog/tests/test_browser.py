"""A visitor in a real browser: reads, comments, votes; no script from content ever runs."""

import pytest

from frenchbot.blog.models import Comment, PollVote

from .factories import ArticleFactory, CommentFactory, PollFactory

# Without Playwright the whole module is skipped, saying what to install.
expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_read_an_article_from_the_list(page):
    ArticleFactory(title="Écrire un bon prompt", body="## Le rôle\n\nCommencez par donner un rôle.")
    page.goto("/blog/")
    with page.expect_navigation():
        page.get_by_role("link", name="Écrire un bon prompt").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Écrire un bon prompt"
    assert page.get_by_text("Commencez par donner un rôle.").is_visible()
    assert page.locator("h2#le-role").is_visible()


def test_post_a_comment_and_see_it_awaits_moderation(page):
    article = ArticleFactory()
    page.goto(article.get_absolute_url())
    page.get_by_label("Votre nom").fill("Jeanne")
    page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    page.get_by_label("Votre commentaire").fill("Merci, j'ai testé la méthode ce matin.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier").click()
    notice = page.get_by_role("status").filter(has_text="en attente de modération")
    assert notice.is_visible()
    # The page lands on the comments, and the notice is there, in view.
    assert notice.evaluate("n => n.closest('#commentaires') !== null")
    assert notice.evaluate(
        "n => { const r = n.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.body == "Merci, j'ai testé la méthode ce matin."


def test_an_empty_comment_keeps_what_was_typed(page):
    article = ArticleFactory()
    page.goto(article.get_absolute_url())
    page.get_by_label("Votre nom").fill("Jeanne")
    page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier").click()
    body = page.get_by_label("Votre commentaire")
    assert "Votre commentaire est vide" in page.locator(".field__errors").first.inner_text()
    assert body.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Votre nom").input_value() == "Jeanne"
    assert not Comment.objects.exists()


def test_vote_in_a_poll_and_see_the_results(page):
    poll = PollFactory(options=["Coup de génie", "Coup de poker"])
    page.goto(poll.article.get_absolute_url())
    page.locator("label", has_text="Coup de poker").click()
    assert page.get_by_role("radio", name="Coup de poker").is_checked()
    page.get_by_role("button", name="Voter").click()
    # With JavaScript the poll's section is replaced in place: the reader stays in the article.
    expect(page.get_by_role("status").filter(has_text="Merci, votre vote est enregistré")).to_be_visible()
    expect(page.get_by_text("1 vote au total")).to_be_visible()
    assert page.url.endswith(poll.article.get_absolute_url())
    assert page.locator(".poll-results li", has_text="Coup de poker").inner_text().count("100 %") == 1
    assert PollVote.objects.count() == 1
    # Back on the article, the form has given way to the results.
    page.goto(poll.article.get_absolute_url())
    assert page.get_by_role("button", name="Voter").count() == 0


def test_vote_without_javascript_lands_on_the_results_page(_browser, live_server):
    poll = PollFactory(options=["Coup de génie", "Coup de poker"])
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto(poll.article.get_absolute_url())
    page.locator("label", has_text="Coup de génie").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Voter").click()
    assert page.url.split("#")[0].endswith(f"/blog/{poll.article.slug}/sondage/")
    assert page.get_by_text("Merci, votre vote est enregistré").is_visible()
    assert page.get_by_text("1 vote au total").is_visible()
    context.close()


def test_script_in_an_article_or_a_comment_never_runs(page):
    article = ArticleFactory(
        body=(
            "Texte <script>window.__pwned = 'article'</script>\n\n"
            '<img src="x" onerror="window.__pwned = \'img\'">\n\n'
            "[lien](javascript:window.__pwned='lien')"
        )
    )
    CommentFactory(article=article, body="<script>window.__pwned = 'commentaire'</script> Bonjour")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(article.get_absolute_url())
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # The text is shown as text.
    assert page.get_by_text("<script>window.__pwned = 'commentaire'</script> Bonjour").is_visible()
    for link in page.locator(".prose a").all():
        assert not (link.get_attribute("href") or "").startswith("javascript:")
    assert dialogs == []


def test_skip_link_is_the_first_stop_for_keyboard_users(page):
    ArticleFactory()
    page.goto("/blog/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
