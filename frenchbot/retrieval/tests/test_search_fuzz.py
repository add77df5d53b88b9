"""Whatever a visitor types in the search box (control characters, quotes, FTS and SQL syntax, emoji, any
script), /recherche/ answers a page, never a server error."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from frenchbot.retrieval.models import Document
from frenchbot.retrieval.services import document_index

pytestmark = pytest.mark.django_db

_syntax = st.sampled_from(
    [
        '"',
        "*",
        "NEAR(",
        "OR",
        "AND",
        "NOT",
        "-",
        "'",
        ":",
        "^",
        "(",
        ")",
        "\\",
        "%",
        "_",
        "--",
        ";",
        "\x00",
        "🤖",
        "l'IA",
        "prompt",
    ]
)
# Any unicode but lone surrogates (which no browser can send as UTF-8), control characters included.
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
_query = st.lists(st.one_of(_syntax, _text), max_size=8).map(" ".join)
_params = st.fixed_dictionaries(
    {"q": _query},
    optional={
        "type": st.one_of(st.sampled_from(["blog.article", "assistant.faq"]), _text),
        "page": st.one_of(st.integers().map(str), _text),
        "exact": st.sampled_from(["1", "0", ""]),
    },
)


def _ensure_content():
    if not Document.objects.filter(source="blog.article", source_id="fuzz").exists():
        document_index(
            source="blog.article",
            source_id="fuzz",
            title="Écrire un bon prompt",
            url="/blog/prompt/",
            text="## Le rôle\n\nDonnez un rôle à l'IA, un contexte et le format attendu « en trois points ».",
        )


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=_params)
def test_any_query_is_answered(settings, params):
    settings.SEARCH_RATE_PER_MINUTE = 0
    _ensure_content()
    response = Client().get("/recherche/", params)
    assert response.status_code in (200, 400)
    assert b"<mark><script" not in response.content


@pytest.mark.parametrize(
    "raw",
    [
        "q=%ff%fe",
        "q=%00%01%1b",
        "q=%ED%A0%80",
        "q=" + "%22" * 3000,
        "q=a&q=b&type=%00&page=%ff",
        "q=" + "é" * 2001,
    ],
)
def test_odd_query_strings_are_answered(client, settings, raw):
    settings.SEARCH_RATE_PER_MINUTE = 0
    _ensure_content()
    assert client.get("/recherche/?" + raw).status_code in (200, 400)


def test_only_reading_methods(client):
    assert client.post("/recherche/", {"q": "prompt"}).status_code == 405
    assert client.head("/recherche/?q=prompt").status_code == 200
