"""The measuring script in a real browser: a page view per page, and the engagement of the page left (time
visible, deepest scroll), sent once."""

import time

import pytest

from frenchbot.analytics.models import Hit
from frenchbot.blog.tests.factories import ArticleFactory

from .conftest import DESKTOP_CHROME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visitor(person_browser, live_server):
    context = person_browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        user_agent=DESKTOP_CHROME,
        viewport={"width": 1280, "height": 600},
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _wait_for(condition, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def test_page_views_and_the_engagement_of_the_page_left(visitor):
    long_body = "\n\n".join(f"## Partie {n}\n\n" + "Une phrase sur les assistants. " * 60 for n in range(12))
    article = ArticleFactory(body=long_body)
    path = article.get_absolute_url()

    visitor.goto(path)
    assert _wait_for(lambda: Hit.objects.filter(path=path, kind=Hit.Kind.PAGEVIEW).exists())
    visitor.mouse.wheel(0, 2500)
    visitor.wait_for_timeout(1200)
    visitor.goto("/blog/")
    assert _wait_for(lambda: Hit.objects.filter(kind=Hit.Kind.ENGAGEMENT).exists())
    assert _wait_for(lambda: Hit.objects.filter(path="/blog/", kind=Hit.Kind.PAGEVIEW).exists())

    views = list(Hit.objects.filter(kind=Hit.Kind.PAGEVIEW).values_list("path", flat=True).order_by("at"))
    assert views == [path, "/blog/"]
    engagement = Hit.objects.get(kind=Hit.Kind.ENGAGEMENT)
    assert engagement.path == path
    assert engagement.duration >= 1
    assert 10 <= engagement.scroll <= 100
    assert engagement.device == "desktop"
    # One visitor: the same browser on the same address, the same day.
    assert len(set(Hit.objects.values_list("visitor", flat=True))) == 1


def test_nothing_is_sent_when_the_browser_asks_not_to_be_tracked(_browser, live_server):
    # Pages no other test of this module opens: the engagement beacon of the previous test's last page, sent
    # as its browser closes, may still reach the shared live server while this test runs.
    article = ArticleFactory()
    paths = ["/", article.get_absolute_url()]
    context = _browser.new_context(
        base_url=live_server.url, user_agent=DESKTOP_CHROME, extra_http_headers={"DNT": "1"}
    )
    page = context.new_page()
    page.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert any(url.endswith("/analytics/mesure.js") for url in requests)
    assert not any("/mesure/" in url and "mesure.js" not in url for url in requests)
    time.sleep(0.5)  # what a beacon sent on closing would take to arrive
    assert not Hit.objects.filter(path__in=paths).exists()
