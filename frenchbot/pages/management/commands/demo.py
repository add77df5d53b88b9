import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from frenchbot.audits.demo import audits_demo_load
from frenchbot.blog.demo import demo_load
from frenchbot.booking.demo import booking_demo_load
from frenchbot.courses.demo import courses_demo_load


class Command(BaseCommand):
    help = "Charge le contenu de démonstration (une seule fois) et affiche l'identifiant administrateur."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-login", action="store_true", help="Ne pas afficher l'identifiant admin.")

    def handle(self, *args, **options):
        created = demo_load()
        if created["articles"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Démo chargée : {created['articles']} articles, {created['comments']} commentaires, "
                    f"{created['polls']} sondages."
                )
            )
        else:
            self.stdout.write("Contenu de démonstration déjà présent : rien à ajouter.")
        booking = booking_demo_load()
        if booking["event_types"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rendez-vous : {booking['event_types']} types de rendez-vous, Camille disponible "
                    "du lundi au vendredi (9 h–12 h, 14 h–18 h)."
                )
            )
        audits = audits_demo_load()
        if audits["questionnaires"] or audits["opportunities"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit IA : {audits['questionnaires']} questionnaires, "
                    f"{audits['opportunities']} opportunités au catalogue."
                )
            )
        courses = courses_demo_load()
        if courses["trainings"]:
            codes = courses["codes"]
            trainings = f"{courses['trainings']} formation" + ("s" if courses["trainings"] > 1 else "")
            line = (
                f"Formations : {trainings}, {courses['modules']} modules, "
                f"{courses['lessons']} leçons, {courses['quizzes']} quiz, {courses['exercises']} exercices"
            )
            if codes:
                label = (
                    "codes d'accès de démonstration" if len(codes) > 1 else "code d'accès de démonstration"
                )
                line += f" ; {label} : {', '.join(codes)}"
            self.stdout.write(self.style.SUCCESS(line + "."))
        username, password = self._admin()
        if not options["quiet_login"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Administration : {settings.SITE_URL}/admin/  identifiant : {username}  mot de passe : {password}"
                )
            )

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
