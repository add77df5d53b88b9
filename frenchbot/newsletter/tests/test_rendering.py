"""The e-mail of a letter: layout and styles the clients render, dark-mode declarations, the preheader, no
tracking, a readable plain-text part, and the footer's reasons, links and sender."""

import pytest
from django.conf import settings

from frenchbot.newsletter.rendering import (
    email_html_from_markdown,
    issue_content,
    issue_email,
    issue_web_html,
    text_from_markdown,
)
from frenchbot.newsletter.services.subscriptions import subscriber_links

from .sending_helpers import make_issue, make_list, make_subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter():
    news, tutorials = make_list(), make_list("tutoriels", "Tutoriels")
    (subscriber,) = make_subscribers(1, lists=[news, tutorials])
    issue = make_issue(lists=[news])
    return issue, subscriber


def test_the_html_is_a_600px_table_with_inline_styles_and_dark_mode_declarations(letter):
    issue, subscriber = letter
    html = issue_email(issue=issue, subscriber=subscriber).html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="supported-color-schemes" content="light dark">' in html
    assert 'role="presentation"' in html and "max-width:600px" in html
    assert "<style" not in html and "<link" not in html and "<script" not in html
    for colour in ["#14213d", "#e63946", "#f1f3f5"]:
        assert colour in html
    # Every paragraph and link of the body carries its own style.
    assert "<p>" not in html and "<a href" not in html.replace('<a href="', "")
    assert 'style="margin:0 0 16px;color:#14213d' in html


def test_the_preheader_is_hidden_at_the_top(letter):
    issue, subscriber = letter
    html = issue_email(issue=issue, subscriber=subscriber).html
    body = html[html.index("<body") :]
    hidden = body[: body.index("</div>")]
    assert "display:none" in hidden and issue.preheader in hidden


def test_no_image_no_pixel_no_rewritten_link(letter):
    issue, subscriber = letter
    email = issue_email(issue=issue, subscriber=subscriber)
    assert "<img" not in email.html.lower()
    # The links are the author's own, not redirects through the site.
    assert 'href="https://exemple.fr/outils"' in email.html
    assert 'href="https://exemple.fr/graphique.png"' in email.html


def test_the_footer_says_why_and_carries_the_personal_links_and_the_sender(letter, settings):
    settings.NEWSLETTER_FROM_EMAIL = "The French Bot <lettre@thefrenchbot.fr>"
    issue, subscriber = letter
    email = issue_email(issue=issue, subscriber=subscriber)
    links = subscriber_links(subscriber=subscriber, issue=issue)
    for part in (email.html, email.text):
        assert links["unsubscribe"] in part and links["preferences"] in part
        assert settings.NEWSLETTER_POSTAL_ADDRESS in part
        assert "lettre@thefrenchbot.fr" in part
    # Only the lists of this letter, though they are on two.
    assert "inscrite à la liste «\u00a0Actualités de l'IA\u00a0»." in email.text
    assert "Tutoriels" not in email.text
    assert email.headers["List-Unsubscribe"] == f"<{links['unsubscribe']}>"
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.headers["Message-ID"] == email.headers["Message-ID"].strip()
    # The same Message-ID for a repeated send to the same person.
    assert (
        issue_email(issue=issue, subscriber=subscriber).headers["Message-ID"] == email.headers["Message-ID"]
    )


def test_the_personal_links_differ_per_subscriber_while_the_body_is_rendered_once():
    news = make_list()
    first, second = make_subscribers(2, lists=[news])
    issue = make_issue(lists=[news])
    content = issue_content(issue=issue)
    one = issue_email(issue=issue, subscriber=first, content=content, list_names=["Actualités de l'IA"])
    two = issue_email(issue=issue, subscriber=second, content=content, list_names=["Actualités de l'IA"])
    assert subscriber_links(subscriber=first, issue=issue)["unsubscribe"] in one.html
    assert subscriber_links(subscriber=first, issue=issue)["unsubscribe"] not in two.html
    assert len(content.rendered) == 1


def test_the_plain_text_is_readable():
    text = text_from_markdown(
        "# Titre\n\nUn [lien](https://exemple.fr/a) et **du gras**.\n\n- premier\n- second\n\n"
        "1. un\n2. deux\n\n> Une citation\n\n```\ncode\n```\n\n[https://exemple.fr](https://exemple.fr)\n"
    )
    assert "Titre\n=====" in text
    assert "Un lien (https://exemple.fr/a) et du gras." in text
    assert "- premier\n- second" in text
    assert "1. un\n2. deux" in text
    assert "> Une citation" in text
    assert "    code" in text
    assert "Outil | Gain\nChatGPT | 2 h" in text_from_markdown(
        "| Outil | Gain |\n|---|---|\n| ChatGPT | 2 h |\n"
    )
    assert "https://exemple.fr (https://exemple.fr)" not in text
    assert "<" not in text and "**" not in text


def test_raw_html_and_scripts_in_the_markdown_are_not_rendered():
    html = email_html_from_markdown(
        '<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src="https://t.example/p.gif">'
    )
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html


def test_a_test_email_is_marked_and_the_web_page_has_no_personal_part(letter):
    issue, subscriber = letter
    assert issue_email(issue=issue, subscriber=subscriber, test=True).subject.startswith("[TEST] ")
    assert "desinscription" not in issue_web_html(issue=issue)
    assert settings.SITE_URL  # the links of the e-mails are absolute
