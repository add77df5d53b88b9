"""The cache backends: the file cache of one machine, and the Redis cache of several nodes.

The file cache is Django's, but it makes its folder once per process: Django makes one backend object per
thread or async context — per request in the web process — and Django's file cache checks and makes its
folder each time one is made (system calls on every request; its writes still make the folder again if it
went away).

The kept-fragments cache is Django's in-memory cache, but it hands back the same string object it was given
instead of a pickled copy: the parts of public pages it holds are read on every page Django renders.

The Redis cache of several nodes is made to fail soft: a node that loses Redis keeps serving pages.

Django's RedisCache raises on every call when the server is gone, so each page would answer 500. Here a
failure turns reads into misses and writes into no-ops, counters raise ``CacheUnavailable`` (the rate limits
then count in the database), and the server is left alone for ``CACHE_RETRY_SECONDS`` so that requests do
not each wait for a connection that will fail. The failure is logged once per ``CACHE_ERROR_LOG_SECONDS``
per process, not once per request.
"""

import datetime
import logging
import os
import pickle
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from .cache import CacheUnavailable

logger = logging.getLogger(__name__)

# Per process (Django makes one backend object per thread or async context): when the server may be tried
# again, and when the failure was last logged, per LOCATION.
_down_until: dict[str, float] = {}
_logged_at: dict[str, float] = {}
_state_lock = threading.Lock()

# Creates the counter with its expiry when absent, then increments it, in one step (a script runs atomically),
# so that no counter is ever left without an expiry, which Django's exists()-then-INCR could do.
_COUNT_SCRIPT = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[2], 'NX')
return redis.call('INCRBY', KEYS[1], ARGV[1])
"""


# Folders this process has made (or found) for its file caches.
_folders_made: set[str] = set()


class FileCache(FileBasedCache):
    """Django's FileBasedCache, its folder made once per process instead of once per backend object."""

    def __init__(self, dir, params):
        self._folder_made = os.path.abspath(dir) in _folders_made
        super().__init__(dir, params)
        self._folder_made = False  # writes make it again if it went away, as Django's do
        _folders_made.add(self._dir)

    def _createdir(self):
        if not self._folder_made:
            super()._createdir()


class KeptAsIs:
    """A value its caller promises nobody changes after reading it (public rows only displayed): the
    kept-fragments cache hands out this very object instead of a copy (`core.pagecache.public_kept_many`,
    shared=True). Another cache backend pickles it like anything else."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __getstate__(self):
        return (self.value,)  # never empty: pickle skips __setstate__ for a false state

    def __setstate__(self, state):
        (self.value,) = state


# Values nobody can change in place: kept as they are and shared by the request threads.
_UNCHANGEABLE = (str, bytes, int, float, bool, type(None), datetime.date, datetime.datetime, KeptAsIs)


def _unchangeable(value) -> bool:
    if isinstance(value, tuple | frozenset):
        return all(_unchangeable(item) for item in value)
    return isinstance(value, _UNCHANGEABLE)


class _Shared:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class KeptFragmentsCache(LocMemCache):
    """Django's LocMemCache for the kept parts of public pages (``CACHES["template_fragments"]``).

    Django's pickles every value on the way in and unpickles it on the way out, so that a caller changing what
    it read cannot change what the next caller reads. A string, a number, a date or a tuple of them cannot be
    changed in place: those are kept as they are and the same object is handed out, which spares the
    unpickling of every fragment on every page (the rendered header, footer and outlines are read on each page
    Django renders); so is a value its caller wrapped in `KeptAsIs`. Anything else (model instances, lists) is
    still pickled. Keys are made by our own code
    and never sent to memcached: Django's check of each key's characters is left out.
    """

    def make_and_validate_key(self, key, version=None):
        return self.make_key(key, version=version)

    def _encode(self, value):
        return _Shared(value) if _unchangeable(value) else pickle.dumps(value, self.pickle_protocol)

    @staticmethod
    def _decode(stored):
        return stored.value if isinstance(stored, _Shared) else pickle.loads(stored)  # noqa: S301 - our own

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        stored = self._encode(value)
        with self._lock:
            if self._has_expired(key):
                self._set(key, stored, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            stored = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return self._decode(stored)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        stored = self._encode(value)
        with self._lock:
            self._set(key, stored, timeout)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key '{key}' not found")
            value = self._decode(self._cache[key]) + delta
            self._cache[key] = self._encode(value)
            self._cache.move_to_end(key, last=False)
        return value


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose failures become misses (reads), no-ops (writes) and CacheUnavailable
    (counters), with a short pause before trying the server again. Selected by CACHE_URL=redis://..."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = ",".join(self._servers)

    # --- failure bookkeeping -----------------------------------------------------------------------------
    def _available(self) -> bool:
        return time.monotonic() >= _down_until.get(self._location, 0.0)

    def _failed(self, error: Exception) -> None:
        now = time.monotonic()
        with _state_lock:
            _down_until[self._location] = now + settings.CACHE_RETRY_SECONDS
            last = _logged_at.get(self._location)
            log = last is None or now - last >= settings.CACHE_ERROR_LOG_SECONDS
            if log:
                _logged_at[self._location] = now
        if log:
            # The type only: a Redis error can carry the URL with its password.
            logger.warning(
                "Cache Redis injoignable (%s) : pages servies sans cache, limites comptées en base ; "
                "nouvel essai dans %s s.",
                type(error).__name__,
                settings.CACHE_RETRY_SECONDS,
            )

    def _call(self, default, method, *args, **kwargs):
        if not self._available():
            return default
        try:
            return method(*args, **kwargs)
        except RedisError as error:
            self._failed(error)
            return default

    # --- Django's cache API, failing soft ------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(None, super().delete_many, keys, version)

    def clear(self):
        return self._call(False, super().clear)

    def incr(self, key, delta=1, version=None):
        if not self._available():
            raise CacheUnavailable(self._location)
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._failed(error)
            raise CacheUnavailable(type(error).__name__) from None

    # --- what core.cache uses when present -----------------------------------------------------------------
    def count(self, key: str, *, amount: int = 1, timeout: int) -> int:
        """Atomic add-to-counter with its expiry set on creation (see core.cache.cache_count)."""
        if not self._available():
            raise CacheUnavailable(self._location)
        full_key = self.make_and_validate_key(key)
        try:
            client = self._cache.get_client(full_key, write=True)
            return int(client.eval(_COUNT_SCRIPT, 1, full_key, int(amount), max(1, int(timeout))))
        except RedisError as error:
            self._failed(error)
            raise CacheUnavailable(type(error).__name__) from None

    def ping(self) -> bool:
        """True when Redis answers now (tried even during the pause, so /healthz sees a recovery)."""
        try:
            answered = bool(self._cache.get_client(write=True).ping())
        except RedisError as error:
            self._failed(error)
            return False
        _down_until.pop(self._location, None)  # back: the other calls need not wait out the pause
        return answered
