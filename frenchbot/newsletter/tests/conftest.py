import pytest

from .factories import MailingListFactory


@pytest.fixture
def lists(db):
    """Two public lists ticked by default, one public list not ticked, one staff-only list."""
    return {
        "actualites": MailingListFactory(slug="actualites", name="Actualités de l'IA", position=1),
        "tutoriels": MailingListFactory(slug="tutoriels", name="Tutoriels", position=2),
        "evenements": MailingListFactory(
            slug="evenements", name="Formations et événements", position=3, is_default=False
        ),
        "equipe": MailingListFactory(slug="equipe", name="Clients", is_public=False, position=4),
    }


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(fn, **kwargs)`: call `fn` and run what it queued for after the commit (its e-mails), as a real
    request does; the test's own transaction never commits."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def chat_context(_browser, live_server):
    """A browser context on the live server, with the site's CSP on: the widget's own script runs as in production."""
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    yield context
    context.close()
