import sys
import time

from django.core.management.base import BaseCommand

from frenchbot.retrieval.services import index_rebuild


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche à partir de tous les contenus du site (sans effet si rien n'a changé)."

    def handle(self, *args, **options):
        start = time.perf_counter()
        interactive = options["verbosity"] > 0

        def progress(source: str, done: int, total: int) -> None:
            if interactive:
                width = 30
                filled = int(width * done / total) if total else width
                sys.stderr.write(f"\r{source:16} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                if done == total:
                    sys.stderr.write("\n")

        summary = index_rebuild(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Index à jour en {time.perf_counter() - start:.1f} s : {summary['indexed']} indexés, "
                f"{summary['unchanged']} inchangés, {summary['removed']} retirés — "
                f"{summary['documents']} documents, {summary['chunks']} passages."
            )
        )
