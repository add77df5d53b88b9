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


def _logout_token(html: str) -> str:
    form = html[html.index('<form class="site-nav__logout"') :]
    start = form.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
    return form[start : form.index('"', start)]


def test_kept_account_links_carry_each_learners_own_token_and_mark_the_profile_page(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60  # the layout's parts kept, as in production
    browsers = []
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(LearnerFactory())
        browsers.append(browser)
    for browser in browsers:
        blog, profile = (
            browser.get("/blog/").content.decode(),
            browser.get("/compte/profil/").content.decode(),
        )
        assert '<a href="/compte/profil/">Mon compte</a>' in _nav(blog)
        assert '<a href="/compte/profil/" aria-current="page">Mon compte</a>' in _nav(profile)
    # The kept menu is filled with each browser's own token: each one signs its own learner out.
    for browser in browsers:
        token = _logout_token(browser.get("/formations/mes-formations/").content.decode())
        assert browser.post("/compte/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
        assert "Se connecter" in _nav(browser.get("/blog/").content.decode())


def test_kept_language_form_sends_each_page_back_to_itself(settings, client):
    settings.FRAGMENT_CACHE_SECONDS = 60
    client.force_login(LearnerFactory())
    for address in ("/blog/", "/formations/?niveau=debutant", "/compte/profil/"):
        page = client.get(address).content.decode()
        form = page[page.index('<form class="language-form"') :]
        form = form[: form.index("</form>")]
        assert f'<input name="next" type="hidden" value="{address.replace("&", "&amp;")}">' in form
        assert '<option value="fr" selected lang="fr">Français</option>' in form
        assert 'name="csrfmiddlewaretoken"' in form
