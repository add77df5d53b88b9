"""Django's SQLite backend, with each process keeping its closed connections for the next request.

Under ASGI Django runs each request in a thread of its own, and a connection belongs to a thread: with
CONN_MAX_AGE it would be left behind with the thread, so the default closes it at the end of every request and
the next one opens another. For SQLite, opening costs the file's opening, the registration of Django's thirty
SQL functions and our five PRAGMAs: about a fifth of the CPU of a signed-in learner's page (four small
queries). PostgreSQL has psycopg's pool for this (settings); SQLite has none, hence this one.

A connection goes back to the pool only when clean: no transaction open, no error seen, not inside an atomic
block; the pool holds at most SQLITE_POOL_SIZE per database and process, the rest are closed. Django already
opens SQLite connections with check_same_thread=False and lets one thread use a connection at a time, which is
all a pooled connection needs. A database file replaced on disk (a restore, a test database created again) is
never reached through a connection to the old one: the pool is keyed on the file's identity.
"""

import os
import queue
import threading

from django.conf import settings
from django.db.backends.sqlite3 import base

_pools: dict[tuple, queue.SimpleQueue] = {}
_lock = threading.Lock()


def _file_identity(name) -> tuple | None:
    try:
        status = os.stat(name)
    except (OSError, TypeError, ValueError):
        return None
    return (str(name), status.st_dev, status.st_ino)


def _drain(pool: queue.SimpleQueue) -> None:
    while True:
        try:
            pool.get_nowait().close()
        except queue.Empty:
            return


class DatabaseWrapper(base.DatabaseWrapper):
    def _pool(self) -> queue.SimpleQueue | None:
        if getattr(settings, "SQLITE_POOL_SIZE", 0) <= 0 or self.is_in_memory_db():
            return None
        identity = _file_identity(self.settings_dict["NAME"])
        if identity is None:
            return None
        with _lock:
            pool = _pools.get(identity)
            if pool is None:
                # The file was replaced (or is new): connections kept to an earlier file of that name are closed.
                for stale in [key for key in _pools if key[0] == identity[0]]:
                    _drain(_pools.pop(stale))
                pool = _pools[identity] = queue.SimpleQueue()
            return pool

    def get_new_connection(self, conn_params):
        pool = self._pool()
        self._pooled_in = pool
        if pool is not None:
            try:
                return pool.get_nowait()
            except queue.Empty:
                pass
        return super().get_new_connection(conn_params)

    def _close(self):
        pool = getattr(self, "_pooled_in", None)
        connection = self.connection
        if (
            pool is not None
            and connection is not None
            and not self.errors_occurred
            and not self.in_atomic_block
            and not connection.in_transaction
            and pool.qsize() < settings.SQLITE_POOL_SIZE
        ):
            pool.put(connection)
            return None
        return super()._close()
