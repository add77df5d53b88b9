import sys
import time

from django.core.management.base import BaseCommand

from frenchbot.retrieval.services import index_rebuild, vectors_enqueue, vectors_missing


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche à partir de tous les contenus du site (sans effet si rien n'a changé)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--background",
            action="store_true",
            help="Indexer les mots tout de suite (une seconde) et confier le calcul des vecteurs au worker "
            "(frenchbot worker) : c'est ce que fait make run, pour que le site réponde sans attendre.",
        )

    def handle(self, *args, **options):
        start = time.perf_counter()
        interactive = options["verbosity"] > 0
        background = options["background"]

        def progress(source: str, done: int, total: int) -> None:
            if interactive:
                width = 30
                filled = int(width * done / total) if total else width
                sys.stderr.write(f"\r{source:16} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                if done == total:
                    sys.stderr.write("\n")

        summary = index_rebuild(progress=progress, vectors=not background)
        if background and vectors_enqueue():
            # Said even at -v 0: the operator must know why the bot answers by words for a while.
            self.stdout.write(
                f"Index sémantique en préparation dans le worker ({vectors_missing().count()} passages à "
                "vectoriser) : le bot répond d'après les mots en attendant."
            )
        if background and not interactive:
            return  # a start (make run) says only what concerns the operator: the line above
        self.stdout.write(
            self.style.SUCCESS(
                f"Index à jour en {time.perf_counter() - start:.1f} s : {summary['indexed']} indexés, "
                f"{summary['unchanged']} inchangés, {summary['removed']} retirés — "
                f"{summary['documents']} documents, {summary['chunks']} passages."
            )
        )
