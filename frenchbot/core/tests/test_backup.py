"""`frenchbot backup` and `frenchbot restore`: a real database file, real folders, a real archive on disk."""

import gzip
import io
import json
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from frenchbot.assistant.models import Conversation, Message
from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.core.backup import BackupError, Target, backup_restore, sqlite_row_counts
from frenchbot.courses.models import Resource
from frenchbot.courses.tests.factories import LessonFactory
from frenchbot.leads.tests.factories import LeadFactory
from frenchbot.media.models import Image

from .postgres import postgres_database_or_skip

# Rows and files must be committed for the backup to read them from another connection.
pytestmark = pytest.mark.django_db(transaction=True)

COVER = b"\xff\xd8\xff\xe0 une image de couverture"
HANDOUT = b"%PDF-1.4 fiche de prompts, pour les inscrits seulement"
KEY = "cle-secrete-de-test-" + "x" * 40


@pytest.fixture
def site(tmp_path, settings, monkeypatch):
    """The site as `frenchbot backup` sees it: rows in several apps, a file in each storage, a key file."""
    var = tmp_path / "var"
    settings.VAR_DIR = var
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": var / "media"},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": var / "private"},
        },
    }
    monkeypatch.delenv("SECRET_KEY", raising=False)
    var.mkdir()
    (var / "secret_key").write_text(KEY)
    storages["default"].save("blog/covers/2026/couverture.jpg", ContentFile(COVER))
    storages["private"].save("courses/resources/2026/fiche.pdf", ContentFile(HANDOUT))
    # A library image row pointing at the stored file (its dimensions given: the bytes are not a real picture).
    cover = Image.objects.create(file="blog/covers/2026/couverture.jpg", alt="Une valise", width=4, height=3)
    article = ArticleFactory(title="Sauvegarder avant de partir en vacances", cover=cover)
    lesson = LessonFactory()
    Resource.objects.create(lesson=lesson, title="Fiche de prompts", file="courses/resources/2026/fiche.pdf")
    LeadFactory(email="claire@example.fr")
    conversation = Conversation.objects.create(session_key="s" * 32, title="Sauvegardes")
    Message.objects.create(conversation=conversation, role=Message.Role.USER, content="Comment restaurer ?")
    return {"var": var, "article": article}


def _empty_target(tmp_path) -> Target:
    """An empty folder (and, on PostgreSQL, an empty database) to restore into."""
    folder = tmp_path / "restored"
    if connection.vendor == "postgresql":
        database = postgres_database_or_skip("fb_ops_restore")
    else:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "frenchbot.sqlite3")}
    return Target(
        database=database,
        storages={
            "default": FileSystemStorage(location=folder / "media"),
            "private": FileSystemStorage(location=folder / "private"),
        },
        secret_key_path=folder / "secret_key",
    )


def _row_counts(database: dict) -> dict[str, int]:
    if "postgresql" not in database["ENGINE"]:  # Django's SQLite or our pooled one
        return sqlite_row_counts(Path(database["NAME"]))
    from frenchbot.core.backup import _postgres_connect, postgres_row_counts

    with _postgres_connect(database) as db, db.cursor() as cursor:
        return postgres_row_counts(cursor)


def _fetch(database: dict, sql: str) -> list:
    if "postgresql" not in database["ENGINE"]:  # Django's SQLite or our pooled one
        with sqlite3.connect(database["NAME"]) as db:
            return db.execute(sql).fetchall()
    from frenchbot.core.backup import _postgres_connect

    with _postgres_connect(database) as db, db.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_a_backup_restored_into_an_empty_folder_has_every_row_file_and_the_key(site, tmp_path):
    archive = tmp_path / "sauvegardes" / "frenchbot-test.tar.gz"
    source_counts = _row_counts(connection.settings_dict)

    call_command("backup", output=archive, stdout=io.StringIO())
    target = _empty_target(tmp_path)
    manifest = backup_restore(archive=archive, target=target)

    # Only its owner may read the archive: it holds the key and every personal datum.
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert manifest["database"]["tables"] == source_counts
    assert _row_counts(target.database) == source_counts
    assert _fetch(
        target.database,
        "SELECT a.title, i.file FROM blog_article a JOIN media_image i ON i.id = a.cover_id",
    ) == [("Sauvegarder avant de partir en vacances", "blog/covers/2026/couverture.jpg")]
    assert _fetch(target.database, "SELECT email FROM leads_lead") == [("claire@example.fr",)]
    assert _fetch(target.database, "SELECT content FROM assistant_message") == [("Comment restaurer ?",)]
    assert _fetch(target.database, "SELECT file FROM courses_resource") == [
        ("courses/resources/2026/fiche.pdf",)
    ]
    assert target.storages["default"].open("blog/covers/2026/couverture.jpg").read() == COVER
    assert target.storages["private"].open("courses/resources/2026/fiche.pdf").read() == HANDOUT
    assert target.secret_key_path.read_text() == KEY
    assert {entry["size"] for entry in manifest["files"].values()} >= {len(COVER), len(HANDOUT), len(KEY)}


def test_the_key_from_the_environment_is_left_out_and_said_so(site, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", KEY)
    archive = tmp_path / "frenchbot-env.tar.gz"
    out = io.StringIO()

    call_command("backup", output=archive, stdout=out)

    with tarfile.open(archive) as tar:
        assert "secret_key" not in tar.getnames()
    assert "Non inclus : SECRET_KEY, lue dans l'environnement" in out.getvalue()


def _damaged_by_truncation(archive: Path) -> None:
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])


