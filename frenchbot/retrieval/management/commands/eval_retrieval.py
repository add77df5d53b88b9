import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

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
        parser.add_argument(
            "--mode",
            choices=["hybrid", "lexical", "semantic"],
            action="append",
            help="Mode(s) de recherche mesurés (par défaut : hybrid, la configuration du site, et lexical).",
        )

    def handle(self, *args, **options):
        path = Path(options["dataset"])
        if not path.is_file():
            raise CommandError(f"Jeu de données introuvable : {path}")
        quiet = options["json"]

        def progress(phase: str, done: int, total: int) -> None:
            if quiet or (done % 100 and done != total):
                return
            label = "Indexation" if phase == "index" else f"Questions ({phase})"
            width = 30
            filled = int(width * done / total)
            sys.stderr.write(f"\r{label:22} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")

        modes = tuple(options["mode"] or ("hybrid", "lexical"))
        try:
            reports = evaluate(path, modes=modes, limit=options["limit"], progress=progress)
        except (ValueError, KeyError) as error:
            raise CommandError(f"Jeu de données illisible ({error}).") from error
        except DatabaseError as error:
            raise CommandError(
                f"La base de données n'est pas prête ({error}) : lancez d'abord « frenchbot migrate »."
            ) from error
        main, *others = reports
        if quiet:
            # The site's configuration at the top level; the other modes beside it.
            self.stdout.write(json.dumps({**main.as_dict(), **{r.mode: r.as_dict() for r in others}}))
            return
        self.stdout.write(f"{'':20} " + "  ".join(f"{r.mode:>10}" for r in reports))
        rows = [
            ("Contextes indexés", lambda r: str(r.contexts)),
            ("Questions", lambda r: str(r.questions)),
            ("recall@1", lambda r: f"{r.recall_at_1:.3f}"),
            ("recall@5", lambda r: f"{r.recall_at_5:.3f}"),
            ("MRR@10", lambda r: f"{r.mrr_at_10:.3f}"),
            ("answer_hit", lambda r: "—" if r.answer_hit is None else f"{r.answer_hit:.3f}"),
            ("Latence p50 (ms)", lambda r: f"{r.p50_ms:.1f}"),
            ("Latence p95 (ms)", lambda r: f"{r.p95_ms:.1f}"),
        ]
        for label, value in rows:
            self.stdout.write(f"{label:20} " + "  ".join(f"{value(r):>10}" for r in reports))
