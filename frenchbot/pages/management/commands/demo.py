import os
import secrets
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Charge le contenu de démonstration (ce qui manque seulement), ou le retire avant la mise en ligne "
        "(--remove). `make run` le charge avec --if-empty : seulement dans une base vide, au premier démarrage."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-login", action="store_true", help="Ne pas afficher l'identifiant admin.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne rien faire (ni afficher) si la base a déjà un compte : la démo n'est chargée qu'au premier "
            "démarrage, et ce que l'équipe a supprimé ne revient pas.",
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Retirer le contenu de démonstration (articles, formations et leurs codes d'accès, FAQ, membre "
            "d'équipe fictif) ; ce que l'équipe a écrit reste.",
        )

    def handle(self, *args, **options):
        if options["remove"]:
            # In the reverse order of INSTALLED_APPS: an app's demo leans on the apps listed before it (the
            # demo sessions on the demo trainings, which PROTECT them), so it goes first.
            hooks = reversed(list(self._demo_hooks("demo_remove")))
            lines = [line for line in (remove() for remove in hooks) if line]
            for line in lines:
                self.stdout.write(self.style.SUCCESS(line))
            if not lines:
                self.stdout.write("Aucun contenu de démonstration à retirer.")
            return
        if options["if_empty"] and get_user_model().objects.exists():
            return
        # Each app keeps its demo content beside its code (`<app>/demo`, with a `demo_report()` that loads it
        # and says what it created): found through the installed apps, so this command names none of them.
        reports = [report() for report in self._demo_hooks("demo_report")]
        for line in filter(None, reports):
            self.stdout.write(self.style.SUCCESS(line))
        if not any(reports):
            self.stdout.write("Contenu de démonstration déjà présent : rien à ajouter.")
        password = self._admin()
        if password and not options["quiet_login"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Administration : {settings.SITE_URL}/admin/  identifiant : admin  mot de passe : {password}"
                    "  (affiché cette fois seulement ; aussi dans var/admin_password)"
                )
            )

    @staticmethod
    def _demo_hooks(name: str):
        for config in apps.get_app_configs():
            module = f"{config.name}.demo"
            if config.name.startswith("frenchbot.") and find_spec(module) is not None:
                hook = getattr(import_module(module), name, None)
                if hook is not None:
                    yield hook

    def _admin(self) -> str:
        """The demo administrator's password when this call created the account ("" otherwise); kept under var/,
        created readable by its owner only (never world-readable, even for an instant)."""
        user_model = get_user_model()
        if user_model.objects.filter(username="admin").exists():
            return ""
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser("admin", "admin@thefrenchbot.fr", password, first_name="Équipe")
        path = settings.VAR_DIR / "admin_password"
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(password)
        return password
