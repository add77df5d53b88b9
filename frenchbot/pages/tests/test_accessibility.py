"""Automated accessibility checks (axe-core, WCAG 2 A and AA rules) on the pages a visitor meets.

axe-core catches about a third of the RGAA criteria (contrast, labels, names, structure, ARIA); the rest
is covered by the browser tests of each flow and by review.
"""

import pytest

from frenchbot.blog.tests.factories import ArticleFactory, CommentFactory, PollFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(page, path):
    page.goto(path)
    return page.violations()


def test_public_pages_pass_axe(axe_page, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    article = ArticleFactory(
        body="## Un titre\n\nDu texte avec un [lien](https://example.fr).\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    PollFactory(article=article)
    top = CommentFactory(article=article)
    CommentFactory(article=article, parent=top, is_staff_reply=True)
    pages = [
        "/",
        "/blog/",
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        f"/blog/{article.slug}/sondage/",
        "/blog/nexiste-pas/",
        "/mentions-legales/",
        "/accessibilite/",
    ]
    problems = {path: _violations(axe_page, path) for path in pages}
    assert {path: found for path, found in problems.items() if found} == {}


def test_comment_form_with_errors_then_sent_passes_axe(axe_page, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    article = ArticleFactory()
    axe_page.goto(article.get_absolute_url())
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Publier").click()
    assert axe_page.violations() == []
    # Then sent: the page shows the notice and the author's comment awaiting moderation.
    axe_page.get_by_label("Votre nom").fill("Jeanne")
    axe_page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    axe_page.get_by_label("Votre commentaire").fill("Un avis à relire.")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Publier").click()
    assert axe_page.get_by_text("visible par vous seul").is_visible()
    assert axe_page.violations() == []


def test_audit_pages_pass_axe(axe_page):
    from frenchbot.audits.demo import audits_demo_load

    audits_demo_load()
    problems = {path: _violations(axe_page, path) for path in ("/audit/", "/audit/particulier/")}
    assert {path: found for path, found in problems.items() if found} == {}
    # Then answered: the result page with its score bars and opportunities table.
    axe_page.goto("/audit/particulier/")
    for group in axe_page.locator("fieldset.audit-question").all():
        group.locator("label").first.click()
    with axe_page.expect_navigation():
        axe_page.locator("main form button[type=submit]").last.click()
    assert "/audit/resultat/" in axe_page.url
    assert axe_page.violations() == []
