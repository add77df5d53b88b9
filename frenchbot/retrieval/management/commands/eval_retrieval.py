import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frenchbot.retrieval.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Mesure la recherche sur un jeu de questions au format SQuAD (PIAF) dans un index temporaire, "
        "jamais celui du site : recall@1, recall@5, MRR@10, latence p50/p95."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset", required=True, help="Fichier JSON au format SQuAD (ex. piaf-v1.0.json)."
        )
        parser.add_argument("--json", action="store_true", help="Un seul objet JSON sur la sortie standard.")
        parser.add_argument("--limit", type=int, default=None, help="Ne poser que les N premières questions.")

    def handle(self, *args, **options):
        path = Path(options["dataset"])
        if not path.is_file():
            raise CommandError(f"Jeu de données introuvable : {path}")
        quiet = options["json"]

        def progress(phase: str, done: int, total: int) -> None:
            if quiet or (done % 100 and done != total):
                return
            label = "Indexation" if phase == "index" else "Questions"
            width = 30
            filled = int(width * done / total)
            sys.stderr.write(f"\r{label:11} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")

        try:
            report = evaluate(path, limit=options["limit"], progress=progress)
        except (ValueError, KeyError) as error:
            raise CommandError(f"Jeu de données illisible ({error}).") from error
        if quiet:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        rows = [
            ("Mode", report.mode),
            ("Contextes indexés", report.contexts),
            ("Questions", report.questions),
            ("recall@1", f"{report.recall_at_1:.3f}"),
            ("recall@5", f"{report.recall_at_5:.3f}"),
            ("MRR@10", f"{report.mrr_at_10:.3f}"),
            ("answer_hit", "non mesuré" if report.answer_hit is None else f"{report.answer_hit:.3f}"),
            ("Latence p50", f"{report.p50_ms:.1f} ms"),
            ("Latence p95", f"{report.p95_ms:.1f} ms"),
        ]
        for label, value in rows:
            self.stdout.write(f"{label:20} {value}")
