"""`frenchbot restore ARCHIVE`: an archive of `frenchbot backup` into an empty database and empty storages."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from frenchbot.core.backup import BackupError, backup_restore

from ._backup_target import site_target


class Command(BaseCommand):
    help = (
        "Restaure une archive de `frenchbot backup` dans une base et des stockages vides, après avoir vérifié "
        "chaque fichier contre le manifeste. Arrêtez le site et le worker avant."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="L'archive .tar.gz à restaurer.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Remplacer une base et des fichiers existants (ce qu'ils contiennent est perdu).",
        )

    def handle(self, *args, archive: Path, force: bool, **options):
        target = site_target()
        # No connection of ours may hold the database file or a lock while it is replaced.
        connections.close_all()
        try:
            manifest = backup_restore(archive=archive, target=target, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["database"]["tables"].values())
        self.stdout.write(
            f"Restauration terminée : sauvegarde du {manifest['created_at']} (version {manifest['version']}), "
            f"{rows} lignes et {len(manifest['files'])} fichiers vérifiés."
        )
        if "secret_key" in manifest["files"] and target.secret_key_path is None:
            self.stdout.write(
                "La clé secrète de l'archive n'a pas été restaurée : SECRET_KEY est définie dans l'environnement "
                "(les liens envoyés par e-mail avant la sauvegarde ne fonctionneront qu'avec l'ancienne clé)."
            )
