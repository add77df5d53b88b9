"""« Sommaire »: shown for articles with enough headings, its links lead to the headings' ids."""

import re

import pytest

from frenchbot.blog.rendering import article_body_html
from frenchbot.blog.selectors import toc_from_html

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

LONG = (
    "Introduction.\n\n## Pourquoi l'IA ?\n\nTexte.\n\n### Les gains\n\nTexte.\n\n### Les limites\n\nTexte.\n\n"
    "## Par où commencer\n\nTexte.\n\n## Pourquoi l'IA ?\n\nEncore.\n"
)


def test_toc_nests_h3_under_h2_with_the_rendered_ids():
    entries = toc_from_html(article_body_html(LONG))
    assert [entry.title for entry in entries] == ["Pourquoi l'IA ?", "Par où commencer", "Pourquoi l'IA ?"]
    assert [child.title for child in entries[0].children] == ["Les gains", "Les limites"]
    assert entries[0].anchor == "pourquoi-l-ia"
    assert entries[2].anchor == "pourquoi-l-ia-2"


def test_article_page_shows_the_toc_and_its_links_match_heading_ids(client):
    article = ArticleFactory(body=LONG)
    html = client.get(article.get_absolute_url()).content.decode()
    nav = re.search(r'<nav class="[^"]*toc[^"]*" aria-labelledby="article-toc-title">(.*?)</nav>', html, re.S)
    assert nav, "the table of contents is missing"
    assert "Sommaire" in nav.group(1)
    targets = re.findall(r'href="#([^"]+)"', nav.group(1))
    assert targets == ["pourquoi-l-ia", "les-gains", "les-limites", "par-ou-commencer", "pourquoi-l-ia-2"]
    for target in targets:
        assert f'id="{target}"' in html


def test_short_article_has_no_toc(client):
    article = ArticleFactory(body="## Un\n\nTexte.\n\n## Deux\n\nTexte.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "article-toc-title" not in html


def test_a_long_article_with_two_headings_gets_one():
    words = " ".join(["mot"] * 1300)
    html = f'<h2 id="a">A</h2><p>{words}</p><h2 id="b">B</h2>'
    assert len(toc_from_html(html, word_count=1300)) == 2
    assert toc_from_html(html, word_count=100) == []


def test_heading_text_is_escaped_in_the_toc(client):
    body = "## Le <script> et &\n\nx\n\n## B\n\nx\n\n## C\n\nx"
    html = client.get(ArticleFactory(body=body).get_absolute_url()).content.decode()
    nav = html[html.index('aria-labelledby="article-toc-title"') :]
    nav = nav[: nav.index("</nav>")]
    assert "<script>" not in nav
    assert "Le &lt;script&gt; et &amp;" in nav
