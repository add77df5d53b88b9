import hashlib
import os
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand

# The fingerprint of the static sources last collected, kept beside what was collected.
STATIC_FINGERPRINT = ".sources-fingerprint"


def static_fingerprint() -> str:
    """What the collected static files are made from: every source file's path, size and modification time,
    and the settings that shape them. The same fingerprint means collectstatic would write the same files."""
    digest = hashlib.sha256()
    for setting in ("STATIC_URL", "STORAGES", "WHITENOISE_SKIP_COMPRESS_EXTENSIONS"):
        digest.update(repr(getattr(settings, setting, None)).encode())
    for finder in get_finders():
        for path, storage in finder.list([]):
            full = storage.path(path)
            stat = os.stat(full)
            digest.update(f"{full}\x00{stat.st_size}\x00{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Prépare le site avant de le servir (make run) : migrations, fichiers statiques s'ils ont changé, "
        "contenu de démonstration dans une base vide, index des mots, compteurs des métriques remis à zéro ; les vecteurs de recherche et les "
        "intentions du bot sont confiés au worker (frenchbot worker). Sans effet quand rien n'a changé."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=0)
        self._collectstatic(verbosity)
        # Each step below prints only what the operator must know (the demo's login, work queued).
        call_command("demo", if_empty=True, verbosity=verbosity)
        call_command("index", background=True, verbosity=0)
        call_command("intents", background=True, verbosity=verbosity)
        # Before the web and task workers start: counters of processes that no longer run are dropped.
        call_command("metrics_reset", verbosity=0)
        if verbosity > 1:
            self.stdout.write(f"Site prêt à servir en {time.monotonic() - started:.1f} s.")

    def _collectstatic(self, verbosity: int) -> None:
        marker = Path(settings.STATIC_ROOT) / STATIC_FINGERPRINT
        fingerprint = static_fingerprint()
        # Hashing and compressing ~900 files takes most of a first start: a later start with the same sources
        # (the marker is written only once collectstatic succeeded) skips it.
        if marker.exists() and marker.read_text() == fingerprint:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        marker.write_text(fingerprint)
        if verbosity > 1:
            self.stdout.write("Fichiers statiques rassemblés.")
