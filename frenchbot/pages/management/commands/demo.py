import secrets
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Charge le contenu de démonstration (une seule fois) et affiche l'identifiant administrateur."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-login", action="store_true", help="Ne pas afficher l'identifiant admin.")

    def handle(self, *args, **options):
        # Each app keeps its demo content beside its code (`<app>/demo`, with a `demo_report()` that loads it
        # and says what it created): found through the installed apps, so this command names none of them.
        reports = [report() for report in self._demo_reports()]
        for line in filter(None, reports):
            self.stdout.write(self.style.SUCCESS(line))
        if not any(reports):
            self.stdout.write("Contenu de démonstration déjà présent : rien à ajouter.")
        username, password = self._admin()
        if not options["quiet_login"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Administration : {settings.SITE_URL}/admin/  identifiant : {username}  mot de passe : {password}"
                )
            )

    @staticmethod
    def _demo_reports():
        for config in apps.get_app_configs():
            module = f"{config.name}.demo"
            if config.name.startswith("frenchbot.") and find_spec(module) is not None:
                report = getattr(import_module(module), "demo_report", None)
                if report is not None:
                    yield report

    def _admin(self) -> tuple[str, str]:
        """The demo administrator; its generated password is kept under var/ (readable by its owner only)."""
        path = settings.VAR_DIR / "admin_password"
        user_model = get_user_model()
        user = user_model.objects.filter(username="admin").first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(
                "admin", "admin@thefrenchbot.fr", password, first_name="Équipe"
            )
            path.write_text(password)
            path.chmod(0o600)
            return "admin", password
        if path.exists():
            return "admin", path.read_text().strip()
        return "admin", "(inchangé — `frenchbot changepassword admin` pour le modifier)"
