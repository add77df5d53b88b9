"""BackendHandler: aliases of a setting built once per process, checked, and rebuilt when the setting changes."""

import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from frenchbot.core.backends import BackendHandler

SETTING = "FRENCHBOT_TEST_BACKENDS"


class Greeter:
    """The base class of the test backends."""

    greeting = "bonjour"


class PoliteGreeter(Greeter):
    built: list["PoliteGreeter"] = []

    def __init__(self, *, greeting: str = "bonjour", slow: bool = False) -> None:
        if not greeting:
            raise ValueError("greeting must not be empty")
        if greeting == "salut":
            raise ImproperlyConfigured("'salut' is too familiar")
        if slow:
            # Long enough for every thread of the concurrency test to ask before this one is done.
            time.sleep(0.05)
        self.greeting = greeting
        self.alias = ""
        PoliteGreeter.built.append(self)


class Stranger:
    """Not a Greeter."""


def not_a_class():
    return Greeter()


POLITE = f"{__name__}.PoliteGreeter"


@pytest.fixture
def handler():
    PoliteGreeter.built.clear()
    return BackendHandler(
        SETTING, Greeter, after_build=lambda instance, alias: setattr(instance, "alias", alias)
    )


def test_one_instance_per_alias(settings, handler):
    settings.FRENCHBOT_TEST_BACKENDS = {
        "default": {"BACKEND": POLITE},
        "formel": {"BACKEND": POLITE, "OPTIONS": {"greeting": "mes salutations"}},
    }
    default = handler["default"]
    assert isinstance(default, PoliteGreeter)
    assert (default.greeting, default.alias) == ("bonjour", "default")
    formal = handler["formel"]
    assert (formal.greeting, formal.alias) == ("mes salutations", "formel")
    assert handler["default"] is default
    assert handler["formel"] is formal
    assert PoliteGreeter.built == [default, formal]


def test_aliases_follow_the_setting(settings, handler):
    settings.FRENCHBOT_TEST_BACKENDS = {"b": {"BACKEND": POLITE}, "a": {"BACKEND": POLITE}}
    assert handler.aliases() == ["b", "a"]
    assert PoliteGreeter.built == []  # listing builds nothing


def test_an_unknown_alias_is_named_with_the_configured_ones(settings, handler):
    settings.FRENCHBOT_TEST_BACKENDS = {"default": {"BACKEND": POLITE}, "formel": {"BACKEND": POLITE}}
    with pytest.raises(
        ImproperlyConfigured,
        match=r"^FRENCHBOT_TEST_BACKENDS has no 'familier' entry \(configured: default, formel\)$",
    ):
        handler["familier"]
    settings.FRENCHBOT_TEST_BACKENDS = {}
    with pytest.raises(ImproperlyConfigured, match=r"has no 'default' entry \(configured: none\)$"):
        handler["default"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (POLITE, r"^FRENCHBOT_TEST_BACKENDS\['x'\] needs a BACKEND dotted path$"),
        ({"OPTIONS": {}}, r"^FRENCHBOT_TEST_BACKENDS\['x'\] needs a BACKEND dotted path$"),
        ({"BACKEND": ""}, r"^FRENCHBOT_TEST_BACKENDS\['x'\] needs a BACKEND dotted path$"),
        (
            {"BACKEND": "frenchbot.nowhere.Greeter"},
            r"^FRENCHBOT_TEST_BACKENDS\['x'\]: cannot import 'frenchbot\.nowhere",
        ),
        ({"BACKEND": f"{__name__}.Nobody"}, r"^FRENCHBOT_TEST_BACKENDS\['x'\]: cannot import '.*\.Nobody'"),
        ({"BACKEND": "nodot"}, r"^FRENCHBOT_TEST_BACKENDS\['x'\]: cannot import 'nodot'"),
    ],
)
def test_a_bad_path_is_reported(settings, handler, entry, message):
    settings.FRENCHBOT_TEST_BACKENDS = {"x": entry}
    with pytest.raises(ImproperlyConfigured, match=message):
        handler["x"]


@pytest.mark.parametrize("name", ["Stranger", "not_a_class", "SETTING"])
def test_only_a_subclass_of_the_base_class_is_built(settings, handler, name):
    settings.FRENCHBOT_TEST_BACKENDS = {"x": {"BACKEND": f"{__name__}.{name}"}}
    with pytest.raises(
        ImproperlyConfigured,
        match=rf"^FRENCHBOT_TEST_BACKENDS\['x'\]: '.*\.{name}' is not a Greeter subclass$",
    ):
        handler["x"]


def test_the_article_follows_the_base_class_name(settings):
    settings.FRENCHBOT_TEST_BACKENDS = {"x": {"BACKEND": f"{__name__}.Stranger"}}
    with pytest.raises(ImproperlyConfigured, match=r"is not an Exception subclass$"):
        BackendHandler(SETTING, Exception)["x"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "bleu"}, r"^FRENCHBOT_TEST_BACKENDS\['x'\]: invalid OPTIONS: .*'colour'"),
        ({"greeting": ""}, r"^FRENCHBOT_TEST_BACKENDS\['x'\]: invalid OPTIONS: greeting must not be empty$"),
        ({"greeting": "salut"}, r"^FRENCHBOT_TEST_BACKENDS\['x'\]: 'salut' is too familiar$"),
        ("greeting", r"^FRENCHBOT_TEST_BACKENDS\['x'\]: invalid OPTIONS"),
    ],
)
def test_options_the_class_refuses_are_reported(settings, handler, options, message):
    settings.FRENCHBOT_TEST_BACKENDS = {"x": {"BACKEND": POLITE, "OPTIONS": options}}
    with pytest.raises(ImproperlyConfigured, match=message):
        handler["x"]
    assert PoliteGreeter.built == []


def test_a_change_of_its_setting_rebuilds_and_no_other_does(handler):
    with override_settings(FRENCHBOT_TEST_BACKENDS={"default": {"BACKEND": POLITE}}):
        first = handler["default"]
        with override_settings(LANGUAGE_CODE="en"):
            assert handler["default"] is first
        with override_settings(
            FRENCHBOT_TEST_BACKENDS={"default": {"BACKEND": POLITE, "OPTIONS": {"greeting": "coucou"}}}
        ):
            second = handler["default"]
            assert second is not first
            assert second.greeting == "coucou"
            assert second.alias == "default"
        third = handler["default"]
    assert third is not second
    assert third.greeting == "bonjour"
    assert PoliteGreeter.built == [first, second, third]


def test_threads_asking_together_get_one_instance(settings, handler):
    settings.FRENCHBOT_TEST_BACKENDS = {"lent": {"BACKEND": POLITE, "OPTIONS": {"slow": True}}}
    threads_count = 8
    start = threading.Barrier(threads_count)
    results = [None] * threads_count

    def ask(position):
        start.wait()
        results[position] = handler["lent"]

    threads = [threading.Thread(target=ask, args=(position,)) for position in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(PoliteGreeter.built) == 1
    assert all(result is PoliteGreeter.built[0] for result in results)
