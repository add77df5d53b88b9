"""The CSRF token made by frenchbot.core.csrf: Django's middleware accepts it, and its characters are uniform."""

import collections
import re

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware
from django.test import Client, RequestFactory

from frenchbot.core.csrf import csrf, csrf_token, random_chars
from frenchbot.core.pagecache import _csrf_cookie_header
from frenchbot.courses.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _middleware_verdict(*, cookie: str | None, token: str) -> bool:
    """Whether Django's CsrfViewMiddleware lets a form POST through with this cookie and token."""
    request = RequestFactory().post("/", {"csrfmiddlewaretoken": token})
    if cookie is not None:
        request.COOKIES["csrftoken"] = cookie
    middleware = CsrfViewMiddleware(lambda request: None)
    middleware.process_request(request)
    return middleware.process_view(request, lambda request: None, (), {}) is None


def test_a_first_visitors_token_and_secret_pass_djangos_check_and_nothing_else_does():
    visitor = RequestFactory().get("/")
    token = csrf_token(visitor)
    secret = visitor.META["CSRF_COOKIE"]
    assert visitor.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the middleware will set the cookie
    assert len(secret) == 32 and len(token) == 64
    assert set(secret + token) <= set(CSRF_ALLOWED_CHARS)
    assert _middleware_verdict(cookie=secret, token=token)
    # A fresh mask each time, for the same secret; each one passes.
    again = csrf_token(visitor)
    assert again != token and visitor.META["CSRF_COOKIE"] == secret
    assert _middleware_verdict(cookie=secret, token=again)
    # Another visitor's secret, a token with one character changed, no cookie at all: refused.
    assert not _middleware_verdict(cookie=csrf_token(RequestFactory().get("/"))[:32], token=token)
    changed = token[:40] + ("a" if token[40] != "a" else "b") + token[41:]
    assert not _middleware_verdict(cookie=secret, token=changed)
    assert not _middleware_verdict(cookie=None, token=token)


def test_a_returning_visitor_keeps_their_secret():
    returning = RequestFactory().get("/")
    returning.COOKIES["csrftoken"] = secret = random_chars(32)
    CsrfViewMiddleware(lambda request: None).process_request(returning)
    token = csrf_token(returning)
    assert returning.META["CSRF_COOKIE"] == secret
    assert _middleware_verdict(cookie=secret, token=token)


def test_the_characters_are_drawn_uniformly_from_the_whole_alphabet():
    drawn = "".join(random_chars(32) for _ in range(2_000))  # 64,000 characters, about 1,032 of each
    counts = collections.Counter(drawn)
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = len(drawn) / len(CSRF_ALLOWED_CHARS)
    chi_square = sum((count - expected) ** 2 / expected for count in counts.values())
    # 61 degrees of freedom: a uniform draw stays under 130 but about once in ten million runs. Mapping every
    # byte with `% 62`, without dropping the top ones, would give a..h a quarter more and a value near 2,000.
    assert chi_square < 130
    # Positions are independent of one another: no string repeats in 2,000.
    assert len({drawn[i : i + 32] for i in range(0, len(drawn), 32)}) == 2_000


def test_the_token_is_made_only_when_a_template_reads_it():
    request = RequestFactory().get("/")
    context = csrf(request)
    assert "CSRF_COOKIE" not in request.META  # a page without a form sets no cookie
    token = str(context["csrf_token"])
    assert _middleware_verdict(cookie=request.META["CSRF_COOKIE"], token=token)


def test_a_signed_in_page_gives_a_token_that_signs_out():
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(LearnerFactory())
    page = browser.get("/compte/profil/")
    assert "csrftoken" in page.cookies  # set by Django's middleware from the flags csrf_token leaves
    token = TOKEN_RE.search(page.content.decode()).group(1)
    assert browser.post("/compte/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert browser.post("/compte/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in browser.session


@pytest.mark.parametrize("secure", [False, True])
def test_the_cached_pages_cookie_is_the_one_django_would_set(settings, secure):
    settings.CSRF_COOKIE_SECURE = secure
    settings.CSRF_COOKIE_SAMESITE = "Strict" if secure else "Lax"
    page = Client().get("/contact/")
    django_cookie = page.cookies["csrftoken"]
    ours = _csrf_cookie_header(django_cookie.value)
    assert ours.split("; ")[0] == f"csrftoken={django_cookie.value}"
    attributes = {part.split("=")[0].lower() for part in ours.split("; ")[1:]}
    assert ("secure" in attributes) is secure
    assert f"SameSite={settings.CSRF_COOKIE_SAMESITE}" in ours
    assert f"Max-Age={django_cookie['max-age']}" in ours and f"Path={django_cookie['path']}" in ours
    # The expiry Django wrote, give or take the second between the two.
    assert ours.split("expires=")[1].split(";")[0][:-9] == django_cookie["expires"][:-9]
