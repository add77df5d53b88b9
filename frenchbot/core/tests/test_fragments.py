"""The fragment tag: one render per public-content version and language, never a stale part after a change."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from frenchbot.core.pagecache import pagecache_invalidate

TEMPLATE = Template('{% load fragments %}{% fragment "card" item.pk %}{{ item.title }}{% endfragment %}')


class Item:
    def __init__(self, pk, title):
        self.pk, self.title = pk, title


def _render(item):
    request = RequestFactory().get("/")
    return TEMPLATE.render(Context({"request": request, "item": item}))


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def test_a_fragment_is_rendered_once_then_follows_a_change():
    assert _render(Item(1, "Premier titre")) == "Premier titre"
    # Same version: the kept render, even though the data moved on without a write that announces it.
    assert _render(Item(1, "Titre changé en douce")) == "Premier titre"
    # Another object has its own fragment.
    assert _render(Item(2, "Autre")) == "Autre"
    pagecache_invalidate()
    assert _render(Item(1, "Titre corrigé")) == "Titre corrigé"


def test_each_language_has_its_own_fragment():
    with translation.override("fr"):
        assert _render(Item(1, "en français")) == "en français"
    with translation.override("en"):
        assert _render(Item(1, "in English")) == "in English"


def test_turned_off_every_render_is_fresh(settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert _render(Item(1, "un")) == "un"
    assert _render(Item(1, "deux")) == "deux"


def test_a_lost_version_never_brings_back_an_old_fragment():
    from django.core.cache import cache

    assert _render(Item(1, "avant")) == "avant"
    cache.clear()  # the counter is gone (evicted, or the cache server restarted)
    assert _render(Item(1, "après")) == "après"
