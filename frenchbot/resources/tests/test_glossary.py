"""The glossary: the A–Z index, term pages with their structured data, and links from articles."""

import json
import re
from html import escape
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.resources.selectors.glossary import glossary_link_html

from .factories import GlossaryTermFactory

pytestmark = pytest.mark.django_db


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD in the page"
    return json.loads(found.group(1))


def test_index_groups_terms_by_letter_with_navigation():
    GlossaryTermFactory(term="Token", slug="token", short_definition="Un morceau de mot.")
    GlossaryTermFactory(term="Éthique", slug="ethique")
    GlossaryTermFactory(term="Agent", slug="agent")
    GlossaryTermFactory(term="Caché", slug="cache", is_published=False)
    response = Client().get(reverse("resources:glossary"))
    html = response.content.decode()
    assert response.status_code == 200
    assert [g.letter for g in response.context["glossary"].groups] == ["A", "E", "T"]
    assert '<a href="#lettre-e">E</a>' in html
    assert '<span aria-hidden="true">B</span>' in html
    assert "Un morceau de mot." in html
    assert "Caché" not in html


def test_index_has_a_defined_term_set():
    GlossaryTermFactory(term="Prompt", slug="prompt", short_definition="La consigne donnée à l'IA.")
    GlossaryTermFactory(term="RAG", slug="rag")
    data = _json_ld(Client().get(reverse("resources:glossary")).content.decode())
    assert data["@type"] == "DefinedTermSet"
    assert [t["name"] for t in data["hasDefinedTerm"]] == ["Prompt", "RAG"]
    assert data["hasDefinedTerm"][0]["description"] == "La consigne donnée à l'IA."
    assert data["hasDefinedTerm"][0]["url"].endswith("/ressources/glossaire/prompt/")


