"""Share links: plain links with encoded addresses, no third-party script, a copy field that works without JS."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _share_section(html: str) -> str:
    start = html.index('<section class="share"')
    return html[start : html.index("</section>", start)]


def _hrefs(section: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', section)]


def test_share_links_carry_the_encoded_article_address(client):
    article = ArticleFactory(title="IA & PME : 5 idées « simples »", slug="ia-et-pme")
    html = client.get(article.get_absolute_url()).content.decode()
    section = _share_section(html)
    url = "http://testserver/blog/ia-et-pme/"
    hrefs = _hrefs(section)

    mailto = next(h for h in hrefs if h.startswith("mailto:"))
    query = parse_qs(urlsplit(mailto).query)
    assert query["subject"] == ["IA & PME : 5 idées « simples »"]
    assert url in query["body"][0]
    assert "+" not in mailto  # spaces are %20 in mailto:

    linkedin = next(h for h in hrefs if h.startswith("https://www.linkedin.com/sharing/share-offsite/"))
    assert parse_qs(urlsplit(linkedin).query) == {"url": [url]}

    x = next(h for h in hrefs if h.startswith("https://twitter.com/intent/tweet"))
    assert parse_qs(urlsplit(x).query) == {"url": [url], "text": ["IA & PME : 5 idées « simples »"]}
    # The title's "&" is encoded: left raw it would cut the parameters.
    assert "IA+%26+PME" in x


def test_external_share_links_open_safely_in_a_new_tab(client):
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    section = _share_section(html)
    for anchor in re.findall(r"<a [^>]*https://[^>]*>", section):
        assert 'target="_blank"' in anchor
        assert 'rel="noopener noreferrer"' in anchor
    assert "nouvel onglet" in section
    assert section.count("<svg") == 3
    assert 'aria-hidden="true"' in section


def test_copy_link_without_javascript_is_a_readonly_field(client):
    article = ArticleFactory(slug="copier-le-lien")
    section = _share_section(client.get(article.get_absolute_url()).content.decode())
    field = re.search(r"<input [^>]*data-share-url[^>]*>", section).group(0)
    assert "readonly" in field
    assert 'value="http://testserver/blog/copier-le-lien/"' in field
    assert re.search(r"<button [^>]*data-share-button[^>]*hidden", section)
    assert 'aria-live="polite"' in section
    # Only our own script: nothing from another site.
    scripts = re.findall(r'<script src="([^"]+)"', section)
    assert scripts and all(src.startswith("/static/") for src in scripts)
