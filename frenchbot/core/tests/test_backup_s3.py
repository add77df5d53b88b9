"""Backups of a site whose files are on object storage: read from a real S3-compatible server (SeaweedFS)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db import connection

from frenchbot.core.backup import Target, backup_restore
from frenchbot.core.storage import s3_storages
from frenchbot.core.testing.seaweedfs import MISSING, seaweedfs_server, weed_binary
from frenchbot.leads.tests.factories import LeadFactory

from .postgres import postgres_database_or_skip

pytestmark = pytest.mark.django_db(transaction=True)

COVER = b"\xff\xd8\xff\xe0 couverture dans le bucket"
HANDOUT = b"%PDF-1.4 fiche privee dans le bucket"


@pytest.fixture(scope="module")
def s3_server():
    if weed_binary() is None:
        pytest.skip(MISSING)
    # Ports 18300-18309: this brief's range, apart from the other S3 tests'.
    with seaweedfs_server(base_port=18300) as server:
        yield server


def _bucket_storages(server, bucket: str) -> dict[str, dict]:
    return s3_storages(
        endpoint_url=server.endpoint,
        bucket=bucket,
        access_key=server.access_key,
        secret_key=server.secret_key,
    )


def test_files_in_the_bucket_are_backed_up_and_restored_into_another_bucket(s3_server, settings, tmp_path):
    import boto3
    from botocore.config import Config
    from django.core.files.storage import storages as handler

    settings.VAR_DIR = tmp_path / "var"
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGES = {**settings.STORAGES, **_bucket_storages(s3_server, s3_server.bucket)}
    storages["default"].save("blog/covers/2026/couverture.jpg", ContentFile(COVER))
    storages["private"].save("courses/resources/2026/fiche.pdf", ContentFile(HANDOUT))
    LeadFactory(email="claire@example.fr")
    archive = tmp_path / "frenchbot-s3.tar.gz"
    out = io.StringIO()

    call_command("backup", output=archive, stdout=out)

    # Restored into a second, empty bucket: the storages are written through their API as they were read.
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name=s3_server.region,
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket="frenchbot-restauration")
    restored = _bucket_storages(s3_server, "frenchbot-restauration")
    target_storages = {alias: handler.create_storage({**restored[alias]}) for alias in ("default", "private")}
    if connection.vendor == "postgresql":
        database = postgres_database_or_skip("fb_ops_restore")
    else:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
    backup_restore(
        archive=archive,
        target=Target(database=database, storages=target_storages, secret_key_path=tmp_path / "secret_key"),
    )

    assert "Sauvegarde écrite" in out.getvalue()
    assert target_storages["default"].open("blog/covers/2026/couverture.jpg").read() == COVER
    assert target_storages["private"].open("courses/resources/2026/fiche.pdf").read() == HANDOUT
    # The source bucket is untouched, and a local folder can take the same archive (leaving object storage).
    local = {
        alias: FileSystemStorage(location=tmp_path / "local" / alias) for alias in ("default", "private")
    }
    database_again = (
        postgres_database_or_skip("fb_ops_restore")
        if connection.vendor == "postgresql"
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "local.sqlite3")}
    )
    backup_restore(
        archive=archive, target=Target(database=database_again, storages=local, secret_key_path=None)
    )
    assert local["private"].open("courses/resources/2026/fiche.pdf").read() == HANDOUT
    assert storages["default"].open("blog/covers/2026/couverture.jpg").read() == COVER
