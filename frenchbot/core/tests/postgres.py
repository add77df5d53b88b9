"""An empty PostgreSQL database of the local server for a test, or a skip that says what to install."""

import shutil

import pytest
from django.db import connection

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"


def postgres_server() -> dict:
    """The server's connection settings: the suite's own when it runs on PostgreSQL, else the local one."""
    if connection.vendor == "postgresql":
        current = connection.settings_dict
        return {key: current.get(key) for key in ("HOST", "PORT", "USER", "PASSWORD")}
    return {"HOST": HOST, "PORT": PORT, "USER": USER, "PASSWORD": ""}


def postgres_database_or_skip(name: str) -> dict:
    """Drop and create the database `name`, empty; Django's settings dict of it."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed: apt-get install postgresql-client")
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed: pip install 'psycopg[binary]'")
    server = postgres_server()
    try:
        admin = psycopg.connect(
            host=server["HOST"],
            port=server["PORT"],
            user=server["USER"],
            password=server["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=3,
        )
    except psycopg.OperationalError as error:
        pytest.skip(
            f"PostgreSQL is not reachable on {server['HOST']}:{server['PORT']} ({error}): apt-get install postgresql"
        )
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return {"ENGINE": "django.db.backends.postgresql", "NAME": name, **server}
