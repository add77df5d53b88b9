"""The restore drill of docs/operations.md on PostgreSQL, as an operator runs it: `frenchbot` commands in their
own processes, a site on one database and var folder, restored into an empty database and an empty folder."""

import os
import subprocess
import sys
from pathlib import Path

from frenchbot.core.backup import _postgres_connect

from .postgres import postgres_database_or_skip

ROOT = Path(__file__).resolve().parents[3]

CREATE_SITE = """
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from frenchbot.assistant.models import Conversation, Message
from frenchbot.leads.models import Lead
storages["default"].save("blog/covers/2026/couverture.jpg", ContentFile(b"image de couverture"))
storages["private"].save("courses/resources/2026/fiche.pdf", ContentFile(b"%PDF fiche privee"))
Lead.objects.create(email="claire@example.fr", name="Claire Martin", source="contact")
conversation = Conversation.objects.create(session_key="s" * 32, title="Sauvegardes")
Message.objects.create(conversation=conversation, role="user", content="Comment restaurer ?")
"""


def _url(database: dict) -> str:
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def _frenchbot(*arguments: str, database: dict, var: Path) -> subprocess.CompletedProcess:
    environment = {
        **{key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DATABASE_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": _url(database),
        "FRENCHBOT_VAR_DIR": str(var),
        "MEDIA_ROOT": "",
        "PRIVATE_MEDIA_ROOT": "",
    }
    return subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-c", "from frenchbot.core.cli import main; main()", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _rows(database: dict, sql: str) -> list:
    with _postgres_connect(database) as db, db.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_a_postgresql_site_restored_into_an_empty_database_and_folder(tmp_path):
    source = postgres_database_or_skip("fb_ops_source")
    target = postgres_database_or_skip("fb_ops_restore")
    site, restored, archive = tmp_path / "site", tmp_path / "restored", tmp_path / "frenchbot-drill.tar.gz"
    for step in (("migrate", "--noinput", "-v", "0"), ("shell", "-c", CREATE_SITE)):
        result = _frenchbot(*step, database=source, var=site)
        assert result.returncode == 0, result.stderr

    backup = _frenchbot("backup", "--output", str(archive), database=source, var=site)
    restore = _frenchbot("restore", str(archive), database=target, var=restored)
    again = _frenchbot("restore", str(archive), database=target, var=restored)

    assert backup.returncode == 0, backup.stderr
    assert restore.returncode == 0, restore.stderr
    assert "Restauration terminée" in restore.stdout
    assert _rows(target, "SELECT email, name FROM leads_lead") == [("claire@example.fr", "Claire Martin")]
    assert _rows(target, "SELECT content FROM assistant_message") == [("Comment restaurer ?",)]
    assert _rows(target, "SELECT count(*) FROM django_migrations") == _rows(
        source, "SELECT count(*) FROM django_migrations"
    )
    assert (restored / "media/blog/covers/2026/couverture.jpg").read_bytes() == b"image de couverture"
    assert (restored / "private/courses/resources/2026/fiche.pdf").read_bytes() == b"%PDF fiche privee"
    assert (restored / "secret_key").read_text() == (site / "secret_key").read_text()
    # The second restore finds the data of the first and touches nothing.
    assert again.returncode != 0
    assert "Restauration refusée : la base PostgreSQL fb_ops_restore contient des tables" in again.stderr


def test_pg_tools_get_the_password_and_tls_options_from_the_environment(monkeypatch):
    from frenchbot.core.backup import _postgres_env

    monkeypatch.setenv("PGSERVICE", "autre")
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "frenchbot",
        "HOST": "db.internal",
        "PORT": 5432,
        "USER": "frenchbot",
        "PASSWORD": "mot de passe",
        "OPTIONS": {"sslmode": "verify-full", "pool": {"min_size": 2}},
    }

    environment = _postgres_env(database)

    assert environment["PGPASSWORD"] == "mot de passe"
    assert environment["PGSSLMODE"] == "verify-full"
    assert (environment["PGHOST"], environment["PGPORT"], environment["PGDATABASE"]) == (
        "db.internal",
        "5432",
        "frenchbot",
    )
    # The operator's own libpq variables cannot send the dump to another server.
    assert "PGSERVICE" not in environment
