from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from frenchbot.core.storage import StorageUnavailable, storage_copy_folder


class Command(BaseCommand):
    help = (
        "Copie les fichiers des dossiers locaux (MEDIA_ROOT, PRIVATE_MEDIA_ROOT) vers le stockage objet "
        "(STORAGE_BACKEND=s3), sous les mêmes noms ; les fichiers déjà présents sont laissés tels quels."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait copié, sans rien copier."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        if settings.STORAGE_BACKEND != "s3":
            raise CommandError(
                "STORAGE_BACKEND n'est pas s3 : renseignez STORAGE_BACKEND=s3 et les variables S3_* avant de "
                "copier les fichiers vers le stockage objet."
            )
        for label, source, alias in (
            ("médias publics", Path(settings.MEDIA_ROOT), "default"),
            ("fichiers privés", Path(settings.PRIVATE_MEDIA_ROOT), "private"),
        ):
            try:
                report = storage_copy_folder(source=source, storage=storages[alias], dry_run=dry_run)
            except StorageUnavailable as error:
                raise CommandError(f"Copie interrompue ({label}) : {error}") from None
            if options["verbosity"] > 1:
                for name in report.copied:
                    self.stdout.write(f"  {name}")
            verb = "à copier" if dry_run else "copiés"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{label.capitalize()} ({source}) : {len(report.copied)} {verb}, "
                    f"{len(report.present)} déjà présents."
                )
            )
