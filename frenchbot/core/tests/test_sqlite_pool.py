"""SQLite connections kept per process (`core.sqlite_pool`): reused when clean, never across a replaced file."""

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture
def pooled(settings, tmp_path, django_db_blocker):
    settings.SQLITE_POOL_SIZE = 2
    # These connections are to a database of the test's own, not the suite's.
    with django_db_blocker.unblock():
        yield from _pooled(tmp_path)


def _pooled(tmp_path):
    path = tmp_path / "site.sqlite3"

    def connection():
        handler = ConnectionHandler(
            {
                "default": {
                    "ENGINE": "frenchbot.core.sqlite_pool",
                    "NAME": str(path),
                    "OPTIONS": {"timeout": 5},
                }
            }
        )
        return handler["default"]

    first = connection()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE note (text TEXT)")
    first.close()
    yield connection, path


def _raw(wrapper):
    wrapper.ensure_connection()
    return wrapper.connection


def test_a_closed_connection_serves_the_next_request_with_its_settings(pooled):
    connection, _path = pooled
    a = connection()
    raw = _raw(a)
    a.close()
    b = connection()
    assert _raw(b) is raw  # not opened again
    with b.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1  # what Django sets on a new connection still holds
        cursor.execute("INSERT INTO note VALUES ('gardée')")
        cursor.execute("SELECT text FROM note")
        assert cursor.fetchall() == [("gardée",)]
    b.close()


def test_a_connection_in_a_transaction_or_after_an_error_is_not_kept(pooled):
    connection, _path = pooled
    a = connection()
    raw = _raw(a)
    a.connection.execute("BEGIN")
    a.connection.execute("INSERT INTO note VALUES ('non validée')")
    a.close()
    b = connection()
    assert _raw(b) is not raw
    with b.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
        assert cursor.fetchone()[0] == 0  # nothing of the unfinished transaction
    b.errors_occurred = True
    raw = b.connection
    b.close()
    assert _raw(connection()) is not raw


def test_no_more_connections_are_kept_than_the_setting_allows(pooled):
    connection, _path = pooled
    wrappers = [connection() for _ in range(3)]
    opened = [_raw(wrapper) for wrapper in wrappers]
    for wrapper in wrappers:
        wrapper.close()
    again = [_raw(connection()) for _ in range(3)]
    assert sum(1 for raw in again if any(raw is old for old in opened)) == 2


def test_a_replaced_database_file_is_never_reached_through_an_old_connection(pooled):
    connection, path = pooled
    a = connection()
    with a.cursor() as cursor:
        cursor.execute("INSERT INTO note VALUES ('ancienne base')")
    a.close()
    # A restore puts another file in its place.
    fresh = path.with_name("restored.sqlite3")
    import sqlite3

    with sqlite3.connect(fresh) as restored:
        restored.execute("CREATE TABLE note (text TEXT)")
        restored.execute("INSERT INTO note VALUES ('base restaurée')")
    restored.close()
    fresh.replace(path)
    b = connection()
    with b.cursor() as cursor:
        cursor.execute("SELECT text FROM note")
        assert cursor.fetchall() == [("base restaurée",)]
    b.close()


def test_turned_off_every_connection_is_new(pooled, settings):
    settings.SQLITE_POOL_SIZE = 0
    connection, _path = pooled
    a = connection()
    raw = _raw(a)
    a.close()
    assert _raw(connection()) is not raw
