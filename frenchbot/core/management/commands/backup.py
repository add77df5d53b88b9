"""`frenchbot backup`: one private archive of the database, the media, the private media and the secret key."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frenchbot.core.backup import BackupError, backup_create, backup_prune

from ._backup_target import site_target


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données, les médias, les médias privés et la clé secrète dans une archive "
        ".tar.gz lisible par son seul propriétaire, avec un manifeste (lignes par table, fichiers et empreintes)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Chemin de l'archive (par défaut : BACKUP_DIR/frenchbot-AAAAMMJJ-HHMMSS.tar.gz).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Ne garder que les N archives les plus récentes du dossier de l'archive (0 : toutes).",
        )

    def handle(self, *args, output: Path | None, keep: int, **options):
        if keep < 0:
            raise CommandError("--keep attend un nombre positif.")
        if output is None:
            output = Path(settings.BACKUP_DIR) / f"frenchbot-{datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        target = site_target()
        try:
            manifest = backup_create(source=target, output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["database"]["tables"].values())
        self.stdout.write(
            f"Sauvegarde écrite : {output} ({len(manifest['database']['tables'])} tables, {rows} lignes, "
            f"{len(manifest['files'])} fichiers)."
        )
        for item in manifest["not_included"]:
            self.stdout.write(f"Non inclus : {item}.")
        if keep:
            for path in backup_prune(folder=output.parent, keep=keep):
                self.stdout.write(f"Ancienne sauvegarde supprimée : {path.name}")
