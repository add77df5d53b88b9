"""The shared copy of a public page: served before Django, with tokens that work for each visitor."""

import asyncio
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from frenchbot.blog import services
from frenchbot.blog.models import Comment
from frenchbot.core.pagecache import PageCacheASGI

from .factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TS_RE = re.compile(r'name="ts" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


class Downstream:
    """Stands for Django behind the cache layer: records that it was reached."""

    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"django"})


def asgi_get(app, path, *, headers=(), query=b""):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"testserver"), *headers],
    }
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    headers = {}
    for name, value in start["headers"]:
        headers.setdefault(name.decode(), []).append(value.decode())
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:]).decode()


def test_cached_article_is_served_before_django_with_working_tokens():
    article = ArticleFactory(title="Le prompt parfait")
    Client().get(article.get_absolute_url())  # renders and stores the shared copy
    downstream = Downstream()
    app = PageCacheASGI(downstream)
    status, headers, body = asgi_get(app, article.get_absolute_url(), headers=[(b"accept-language", b"fr")])
    assert downstream.calls == 0
    assert status == 200
    assert "Le prompt parfait" in body
    # Every token placeholder of the shared copy was replaced (the widget's textarea has a placeholder attribute).
    assert "fbcsrfplaceholder" not in body and "fbtsplaceholder" not in body
    assert "script-src 'self'" in headers["content-security-policy"][0]
    assert headers["x-frame-options"] == ["DENY"]
    assert headers["content-language"] == ["fr"]
    cookie = headers["set-cookie"][0]
    assert cookie.startswith("csrftoken=")
    # A visitor posts with what the cached copy gave them.
    visitor = Client(enforce_csrf_checks=True)
    visitor.cookies["csrftoken"] = cookie.split(";")[0].split("=", 1)[1]
    response = visitor.post(
        reverse("blog:comment", args=[article.slug]),
        {
            "csrfmiddlewaretoken": TOKEN_RE.search(body).group(1),
            "name": "Jeanne",
            "email": "jeanne@example.fr",
            "body": "Depuis la copie partagée.",
            "ts": TS_RE.search(body).group(1),
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "Depuis la copie partagée."


def test_each_visitor_gets_its_own_tokens_and_a_returning_one_keeps_its_cookie():
    article = ArticleFactory()
    Client().get(article.get_absolute_url())
    app = PageCacheASGI(Downstream())
    _, first_headers, first = asgi_get(app, article.get_absolute_url())
    _, _, second = asgi_get(app, article.get_absolute_url())
    assert TOKEN_RE.search(first).group(1) != TOKEN_RE.search(second).group(1)
    secret = first_headers["set-cookie"][0].split(";")[0].split("=", 1)[1]
    _, returning_headers, _ = asgi_get(
        app, article.get_absolute_url(), headers=[(b"cookie", f"csrftoken={secret}".encode())]
    )
    assert "set-cookie" not in returning_headers


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ([(b"cookie", b"sessionid=abc")], b""),
        ([(b"cookie", b"messages=abc")], b""),
        ([(b"cookie", b"fb_voter=abc")], b""),
        ([(b"cookie", b"fb_pending=abc")], b""),
        ([], b"page=2"),
        ([(b"accept-language", b"en")], b""),
    ],
)
def test_personal_requests_reach_django(headers, query):
    article = ArticleFactory()
    Client(HTTP_ACCEPT_LANGUAGE="fr").get(article.get_absolute_url())
    downstream = Downstream()
    status, _, body = asgi_get(
        PageCacheASGI(downstream), article.get_absolute_url(), headers=headers, query=query
    )
    assert downstream.calls == 1
    assert body == "django"


def test_a_blog_write_retires_the_shared_copy(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    pending = CommentFactory(article=article, status=Comment.Status.PENDING, body="Enfin modéré")
    Client().get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_moderate(
            comments=Comment.objects.filter(pk=pending.pk), status=Comment.Status.APPROVED
        )
    downstream = Downstream()
    asgi_get(PageCacheASGI(downstream), article.get_absolute_url())
    assert downstream.calls == 1
    assert "Enfin modéré" in Client().get(article.get_absolute_url()).content.decode()


def test_unknown_article_is_never_cached():
    client = Client()
    assert client.get("/blog/inconnu/").status_code == 404
    downstream = Downstream()
    asgi_get(PageCacheASGI(downstream), "/blog/inconnu/")
    assert downstream.calls == 1


def test_with_https_required_a_plain_http_request_is_not_served_from_the_cache(settings):
    article = ArticleFactory(title="Le prompt parfait")
    Client().get(article.get_absolute_url())  # the shared copy
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    downstream = Downstream()
    app = PageCacheASGI(downstream)
    # Over plain HTTP, Django answers (and its SecurityMiddleware redirects to HTTPS).
    asgi_get(app, article.get_absolute_url())
    assert downstream.calls == 1
    # Over HTTPS, behind the proxy that says so, the copy is served before Django.
    status, _, body = asgi_get(app, article.get_absolute_url(), headers=[(b"x-forwarded-proto", b"https")])
    assert downstream.calls == 1 and status == 200 and "Le prompt parfait" in body


def test_one_server_process_shows_a_write_at_once_and_lets_an_expired_copy_go(
    monkeypatch, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    pending = CommentFactory(article=article, status=Comment.Status.PENDING, body="Enfin modéré")
    Client().get(article.get_absolute_url())
    downstream = Downstream()
    app = PageCacheASGI(downstream)  # one process's layer, serving visitor after visitor
    first = asgi_get(app, article.get_absolute_url())[2]
    second = asgi_get(app, article.get_absolute_url())[2]
    assert downstream.calls == 0 and "Enfin modéré" not in first
    # The reused copy is filled afresh for each visitor, every form of the page with the same token.
    tokens = TOKEN_RE.findall(first)
    assert len(tokens) >= 2 and len(set(tokens)) == 1
    assert TOKEN_RE.search(second).group(1) != tokens[0]
    assert "fbcsrfplaceholder" not in second and "fbtsplaceholder" not in second
    # A write: this process's very next visitor gets the page as it is now.
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_moderate(
            comments=Comment.objects.filter(pk=pending.pk), status=Comment.Status.APPROVED
        )
    assert asgi_get(app, article.get_absolute_url())[2] == "django"
    Client().get(article.get_absolute_url())  # Django stores the new copy
    assert "Enfin modéré" in asgi_get(app, article.get_absolute_url())[2]
    # A copy gone from the shared cache (expired) is not served once this process's short reuse is over.
    cache.clear()
    monkeypatch.setattr("frenchbot.core.pagecache._COPY_REUSE_SECONDS", 0.0)
    assert asgi_get(app, article.get_absolute_url())[2] == "django"
