"""Backups: one private archive with the database, the media of both storages, the secret key and a manifest.

    manifest.json                the date, the version, rows per table, every file with its size and sha256
    database/frenchbot.sqlite3   SQLite, copied with sqlite3's online backup API (the site may keep running)
    database/frenchbot.dump      PostgreSQL, `pg_dump --format=custom` inside the snapshot the rows were counted in
    media/<name>, private/<name> the files of the "default" and "private" storages, read through the storages
    secret_key                   the key file under var/, when the key does not come from the environment

Restoring checks every file against the manifest before writing anything, refuses a target that already holds
data unless forced, then checks the restored rows against the manifest's counts.
"""

import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/frenchbot.sqlite3"
POSTGRES_MEMBER = "database/frenchbot.dump"
SECRET_MEMBER = "secret_key"  # noqa: S105 - the name of a file in the archive
STORAGE_PREFIXES = {"default": "media", "private": "private"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on; its message is for the operator, in French."""


@dataclass
class Target:
    """Where a backup is read from, or restored to: a database (Django's settings dict of one connection),
    the storages by alias, and the secret key file (None when the key comes from the environment)."""

    database: dict[str, Any]
    storages: dict[str, Storage]
    secret_key_path: Path | None
    # Said in the manifest: what the operator must save by other means.
    not_included: list[str] = field(default_factory=list)


# --- Backup -----------------------------------------------------------------------------------------------


def backup_create(*, source: Target, output: Path) -> dict[str, Any]:
    """Write the archive `output` of `source` and return its manifest.

    The archive is private (0600) from its first byte and appears under its name only once complete: it is
    written to a temporary name in the same folder, then renamed. The database's copy is staged in that folder
    too (not in /tmp, often a small memory file system).
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.exists():
        raise BackupError(f"{output} existe déjà : choisissez un autre nom.")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "version": _version(),
        "host": socket.gethostname(),
        "database": {"engine": _engine(source.database)},
        "files": {},
        "not_included": list(source.not_included),
    }
    temporary = output.with_name(f".{output.name}.{os.getpid()}.partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            with tempfile.TemporaryDirectory(prefix=".frenchbot-backup-", dir=output.parent) as work:
                dump, member, manifest["database"]["tables"] = _database_dump(source.database, Path(work))
                with dump.open("rb") as handle:
                    _add(archive, manifest, member, handle, dump.stat().st_size)
            for alias, storage in source.storages.items():
                prefix = STORAGE_PREFIXES[alias]
                for name in _storage_walk(storage):
                    with storage.open(name, "rb") as handle:
                        _add(archive, manifest, f"{prefix}/{name}", handle, storage.size(name))
            if source.secret_key_path is not None and source.secret_key_path.exists():
                data = source.secret_key_path.read_bytes()
                _add(archive, manifest, SECRET_MEMBER, io.BytesIO(data), len(data))
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(body))
            raw.flush()
            os.fsync(raw.fileno())
        os.rename(temporary, output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return manifest


def backup_prune(*, folder: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest archives `frenchbot-*.tar.gz` of `folder`; returns those removed.

    Newest by name: the default names carry the date and time, and sort as they were made."""
    archives = sorted(folder.glob("frenchbot-*.tar.gz"), reverse=True)
    removed = archives[keep:]
    for path in removed:
        path.unlink()
    return removed


def _add(archive: tarfile.TarFile, manifest: dict, member: str, handle, size: int) -> None:
    digest = hashlib.sha256()

    class _Hashing(io.RawIOBase):
        def read(self, n=-1):
            data = handle.read(n)
            digest.update(data)
            return data

    info = tarfile.TarInfo(member)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
    try:
        archive.addfile(info, _Hashing())
    except OSError as error:
        # tarfile says "unexpected end of data" when a file shrank while it was read.
        raise BackupError(f"{member} a changé pendant la sauvegarde ({error}) : relancez-la.") from None
    manifest["files"][member] = {"size": size, "sha256": digest.hexdigest()}


def _storage_walk(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from _storage_walk(storage, f"{folder}/{name}" if folder else name)


def _engine(database: dict) -> str:
    return "postgresql" if "postgresql" in database["ENGINE"] else "sqlite"


def _version() -> str:
    try:
        return metadata.version("frenchbot")
    except metadata.PackageNotFoundError:
        return "inconnue"


def _database_dump(database: dict, work: Path) -> tuple[Path, str, dict[str, int]]:
    if _engine(database) == "sqlite":
        copy = work / "frenchbot.sqlite3"
        _sqlite_backup(Path(database["NAME"]), copy)
        return copy, SQLITE_MEMBER, sqlite_row_counts(copy)
    dump = work / "frenchbot.dump"
    return dump, POSTGRES_MEMBER, _postgres_dump(database, dump)


def _sqlite_backup(source: Path, copy: Path) -> None:
    if not source.exists():
        raise BackupError(f"La base SQLite {source} n'existe pas : rien à sauvegarder.")
    # The online backup API copies a consistent state while the site keeps reading and writing.
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as live,
        sqlite3.connect(copy) as out,
    ):
        live.backup(out)
    # A single file: the copy's WAL is folded in so that the archive holds everything.
    with sqlite3.connect(copy) as out:
        out.execute("PRAGMA journal_mode=DELETE")


def sqlite_row_counts(path: Path) -> dict[str, int]:
    """Rows per table of the SQLite database at `path` (internal tables left out)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables}  # noqa: S608


# libpq's connection keywords and the environment variables pg_dump and pg_restore read them from.
_LIBPQ_VARIABLES = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _postgres_params(database: dict) -> dict[str, str]:
    """libpq's keywords for Django's settings of `database`, TLS options of DATABASE_URL included."""
    params = {
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "dbname": database.get("NAME"),
    }
    options = database.get("OPTIONS") or {}
    params.update({key: options[key] for key in _LIBPQ_VARIABLES if key in options})
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def _postgres_env(database: dict) -> dict[str, str]:
    """The environment of pg_dump/pg_restore: the password goes there, never on a command line (ps shows it)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    environment.update({_LIBPQ_VARIABLES[key]: value for key, value in _postgres_params(database).items()})
    return environment


def _postgres_connect(database: dict):
    import psycopg

    return psycopg.connect(**_postgres_params(database))


def postgres_row_counts(cursor) -> dict[str, int]:
    """Rows per table of the `public` schema, through `cursor`."""
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for name in tables:
        cursor.execute(f'SELECT COUNT(*) FROM public."{name}"')  # noqa: S608 - names from the catalogue
        counts[name] = cursor.fetchone()[0]
    return counts


def _run(command: list[str], database: dict, what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} est introuvable : installez le client PostgreSQL (apt-get install postgresql-client)."
        )
    result = subprocess.run(command, env=_postgres_env(database), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["?"])[-1]
        raise BackupError(f"{what} a échoué : {detail}")


def _postgres_dump(database: dict, dump: Path) -> dict[str, int]:
    # The rows are counted in the very snapshot pg_dump copies: the manifest matches the dump exactly even
    # while the site writes.
    with _postgres_connect(database) as db, db.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = postgres_row_counts(cursor)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(dump),
            ],
            database,
            "pg_dump",
        )
        db.rollback()
    return counts


# --- Restore ----------------------------------------------------------------------------------------------


def backup_restore(*, archive: Path, target: Target, force: bool = False) -> dict[str, Any]:
    """Restore `archive` into `target` and return its manifest.

    Raises BackupError, with nothing written, when the archive is damaged (unreadable, a file missing or
    altered, a file the manifest does not list), when it holds another engine's database, or when the target
    already holds rows or files and `force` is False. After the restore, every table must hold the row count
    of the manifest.
    """
    with tempfile.TemporaryDirectory(prefix="frenchbot-restore-") as work:
        folder = Path(work)
        manifest = _extract_and_check(archive, folder)
        engine = _engine(target.database)
        if manifest["database"]["engine"] != engine:
            raise BackupError(
                f"Cette archive contient une base {manifest['database']['engine']} ; la cible est {engine}."
            )
        if not force:
            _refuse_non_empty(target)
        if engine == "sqlite":
            _sqlite_restore(folder / SQLITE_MEMBER, Path(target.database["NAME"]))
            counts = sqlite_row_counts(Path(target.database["NAME"]))
        else:
            counts = _postgres_restore(folder / POSTGRES_MEMBER, target.database, clean=force)
        for alias, storage in target.storages.items():
            _storage_restore(folder / STORAGE_PREFIXES[alias], storage)
        if (folder / SECRET_MEMBER).exists() and target.secret_key_path is not None:
            _secret_restore(folder / SECRET_MEMBER, target.secret_key_path)
    missing = {
        table: rows for table, rows in manifest["database"]["tables"].items() if counts.get(table) != rows
    }
    if missing:
        raise BackupError(
            "La base restaurée ne correspond pas au manifeste pour ces tables : " + ", ".join(sorted(missing))
        )
    return manifest


def _extract_and_check(archive: Path, folder: Path) -> dict[str, Any]:
    damaged = f"Archive endommagée ou illisible : {archive.name}"
    if not archive.is_file():
        raise BackupError(f"Archive introuvable : {archive}")
    digests: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                path = PurePosixPath(info.name)
                if not info.isfile() or path.is_absolute() or ".." in path.parts:
                    raise BackupError(f"{damaged} (entrée inattendue : {info.name}).")
                handle = tar.extractfile(info)
                if info.name == MANIFEST:
                    manifest = json.loads(handle.read())
                    continue
                destination = folder / path
                destination.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with destination.open("wb") as out:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                digests[info.name] = {"size": info.size, "sha256": digest.hexdigest()}
    except (tarfile.TarError, EOFError, OSError, zlib.error, ValueError) as error:
        raise BackupError(f"{damaged} ({error}).") from None
    if manifest is None or manifest.get("format") != FORMAT:
        raise BackupError(f"{damaged} (pas de manifeste, ou d'un format inconnu).")
    expected = manifest.get("files", {})
    for member in sorted(set(expected) | set(digests)):
        if member not in digests:
            raise BackupError(f"{damaged} : {member} manque.")
        if member not in expected:
            raise BackupError(f"{damaged} : {member} n'est pas dans le manifeste.")
        if digests[member] != expected[member]:
            raise BackupError(f"{damaged} : {member} ne correspond pas à son empreinte.")
    return manifest


def _refuse_non_empty(target: Target) -> None:
    reasons = []
    if _engine(target.database) == "sqlite":
        path = Path(target.database["NAME"])
        if path.exists() and path.stat().st_size and any(sqlite_row_counts(path).values()):
            reasons.append(f"la base {path} contient des données")
    else:
        with _postgres_connect(target.database) as db, db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
            if cursor.fetchone()[0]:
                reasons.append(f"la base PostgreSQL {target.database['NAME']} contient des tables")
    for alias, storage in target.storages.items():
        if next(_storage_walk(storage), None) is not None:
            reasons.append(f"le stockage « {alias} » contient des fichiers")
    if reasons:
        raise BackupError(
            "Restauration refusée : "
            + " ; ".join(reasons)
            + ". Restaurez dans un dossier et une base vides, "
            "ou ajoutez --force pour les remplacer."
        )


def _sqlite_restore(copy: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Old WAL and shared-memory files would be replayed over the restored database.
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    temporary = path.with_name(f".{path.name}.restore")
    shutil.copyfile(copy, temporary)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _postgres_restore(dump: Path, database: dict, *, clean: bool) -> dict[str, int]:
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, "--dbname", str(database["NAME"]), str(dump)], database, "pg_restore")
    with _postgres_connect(database) as db, db.cursor() as cursor:
        return postgres_row_counts(cursor)


def _storage_restore(folder: Path, storage: Storage) -> None:
    if not folder.exists():
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        if storage.exists(name):
            storage.delete(name)
        with path.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"Le fichier {name} a été enregistré sous un autre nom ({saved}).")


def _secret_restore(source: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.restore")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(source.read_bytes())
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
