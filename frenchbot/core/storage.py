"""Uploaded files on the local folders or on S3-compatible object storage, and the check made at start.

Two storages, named in settings.STORAGES: "default" for public media (article covers) and "private" for files
only some people may fetch (a training's resources and images). With STORAGE_BACKEND=s3 both live in one
private bucket under two prefixes; nothing in it is readable without the keys:

- public media keep stable addresses (MEDIA_URL, or S3_PUBLIC_MEDIA_URL when a CDN serves the prefix), never
  expiring signed URLs, because the page cache keeps pages that show them;
- private files are streamed by the views that check who asks, so that no address valid without our checks
  ever leaves the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject, empty

try:
    from botocore.exceptions import BotoCoreError, ClientError
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - django-storages is a runtime dependency; kept importable without it
    S3Storage = None


class StorageUnavailable(OSError):
    """The object storage did not answer as it should (down, keys revoked): not the file's fault."""


class StorageCheckFailed(Exception):
    """Said at start in one French line naming the setting to fix (see `storage_check`)."""


if S3Storage is not None:

    class _S3ErrorsMixin:
        """A missing file stays FileNotFoundError; any other failure of the server is StorageUnavailable, which
        the views that read files and StorageUnavailableMiddleware (an upload in the admin) answer with a 503."""

        def _open(self, name, mode="rb"):
            try:
                handle = super()._open(name, mode)
                if "r" in mode:
                    # Download now, while the view can still answer with an error page, rather than half-way
                    # through a response whose headers are already sent.
                    handle.file  # noqa: B018
            except (ClientError, BotoCoreError) as error:
                raise StorageUnavailable(str(error)) from error
            return handle

        def _save(self, name, content):
            try:
                return super()._save(name, content)
            except (ClientError, BotoCoreError) as error:
                raise StorageUnavailable(str(error)) from error

        def exists(self, name):
            try:
                return super().exists(name)
            except (ClientError, BotoCoreError) as error:
                raise StorageUnavailable(str(error)) from error

        def delete(self, name):
            try:
                return super().delete(name)
            except (ClientError, BotoCoreError) as error:
                raise StorageUnavailable(str(error)) from error

    class MediaS3Storage(_S3ErrorsMixin, S3Storage):
        """Public media: addresses that never expire, served by the app at MEDIA_URL or by S3_PUBLIC_MEDIA_URL."""

        def __init__(self, *, public_url: str = "", **options):
            self.public_url = public_url
            super().__init__(**options)

        def url(self, name, parameters=None, expire=None, http_method=None):
            from django.conf import settings

            base = self.public_url or settings.MEDIA_URL
            if self.public_url:
                # The CDN or web server maps the bucket's root, so the prefix is part of the address.
                name = self._normalize_name(name)
            return f"{base.rstrip('/')}/{filepath_to_uri(name).lstrip('/')}"

    class PrivateS3Storage(_S3ErrorsMixin, S3Storage):
        """Private files: read by our views only; a url() (none of ours asks) would be signed and short."""

        querystring_auth = True
        querystring_expire = 60


