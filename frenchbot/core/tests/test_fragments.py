"""The fragment tag: one render per public-content version and language, never a stale part after a change."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation
from freezegun import freeze_time

from frenchbot.core.pagecache import pagecache_invalidate, public_kept, public_kept_many, public_version

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


def _version():
    return public_version(RequestFactory().get("/"))


def test_a_kept_value_is_made_once_per_version():
    made = []

    def make():
        made.append(1)
        return {"titre": f"lecture {len(made)}"}

    first = public_kept(version=_version(), key="test:value", make=make)
    again = public_kept(version=_version(), key="test:value", make=make)
    assert first == again == {"titre": "lecture 1"}
    # Each call has its own copy: changing one does not change what the next request gets.
    again["titre"] = "modifié"
    assert public_kept(version=_version(), key="test:value", make=make) == {"titre": "lecture 1"}
    pagecache_invalidate()
    assert public_kept(version=_version(), key="test:value", make=make) == {"titre": "lecture 2"}


def test_nothing_found_is_never_kept_and_no_version_keeps_nothing():
    answers = iter([None, "trouvé"])
    assert public_kept(version=_version(), key="test:missing", make=lambda: next(answers)) is None
    assert public_kept(version=_version(), key="test:missing", make=lambda: next(answers)) == "trouvé"
    fresh = iter(["un", "deux"])
    assert public_kept(version=None, key="test:fresh", make=lambda: next(fresh)) == "un"
    assert public_kept(version=None, key="test:fresh", make=lambda: next(fresh)) == "deux"


def test_a_value_true_until_a_moment_is_made_again_once_it_passes():
    soon = timezone.now() + datetime.timedelta(seconds=30)
    answers = iter([("avant", soon), ("après", None)])
    kept = {"until": lambda value: value[1]}
    assert public_kept(version=_version(), key="test:until", make=lambda: next(answers), **kept)[0] == "avant"
    assert public_kept(version=_version(), key="test:until", make=lambda: next(answers), **kept)[0] == "avant"
    with freeze_time(soon + datetime.timedelta(seconds=1)):
        assert (
            public_kept(version=_version(), key="test:until", make=lambda: next(answers), **kept)[0]
            == "après"
        )


def test_several_values_read_together_read_only_the_missing_ones():
    asked = []

    def make(missing):
        asked.append(sorted(missing))
        return {key: key.upper() for key in missing}

    version = _version()
    assert public_kept_many(version=version, keys=["a", "b"], make=make) == {"a": "A", "b": "B"}
    assert public_kept_many(version=version, keys=["a", "b", "c"], make=make) == {
        "a": "A",
        "b": "B",
        "c": "C",
    }
    assert asked == [["a", "b"], ["c"]]


def test_the_kept_parts_store_shares_strings_and_copies_what_can_change():
    from django.core.cache import caches

    store = caches["template_fragments"]
    html = "".join(["<nav>", "Formations", "</nav>"])
    store.set("layout", html, 60)
    # A string cannot change in place: the same object is handed out, not a copy unpickled on every page.
    assert store.get("layout") is html
    assert store.get("layout") is store.get("layout")
    store.set("pair", ("titre", datetime.date(2026, 12, 7)), 60)
    assert store.get("pair") == ("titre", datetime.date(2026, 12, 7))
    # A list (or a model instance) a caller changes after reading it must not change what others read.
    store.set("rows", [{"title": "Module 1"}], 60)
    read = store.get("rows")
    read[0]["title"] = "changé par un appelant"
    read.append("de trop")
    assert store.get("rows") == [{"title": "Module 1"}]
    assert store.get("rows") is not store.get("rows")
    # The rest of Django's cache behaves as before.
    assert store.add("layout", "autre", 60) is False
    assert store.add("count", 1, 60) is True
    assert store.incr("count", 2) == 3
    with freeze_time(timezone.now() + datetime.timedelta(seconds=61)):
        assert store.get("layout") is None
        assert store.get("rows", "absent") == "absent"


def test_values_kept_as_is_are_shared_in_this_store_and_copied_by_any_other(settings):
    from django.core.cache import caches

    request = RequestFactory().get("/")
    version = public_version(request)
    made = []

    def make(missing):
        made.append(missing)
        return {key: [key.upper()] for key in missing}

    first = public_kept_many(version=version, keys=["a", "b"], make=make, shared=True)
    again = public_kept_many(version=version, keys=["a", "b"], make=make, shared=True)
    assert made == [["a", "b"]]
    assert again == {"a": ["A"], "b": ["B"]}
    assert again["a"] is first["a"]  # the same rows, not unpickled again
    # Not marked as shared: every caller gets a copy of its own.
    copied = public_kept_many(version=version, keys=["c"], make=make)
    assert public_kept_many(version=version, keys=["c"], make=make)["c"] is not copied["c"]
    # Another cache backend for the fragments (Django's own) pickles the marked value like anything else.
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "other-fragments",
        },
    }
    caches["template_fragments"].clear()
    for value in ([], None, ["x"]):
        kept = public_kept_many(
            version=version, keys=["d"], make=lambda missing, v=value: {"d": v}, shared=True
        )
        assert kept == {"d": value}
        caches["template_fragments"].clear()
    public_kept_many(version=version, keys=["e"], make=lambda missing: {"e": []}, shared=True)
    assert public_kept_many(version=version, keys=["e"], make=make, shared=True) == {"e": []}
