"""Whatever a visitor sends to the blog's forms, the answer is a page, never a server error."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frenchbot.blog.forms import comment_form_token
from frenchbot.blog.models import Article

from .factories import ArticleFactory, PollFactory

pytestmark = pytest.mark.django_db

_field_values = st.one_of(st.text(max_size=300), st.integers().map(str), st.just(""), st.just("\x00"))
_form = st.dictionaries(
    st.sampled_from(
        ["name", "email", "body", "website", "ts", "parent", "option", "csrfmiddlewaretoken", "x"]
    ),
    _field_values,
    max_size=8,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_form, signed=st.booleans())
def test_any_comment_post_is_answered(data, signed):
    if not Article.objects.filter(slug="fuzz-commentaire").exists():
        ArticleFactory(slug="fuzz-commentaire")
    if signed:
        # Past the form's time stamp check, so that the service itself meets the odd values.
        data = {**data, "ts": comment_form_token()}
    response = Client().post("/blog/fuzz-commentaire/commenter/", data)
    assert response.status_code in (302, 400)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_form)
def test_any_vote_post_is_answered(data):
    if not Article.objects.filter(slug="fuzz-sondage").exists():
        PollFactory(article=ArticleFactory(slug="fuzz-sondage"))
    response = Client().post("/blog/fuzz-sondage/sondage/voter/", data)
    assert response.status_code in (302, 400)
