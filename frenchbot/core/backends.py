"""Backends chosen the Django way: a setting of ``{alias: {"BACKEND": "dotted.path", "OPTIONS": {...}}}``
served by one ``BackendHandler`` (Django's ``BaseConnectionHandler`` for databases and caches is the model)."""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

BackendT = TypeVar("BackendT")


class BackendHandler(Generic[BackendT]):
    """The backends configured in one setting: ``handler[alias]`` is built on first use, then shared by the
    whole process (threads included; every backend contract says its instances are safe to share)::

        providers = BackendHandler("LLM_PROVIDERS", Provider)
        providers["default"]  # the same instance on every call

    Building an alias checks the entry and raises ``ImproperlyConfigured``, naming the setting and the alias, for
    an unknown alias, a missing or unimportable ``BACKEND``, a class that is not a subclass of ``base``, or
    ``OPTIONS`` the class refuses (an ``ImproperlyConfigured``, ``TypeError`` or ``ValueError`` from its
    constructor). ``after_build(instance, alias)``, when given, runs once on each new instance.

    The instances are dropped when the setting changes (``override_settings`` and pytest-django's ``settings``
    send ``setting_changed``), so the next access builds from the new value.
    """

    def __init__(
        self,
        setting: str,
        base: type[BackendT],
        *,
        after_build: Callable[[BackendT, str], None] | None = None,
    ) -> None:
        self.setting = setting
        self.base = base
        self.after_build = after_build
        self._instances: dict[str, BackendT] = {}
        # One lock per handler: an alias is built once even when threads ask for it together (a local model
        # must not be loaded twice).
        self._lock = threading.Lock()
        # A weak reference (the default): a handler that is no longer used does not stay connected.
        setting_changed.connect(self._setting_changed)

    def configure(self, value) -> dict:
        """The setting's value as ``{alias: entry}``; a handler of a setting shaped otherwise overrides this."""
        return value

    def describe(self, alias: str) -> str:
        """How error messages name the entry of ``alias``."""
        return f"{self.setting}[{alias!r}]"

    def aliases(self) -> list[str]:
        """The configured aliases, in the order of the setting."""
        return list(self._config())

    def __getitem__(self, alias: str) -> BackendT:
        instance = self._instances.get(alias)
        if instance is not None:
            return instance
        with self._lock:
            instance = self._instances.get(alias)
            if instance is None:
                instance = self._build(alias)
                self._instances[alias] = instance
        return instance

    def _config(self) -> dict:
        return self.configure(getattr(settings, self.setting))

    def _build(self, alias: str) -> BackendT:
        config = self._config()
        if alias not in config:
            raise ImproperlyConfigured(
                f"{self.setting} has no {alias!r} entry (configured: {', '.join(sorted(config)) or 'none'})"
            )
        where = self.describe(alias)
        entry = config[alias]
        backend_path = entry.get("BACKEND") if isinstance(entry, dict) else None
        if not backend_path:
            raise ImproperlyConfigured(f"{where} needs a BACKEND dotted path")
        try:
            backend = import_string(backend_path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"{where}: cannot import {backend_path!r}: {exc}") from exc
        if not (isinstance(backend, type) and issubclass(backend, self.base)):
            name = self.base.__name__
            article = "an" if name[0] in "AEIOU" else "a"
            raise ImproperlyConfigured(f"{where}: {backend_path!r} is not {article} {name} subclass")
        try:
            instance = backend(**entry.get("OPTIONS", {}))
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(f"{where}: {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(f"{where}: invalid OPTIONS: {exc}") from exc
        if self.after_build is not None:
            self.after_build(instance, alias)
        return instance

    def _setting_changed(self, *, setting, **kwargs) -> None:
        if setting == self.setting:
            with self._lock:
                self._instances.clear()
