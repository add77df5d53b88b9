"""Backends chosen the Django way: a settings dict of ``{alias: {"BACKEND": "dotted.path", "OPTIONS": {...}}}``."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


def backend_build(*, setting: str, config: dict, alias: str, base: type):
    """An instance of the backend configured under ``alias`` in ``config`` (the value of ``setting``).

    Raises ``ImproperlyConfigured``, naming the setting and the alias, for an unknown alias, a missing or
    unimportable ``BACKEND``, a class that is not a subclass of ``base``, or ``OPTIONS`` it refuses.
    """
    if alias not in config:
        raise ImproperlyConfigured(
            f"{setting} has no {alias!r} entry (configured: {', '.join(sorted(config)) or 'none'})"
        )
    entry = config[alias]
    backend_path = entry.get("BACKEND") if isinstance(entry, dict) else None
    if not backend_path:
        raise ImproperlyConfigured(f"{setting}[{alias!r}] needs a BACKEND dotted path")
    try:
        backend = import_string(backend_path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{setting}[{alias!r}]: cannot import {backend_path!r}: {exc}") from exc
    if not (isinstance(backend, type) and issubclass(backend, base)):
        article = "an" if base.__name__[0] in "AEIOU" else "a"
        raise ImproperlyConfigured(
            f"{setting}[{alias!r}]: {backend_path!r} is not {article} {base.__name__} subclass"
        )
    try:
        return backend(**entry.get("OPTIONS", {}))
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{setting}[{alias!r}]: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{setting}[{alias!r}]: invalid OPTIONS: {exc}") from exc