def test_term_page_shows_explanation_aliases_related_and_defined_term():
    rag = GlossaryTermFactory(term="RAG", slug="rag")
    llm = GlossaryTermFactory(
        term="LLM",
        slug="llm",
        aliases="grand modèle de langage, LLMs",
        short_definition="Un modèle qui prédit le mot suivant.",
        body="Il a lu **beaucoup** de textes.",
    )
    llm.related.add(rag)
    response = Client().get(llm.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>beaucoup</strong>" in html
    assert "grand modèle de langage, LLMs" in html
    assert f'<a href="{rag.get_absolute_url()}">RAG</a>' in html
    data = _json_ld(html)
    assert data["@type"] == "DefinedTerm"
    assert data["name"] == "LLM"
    assert data["alternateName"] == ["grand modèle de langage", "LLMs"]
    assert data["inDefinedTermSet"]["@type"] == "DefinedTermSet"


def test_json_ld_cannot_be_broken_out_of():
    term = GlossaryTermFactory(
        term="</script><script>alert(1)</script>", slug="piege", short_definition='"}]} & <b>'
    )
    html = Client().get(term.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    data = _json_ld(html)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert data["description"] == '"}]} & <b>'


def test_term_explanation_is_sanitised():
    term = GlossaryTermFactory(slug="sale", body="<script>alert(1)</script> [lien](javascript:alert(1))")
    html = Client().get(term.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html


def test_unpublished_term_is_404():
    term = GlossaryTermFactory(is_published=False)
    assert Client().get(term.get_absolute_url()).status_code == 404


# --- Auto-linking -----------------------------------------------------------------------------------------


def _links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="glossary-link" href="([^"]+)" title="[^"]*">([^<]*)</a>', html)


@pytest.fixture
def terms():
    return {
        "prompt": GlossaryTermFactory(
            term="Prompt", slug="prompt", aliases="prompts, invite", short_definition="Une définition courte."
        ),
        "llm": GlossaryTermFactory(
            term="LLM",
            slug="llm",
            aliases="grand modèle de langage",
            short_definition='Un "modèle" <de> langue.',
        ),
        "modele": GlossaryTermFactory(term="Modèle", slug="modele"),
        "hallucination": GlossaryTermFactory(term="Hallucination", slug="hallucination"),
    }


def test_first_occurrence_only(terms):
    html = glossary_link_html(html_text="<p>Un prompt clair.</p><p>Un autre prompt, des prompts.</p>")
    assert _links(html) == [("/ressources/glossaire/prompt/", "prompt")]
    assert html.endswith("<p>Un autre prompt, des prompts.</p>")


def test_whole_words_case_and_accents(terms):
    html = glossary_link_html(html_text="<p>Les promptologues. Un MODELE, une HALLUCINATION.</p>")
    assert _links(html) == [
        ("/ressources/glossaire/modele/", "MODELE"),
        ("/ressources/glossaire/hallucination/", "HALLUCINATION"),
    ]
    assert glossary_link_html(html_text="<p>Un pré-prompt ou un prompt-type.</p>") == (
        "<p>Un pré-prompt ou un prompt-type.</p>"
    )


def test_longest_match_wins(terms):
    html = glossary_link_html(html_text="<p>Un grand modèle de langage est un modèle.</p>")
    assert _links(html) == [
        ("/ressources/glossaire/llm/", "grand modèle de langage"),
        ("/ressources/glossaire/modele/", "modèle"),
    ]


def test_never_inside_links_headings_or_code(terms):
    source = (
        '<h2 id="prompt">Le prompt</h2><p><a href="https://exemple.fr/">un prompt</a></p>'
        "<pre><code>prompt = 1</code></pre><p>Du <code>prompt</code>, puis un prompt.</p>"
    )
    html = glossary_link_html(html_text=source)
    assert _links(html) == [("/ressources/glossaire/prompt/", "prompt")]
    assert html.startswith('<h2 id="prompt">Le prompt</h2><p><a href="https://exemple.fr/">un prompt</a></p>')
    assert html.endswith(
        'puis un <a class="glossary-link" href="/ressources/glossaire/prompt/" title="Une définition courte.">'
        "prompt</a>.</p>"
    )


def test_html_stays_safe(terms):
    html = glossary_link_html(html_text="<p>&lt;script&gt;alert(1)&lt;/script&gt; un LLM &amp; un prompt</p>")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; un" in html
    # The definition goes into an attribute, quotes and angle brackets escaped.
    assert 'title="Un &quot;modèle&quot; &lt;de&gt; langue."' in html


def test_unpublished_and_not_autolinked_terms_are_ignored():
    GlossaryTermFactory(term="Agent", slug="agent", is_published=False)
    GlossaryTermFactory(term="Token", slug="token", autolink=False)
    assert _links(glossary_link_html(html_text="<p>Un agent compte les token.</p>")) == []


def test_at_most_the_maximum_of_links(settings):
    settings.GLOSSARY_AUTOLINK_MAX = 2
    for word in ("alpha", "beta", "gamma"):
        GlossaryTermFactory(term=word, slug=word)
    assert len(_links(glossary_link_html(html_text="<p>alpha beta gamma</p>"))) == 2


def test_a_new_term_links_at_once(terms, django_capture_on_commit_callbacks):
    assert _links(glossary_link_html(html_text="<p>Un token.</p>")) == []
    with django_capture_on_commit_callbacks(execute=True):
        GlossaryTermFactory(term="Token", slug="token")
    assert _links(glossary_link_html(html_text="<p>Un token.</p>")) == [
        ("/ressources/glossaire/token/", "token")
    ]


def _render_filter(html: str) -> str:
    return Template("{% load glossary %}{{ html|glossary_links|safe }}").render(Context({"html": html}))


def test_setting_turns_it_off(terms, settings):
    settings.GLOSSARY_AUTOLINK = False
    assert _render_filter("<p>Un prompt.</p>") == "<p>Un prompt.</p>"
    settings.GLOSSARY_AUTOLINK = True
    assert "glossary-link" in _render_filter("<p>Un prompt.</p>")


def test_article_page_links_to_the_glossary(terms):
    article = ArticleFactory(body="Un bon prompt évite une hallucination.\n\n## Le prompt\n\nFin.")
    html = Client().get(article.get_absolute_url()).content.decode()
    assert 'class="glossary-link" href="/ressources/glossaire/prompt/"' in html
    assert 'class="glossary-link" href="/ressources/glossaire/hallucination/"' in html


class _TextAndTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(name for name, _value in attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _TextAndTags:
    parser = _TextAndTags()
    parser.feed(html)
    parser.close()
    return parser


@settings_hypothesis(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(["un", "prompt", "LLM", "<b>", "&amp;", '"', "'", "é", "\n", "modèle"]))
)
def test_linking_only_adds_glossary_links(terms, words):
    text = " ".join(words)
    source = f"<p>{escape(text)}</p>"
    result = _parse(glossary_link_html(html_text=source))
    # The visitor reads the same text; the only markup added is glossary links, never anything the text held.
    assert "".join(result.text) == text
    assert set(result.tags) <= {("p", ()), ("a", ("class", "href", "title"))}


def test_cached_glossary_pages_follow_changes(settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 300
    term = GlossaryTermFactory(term="Token", slug="token", short_definition="Un morceau de mot.")
    assert "Un morceau de mot." in Client().get(reverse("resources:glossary")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        GlossaryTermFactory(term="Agent", slug="agent")
        term.short_definition = "Un fragment de texte."
        term.save()
    html = Client().get(reverse("resources:glossary")).content.decode()
    assert "Un fragment de texte." in html and ">Agent</a>" in html
    with django_capture_on_commit_callbacks(execute=True):
        term.delete()
    assert Client().get("/ressources/glossaire/token/").status_code == 404
    assert ">Token</a>" not in Client().get(reverse("resources:glossary")).content.decode()
