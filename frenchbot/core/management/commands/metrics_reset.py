"""`frenchbot metrics_reset`: empty the metrics folder before the web and task workers start."""

from django.conf import settings
from django.core.management.base import BaseCommand

from frenchbot.core.metrics import metrics_dir_reset


class Command(BaseCommand):
    help = (
        "Vide le dossier des métriques (PROMETHEUS_MULTIPROC_DIR) : à lancer avant de démarrer les processus, "
        "jamais pendant qu'ils tournent."
    )

    def handle(self, *args, **options):
        metrics_dir_reset(settings.METRICS_DIR)
        if options["verbosity"] > 0:
            self.stdout.write(f"Dossier des métriques vidé : {settings.METRICS_DIR}")