def _damaged_by_a_flipped_byte(archive: Path) -> None:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))


def _damaged_by_an_altered_file(archive: Path) -> None:
    # A well-formed archive whose private file differs from what the manifest says: only the sha256 tells.
    with tarfile.open(archive) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            if info.name == "private/courses/resources/2026/fiche.pdf":
                data = data.replace(b"inscrits", b"INSCRITS")
            tar.addfile(info, io.BytesIO(data))
    archive.write_bytes(buffer.getvalue())


@pytest.mark.parametrize(
    "damage", [_damaged_by_truncation, _damaged_by_a_flipped_byte, _damaged_by_an_altered_file]
)
def test_a_damaged_archive_is_refused_in_french_and_nothing_is_restored(site, tmp_path, damage):
    archive = tmp_path / "frenchbot-abime.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    damage(archive)
    target = _empty_target(tmp_path)

    with pytest.raises(BackupError, match="Archive endommagée"):
        backup_restore(archive=archive, target=target)

    assert not target.storages["private"].exists("courses/resources/2026/fiche.pdf")
    assert not target.secret_key_path.exists()
    if "postgresql" not in target.database["ENGINE"]:
        assert not Path(target.database["NAME"]).exists()
    else:
        assert _row_counts(target.database) == {}


def test_the_restore_command_says_what_is_wrong_with_a_damaged_archive(site, tmp_path):
    archive = tmp_path / "frenchbot-abime.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    _damaged_by_truncation(archive)

    with pytest.raises(CommandError, match="Archive endommagée ou illisible : frenchbot-abime.tar.gz"):
        call_command("restore", archive)


def test_an_archive_without_manifest_is_refused(tmp_path):
    archive = tmp_path / "frenchbot-vide.tar.gz"
    with gzip.open(archive, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("database/frenchbot.sqlite3")
        tar.addfile(info, io.BytesIO(b""))

    with pytest.raises(BackupError, match="pas de manifeste"):
        backup_restore(archive=archive, target=_empty_target(tmp_path))


def test_restore_refuses_a_target_that_holds_data_unless_forced(site, tmp_path):
    archive = tmp_path / "frenchbot-deux-fois.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    target = _empty_target(tmp_path)
    backup_restore(archive=archive, target=target)
    target.storages["private"].delete("courses/resources/2026/fiche.pdf")
    target.storages["private"].save("courses/resources/2026/fiche.pdf", ContentFile(b"modifiee depuis"))

    with pytest.raises(BackupError, match="Restauration refusée : la base .* contient"):
        backup_restore(archive=archive, target=target)
    assert target.storages["private"].open("courses/resources/2026/fiche.pdf").read() == b"modifiee depuis"

    backup_restore(archive=archive, target=target, force=True)
    assert target.storages["private"].open("courses/resources/2026/fiche.pdf").read() == HANDOUT


def test_a_backup_never_overwrites_an_archive_and_keep_prunes_the_oldest(site, tmp_path):
    folder = tmp_path / "sauvegardes"
    for day in (1, 2, 3):
        call_command(
            "backup", output=folder / f"frenchbot-2026120{day}-000000.tar.gz", keep=2, stdout=io.StringIO()
        )

    assert sorted(path.name for path in folder.iterdir()) == [
        "frenchbot-20261202-000000.tar.gz",
        "frenchbot-20261203-000000.tar.gz",
    ]
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("backup", output=folder / "frenchbot-20261203-000000.tar.gz", stdout=io.StringIO())


def test_the_manifest_lists_every_file_with_its_sha256(site, tmp_path):
    archive = tmp_path / "frenchbot-manifeste.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames()) - {"manifest.json"}

    assert set(manifest["files"]) == names
    assert {
        "media/blog/covers/2026/couverture.jpg",
        "private/courses/resources/2026/fiche.pdf",
        "secret_key",
    } <= names
    assert manifest["version"] and manifest["created_at"]


def test_a_backup_taken_while_the_site_writes_is_consistent(site, tmp_path):
    import threading
    from datetime import timedelta

    from django.db import connection as thread_connection
    from django.utils import timezone

    from frenchbot.core.models import RateCounter

    archive = tmp_path / "frenchbot-en-marche.tar.gz"
    stop = threading.Event()
    written = []

    def visitors():
        # Rows keep arriving during the whole backup, as on a live site.
        try:
            while not stop.is_set():
                RateCounter.objects.create(
                    key=f"rl:essai:{len(written)}", expires_at=timezone.now() + timedelta(hours=1)
                )
                written.append(1)
        finally:
            thread_connection.close()

    writer = threading.Thread(target=visitors)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        call_command("backup", output=archive, stdout=io.StringIO())
    finally:
        stop.set()
        writer.join()
    target = _empty_target(tmp_path)

    # The restore checks every table against the manifest: the counts are those of the dumped snapshot.
    manifest = backup_restore(archive=archive, target=target)

    restored = _fetch(target.database, "SELECT count(*) FROM core_ratecounter")[0][0]
    assert restored == manifest["database"]["tables"]["core_ratecounter"] >= 20
