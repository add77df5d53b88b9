"""The account links of the header, and the page cache never mixing signed-in and signed-out copies."""

import pytest
from django.test import Client

from frenchbot.core.pagecache import PageCacheASGI
from frenchbot.courses.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    start = html.index('<nav class="site-nav"')
    return html[start : html.index("</nav>", start)]


def test_signed_out_visitor_sees_sign_in_back_to_the_same_page(client):
    assert '<a href="/compte/login/">Se connecter</a>' in _nav(client.get("/").content.decode())
    nav = _nav(client.get("/blog/").content.decode())
    assert '<a href="/compte/login/?next=/blog/">Se connecter</a>' in nav
    assert "Mon compte" not in nav and "Se déconnecter" not in nav


def test_signed_in_learner_sees_their_links_and_a_logout_form(client):
    client.force_login(LearnerFactory())
    nav = _nav(client.get("/blog/").content.decode())
    assert '<a href="/formations/mes-formations/">Mes formations</a>' in nav
    assert '<a href="/compte/profil/">Mon compte</a>' in nav
    assert '<form class="site-nav__logout" method="post" action="/compte/logout/">' in nav
    assert 'name="csrfmiddlewaretoken"' in nav
    assert '<button type="submit"' in nav and "Se déconnecter</button>" in nav
    assert "Se connecter" not in nav


@pytest.mark.parametrize("signed_in_first", [True, False])
def test_the_shared_page_cache_never_serves_or_stores_a_signed_in_header(settings, signed_in_first):
    settings.PAGE_CACHE_SECONDS = 300
    learner, visitor = Client(), Client()
    learner.force_login(LearnerFactory())
    order = [learner, visitor, learner, visitor] if signed_in_first else [visitor, learner, visitor, learner]
    for browser in order:
        nav = _nav(browser.get("/").content.decode())
        if browser is learner:
            assert "Mon compte" in nav and "Se connecter" not in nav
        else:
            assert "Se connecter" in nav and "Mon compte" not in nav and "Se déconnecter" not in nav

    # The ASGI layer answers from the same stored copy: never to a browser with a session cookie.
    app = PageCacheASGI(app=None)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }
    status, _headers, body = app._cached_response(scope)
    assert status == 200
    assert "Se connecter" in body.decode() and "Mon compte" not in body.decode()
    with_session = {**scope, "headers": [(b"host", b"testserver"), (b"cookie", b"sessionid=quelconque")]}
    assert app._cached_response(with_session) is None