def s3_storages(
    *,
    endpoint_url: str,
    bucket: str,
    access_key: str,
    secret_key: str,
    region: str = "us-east-1",
    addressing_style: str = "path",
    public_media_url: str = "",
    connect_timeout: int = 5,
    read_timeout: int = 30,
) -> dict[str, dict]:
    """The "default" and "private" entries of STORAGES for one bucket (the settings and the tests use it)."""
    from botocore.config import Config

    options = {
        "endpoint_url": endpoint_url or None,
        "bucket_name": bucket,
        "access_key": access_key,
        "secret_key": secret_key,
        "region_name": region,
        # Never a public ACL: the bucket's policy decides, and it grants nothing to anonymous requests.
        "default_acl": None,
        # As with the local folders, a second "cover.jpg" gets a new name instead of replacing the first,
        # which a cached page or another article may still show.
        "file_overwrite": False,
        # Files above 2 MiB wait on disk, not in memory, while they are streamed to a learner.
        "max_memory_size": 2 * 1024 * 1024,
        "client_config": Config(
            s3={"addressing_style": addressing_style},
            signature_version="s3v4",
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }
    return {
        "default": {
            "BACKEND": "frenchbot.core.storage.MediaS3Storage",
            "OPTIONS": {**options, "location": "media", "public_url": public_media_url},
        },
        "private": {
            "BACKEND": "frenchbot.core.storage.PrivateS3Storage",
            "OPTIONS": {**options, "location": "private"},
        },
    }


class _NamedStorage(LazyObject):
    """storages[alias], looked up again when STORAGES changes (a model field keeps the object it got)."""

    def __init__(self, alias: str):
        super().__init__()
        self.__dict__["_alias"] = alias

    def _setup(self):
        self._wrapped = storages[self._alias]


private_storage: Storage = _NamedStorage("private")


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty


def storage_check() -> None:
    """With STORAGE_BACKEND=s3, ask the bucket once; raise StorageCheckFailed naming the setting to fix.

    Listing one key proves the endpoint answers, the key is known, the secret matches and the bucket
    exists; the storage needs the list right anyway (a missing file is told from a refused one by it).
    """
    from django.conf import settings

    if getattr(settings, "STORAGE_BACKEND", "local") != "s3":
        return
    store = storages["private"]
    bucket = store.bucket_name
    try:
        store.connection.meta.client.list_objects_v2(Bucket=bucket, MaxKeys=1)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        raise StorageCheckFailed(_check_message(code=code, status=status, bucket=bucket)) from None
    except BotoCoreError as error:
        raise StorageCheckFailed(
            "Stockage objet injoignable : vérifiez S3_ENDPOINT_URL (adresse et port du serveur S3) et que le "
            f"serveur tourne. Détail : {error}"
        ) from None


def _check_message(*, code: str, status: int | None, bucket: str) -> str:
    if code in {"InvalidAccessKeyId", "InvalidAccessKeyID"}:
        return "Stockage objet : clé inconnue du serveur, vérifiez S3_ACCESS_KEY_ID."
    if code == "SignatureDoesNotMatch":
        return "Stockage objet : signature refusée, vérifiez S3_SECRET_ACCESS_KEY (le secret de la clé)."
    if code == "NoSuchBucket" or status == 404:
        return f"Stockage objet : le bucket « {bucket} » n'existe pas, vérifiez S3_BUCKET (ou créez-le)."
    if code in {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"}:
        return f"Stockage objet : le bucket « {bucket} » est dans une autre région, vérifiez S3_REGION."
    if code == "AccessDenied" or status == 403:
        return (
            f"Stockage objet : accès refusé au bucket « {bucket} », la clé S3_ACCESS_KEY_ID doit pouvoir y "
            "lister, lire, écrire et effacer (vérifiez aussi S3_BUCKET)."
        )
    return f"Stockage objet : réponse inattendue ({code or status}), vérifiez S3_ENDPOINT_URL et S3_BUCKET."


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


def storage_copy_folder(*, source: Path, storage: Storage, dry_run: bool = False) -> CopyReport:
    """Copy every file under `source` into `storage` under the same name (the names the database keeps).

    A name already in the storage is left as it is, so a second run after an interruption copies only what
    is missing. Nothing is deleted from `source`.
    """
    report = CopyReport()
    if not source.is_dir():
        return report
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        name = path.relative_to(source).as_posix()
        if storage.exists(name):
            report.present.append(name)
            continue
        if not dry_run:
            with path.open("rb") as handle:
                saved = storage.save(name, File(handle, name=path.name))
            if saved != name:
                # Another process wrote the same name meanwhile: keep both, but say it (the database
                # points at `name`, which is the other process's file).
                raise StorageUnavailable(f"{name} copied as {saved}")
        report.copied.append(name)
    return report
